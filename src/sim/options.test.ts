import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSimulationOptions, simulationOptionsFromFlags } from './options.js';
import { createRng, seedFor } from './prng.js';
import { simulateCounty } from './simulate-county.js';

describe('simulation options', () => {
  it('fills in every default', () => {
    const r = parseSimulationOptions({ out: 'county' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      size: 20_000,
      seed: 1,
      asOf: '2021-06-30',
      encoding: 'utf8',
      noise: 0.002,
    });
    expect(r.value.ring).toMatchObject({ enabled: true, stations: 2, terminals: 3, start: '2015-11-01' });
  });

  it('reads command-line flags, nested ring flags included', () => {
    const r = simulationOptionsFromFlags({
      out: 'x',
      size: '5000',
      'ring-cards': '40',
      ring: 'on',
      'card-switch': '0.1',
      encoding: 'gbk',
    });
    expect(r.ok && r.value).toMatchObject({
      size: 5000,
      cardSwitch: 0.1,
      encoding: 'gbk',
      ring: { cards: 40, enabled: true },
    });
    const off = simulationOptionsFromFlags({ out: 'x', ring: 'off' });
    expect(off.ok && off.value.ring.enabled).toBe(false);
  });

  it('refuses unknown flags and bad values with the flag named', () => {
    expect(simulationOptionsFromFlags({ out: 'x', sise: '10' })).toMatchObject({
      ok: false,
      issues: [{ code: 'option.unknown' }],
    });
    const bad = simulationOptionsFromFlags({ out: 'x', noise: '2', 'as-of': '2021-02-30' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.message).join(' ')).toMatch(/--noise.*|--as-of/);
    expect(parseSimulationOptions({}).ok).toBe(false);
  });
});

describe('seeded generator', () => {
  it('repeats for a seed, differs between seeds, and is roughly uniform', () => {
    const a = createRng(seedFor(1, 'x'));
    const b = createRng(seedFor(1, 'x'));
    const c = createRng(seedFor(2, 'x'));
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c.next())).not.toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('fraud switches', () => {
  it('turns each fraud off, and sizes the ring by --ring-cards', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ghostwatch-fraud-'));
    try {
      const schemes = (d: string) =>
        readFileSync(join(d, 'truth', 'beneficiaries.csv'), 'utf8')
          .split('\r\n')
          .slice(1)
          .filter((l) => l.length > 0)
          .map((l) => l.split(',')[3]);
      await simulateCounty({
        out: join(base, 'off'),
        size: 1500,
        seed: 3,
        ring: { enabled: false },
        relatives: 0,
        cardSwitch: 0,
        noise: 0,
      });
      expect(new Set(schemes(join(base, 'off')))).toEqual(new Set(['none']));
      const badRows = readFileSync(join(base, 'off', 'truth', 'bad_rows.csv'), 'utf8')
        .trim()
        .split('\r\n');
      expect(badRows).toHaveLength(1);
      await simulateCounty({
        out: join(base, 'on'),
        size: 1500,
        seed: 3,
        ring: { cards: 12 },
        relatives: 0.3,
        cardSwitch: 0.3,
      });
      const on = schemes(join(base, 'on'));
      expect(on.filter((s) => s === 'ring')).toHaveLength(12);
      expect(on.filter((s) => s === 'relative').length).toBeGreaterThan(10);
      expect(on.filter((s) => s === 'card_switch').length).toBeGreaterThan(3);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

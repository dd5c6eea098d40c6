import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../testing/cli-harness.js';

/** The simulator's guarantee end to end: every injected bad row is quarantined on ingest, no good row is. */
describe('a simulated county through ingest', () => {
  it('quarantines exactly the injected bad rows and flags the injected quality defects', async () => {
    const dir = tempDir();
    const county = join(dir, 'county');
    const db = join(dir, 'g.db');
    const sim = await runCli([
      'simulate',
      '--out',
      county,
      '--size',
      '600',
      '--seed',
      '11',
      '--payments-from',
      '2020-01',
    ]);
    expect(sim.code).toBe(0);
    const ingest = await runCli(['--db', db, 'ingest', 'all', county]);
    expect(ingest.stderr).toBe('');
    expect(ingest.code).toBe(0);

    const evaluation = await runCli(['--db', db, 'evaluate', '--truth', county, '--json']);
    expect(evaluation.code).toBe(0);
    const result = JSON.parse(evaluation.stdout);
    expect(result.quarantine.kind).toBe('measured');
    expect(result.quarantine.injected).toBeGreaterThan(20);
    expect(result.quarantine.found).toBe(result.quarantine.injected);
    expect(result.quarantine.unexpected).toBe(0);
    // Before death matching the suspects are unavailable; after it they are scored from the store's findings.
    expect(result.suspects.kind).toBe('unavailable');
    expect((await runCli(['--db', db, 'match', '--as-of', '2021-06-30'])).code).toBe(0);
    const matched = JSON.parse((await runCli(['--db', db, 'evaluate', '--truth', county, '--json'])).stdout);
    expect(matched.suspects.kind).toBe('measured');
    expect(matched.suspects.found).toBeGreaterThan(0);
    expect(matched.suspects.suspects).toBeGreaterThanOrEqual(matched.suspects.found);

    const flagged =
      readFileSync(join(county, 'truth', 'quality_flags.csv'), 'utf8')
        .trim()
        .split('\n').length - 1;
    const status = JSON.parse((await runCli(['--db', db, 'status', '--json'])).stdout);
    expect(flagged).toBeGreaterThan(0);
    expect(status.dataQualityFlags).toBeGreaterThanOrEqual(flagged);
  });

  it('a GBK-encoded county loads exactly as its UTF-8 twin', async () => {
    const dir = tempDir();
    const counts = [];
    for (const encoding of ['utf8', 'gbk']) {
      const county = join(dir, encoding);
      const db = join(dir, `${encoding}.db`);
      const args = [
        'simulate',
        '--out',
        county,
        '--size',
        '300',
        '--seed',
        '5',
        '--payments-from',
        '2021-01',
      ];
      expect((await runCli(encoding === 'gbk' ? [...args, '--encoding', 'gbk'] : args)).code).toBe(0);
      expect((await runCli(['--db', db, 'ingest', 'all', county])).code).toBe(0);
      const status = JSON.parse((await runCli(['--db', db, 'status', '--json'])).stdout);
      const names = await runCli(['--db', db, 'quarantine', '--json', '--file', 'beneficiaries.csv']);
      counts.push({
        rows: status.rows,
        flags: status.dataQualityFlags,
        quarantined: JSON.parse(names.stdout).length,
      });
    }
    expect(counts[1]).toEqual(counts[0]);
  });
});

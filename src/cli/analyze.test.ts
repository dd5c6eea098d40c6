import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../testing/cli-harness.js';

/** Insider analytics end to end on a small simulated county with the Hengnan ring switched on. */
describe('ghostwatch analyze on a simulated county', () => {
  it('ranks the colluders first, finds the ring, exports handlers.csv and records the run', {
    timeout: 240_000,
  }, async () => {
    const dir = tempDir();
    const county = join(dir, 'county');
    const db = join(dir, 'g.db');
    const sim = await runCli([
      'simulate',
      '--out',
      county,
      '--size',
      '2500',
      '--seed',
      '1',
      '--payments-from',
      '2020-07',
    ]);
    expect(sim.code).toBe(0);
    expect((await runCli(['--db', db, 'ingest', 'all', county])).code).toBe(0);

    const analyze = await runCli(['--db', db, 'analyze', '--as-of', '2021-06-30', '--json']);
    expect(analyze.stderr).toBe('');
    expect(analyze.code).toBe(0);
    const summary = JSON.parse(analyze.stdout);
    expect(summary).toMatchObject({ asOf: '2021-06-30', deathEvidence: 'exact_id', rings: 1 });
    expect(summary.anomalies.certification_after_death).toBeGreaterThan(0);
    expect(summary.anomalies.reactivation_of_dead).toBeGreaterThan(0);

    const evaluation = JSON.parse(
      (await runCli(['--db', db, 'evaluate', '--truth', county, '--json'])).stdout,
    );
    expect(evaluation.handlers.kind).toBe('measured');
    expect(evaluation.handlers.colluders).toBe(4);
    expect(evaluation.handlers.precisionAtK).toBeGreaterThanOrEqual(0.8);
    expect(evaluation.handlers.firstColluderRank).toBe(1);
    expect(evaluation.alerts.kind).toBe('measured');
    expect(evaluation.alerts.ringCards).toBeGreaterThan(5);
    expect(evaluation.alerts.ringCoverage).toBeGreaterThanOrEqual(0.9);

    const out = join(dir, 'handlers.csv');
    const exported = await runCli(['--db', db, 'export', 'handlers', '--out', out, '--json']);
    expect(exported.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'handler_id,risk_score,beneficiaries,deceased_linked,expected_deceased,p_value,reasons',
    );
    expect(lines.length - 1).toBe(JSON.parse(exported.stdout).rows);
    const colluders = readFileSync(join(county, 'truth', 'handlers.csv'), 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.endsWith(',true'))
      .map((l) => l.split(',')[0]);
    expect(colluders).toContain(lines[1]?.split(',')[0]);
    expect(lines[1]).toMatch(/certified|reactivat/);

    const status = JSON.parse((await runCli(['--db', db, 'status', '--json'])).stdout);
    expect(status.jobs.find((j: { job: string }) => j.job === 'analyze')).toMatchObject({ outcome: 'ok' });

    // Re-running replaces the findings rather than adding to them.
    const again = JSON.parse(
      (await runCli(['--db', db, 'analyze', '--as-of', '2021-06-30', '--json'])).stdout,
    );
    expect(again.rings).toBe(summary.rings);
    const reexport = await runCli(['--db', db, 'export', 'handlers', '--out', out, '--json']);
    expect(JSON.parse(reexport.stdout).rows).toBe(lines.length - 1);
  });

  it('refuses a bad --as-of and explains an export before any analysis', async () => {
    const dir = tempDir();
    const db = join(dir, 'g.db');
    const bad = await runCli(['--db', db, 'analyze', '--as-of', '2021-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ghostwatch: --as-of: /);
    const early = await runCli(['--db', db, 'export', 'handlers', '--out', join(dir, 'h.csv')]);
    expect(early.code).toBe(1);
    expect(early.stderr).toBe(
      'ghostwatch: no handler ranking in this store yet: run ghostwatch analyze first\n',
    );
  });
});

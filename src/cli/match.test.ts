import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, REPO_ROOT, runCli, tempDir } from '../testing/cli-harness.js';
import { SUSPECTS_COLUMNS } from './commands/export.js';

const ID_PATTERN = /(?<!\d)\d{17}[\dX](?!\d)/;

describe('ghostwatch match, export suspects, link', () => {
  it('match links the sample county, records the run, re-runs without duplicates; export writes suspects.csv', async () => {
    const dir = tempDir();
    const db = join(dir, 'g.db');
    expect((await runCli(['--db', db, 'ingest', 'all', EXAMPLES])).code).toBe(0);
    const first = await runCli(['--db', db, 'match', '--as-of', '2021-06-30', '--json']);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ mode: 'batch', model: { trained: true } });
    expect(summary.findings).toBeGreaterThan(0);
    const again = JSON.parse((await runCli(['--db', db, 'match', '--as-of', '2021-06-30', '--json'])).stdout);
    expect(again).toMatchObject({ links: summary.links, findings: summary.findings, newDecisions: 0 });
    const status = JSON.parse((await runCli(['--db', db, 'status', '--json'])).stdout);
    expect(status.jobs.find((j: { job: string }) => j.job === 'match')).toMatchObject({ outcome: 'ok' });

    const out = join(dir, 'suspects.csv');
    const exported = await runCli(['--db', db, 'export', 'suspects', '--out', out]);
    expect(exported.code).toBe(0);
    const [header, ...rows] = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(header).toBe(SUSPECTS_COLUMNS.join(','));
    expect(rows).toHaveLength(summary.findings);
    for (const row of rows) {
      const cells = row.split(',');
      expect(cells).toHaveLength(11);
      const [
        ,
        name,
        deathDate,
        evidence,
        probability,
        decision,
        period,
        amount,
        rollStatus,
        lifeSign,
        claim,
      ] = cells;
      expect(lifeSign).toMatch(/^(\d{4}-\d{2}-\d{2} [a-z_]+)?$/);
      expect(['claimed', 'contested', 'unsupported']).toContain(claim);
      expect(name).toMatch(/\*/);
      expect(deathDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(evidence).toMatch(/^[a-z_]+:[^;]+(;[a-z_]+:[^;]+)*$/);
      expect(Number(probability)).toBeGreaterThanOrEqual(0.5);
      expect(['confirmed', 'review']).toContain(decision);
      expect(period).toMatch(/^\d{4}-\d{2}$/);
      expect(amount).toMatch(/^\d+\.\d{2}$/);
      expect(['active', 'suspended', 'terminated']).toContain(rollStatus);
      expect(row).not.toMatch(ID_PATTERN);
    }
    // A second death record arriving later is matched on ingest (the model exists now).
    const late = join(dir, 'deaths-late.csv');
    const [deathHeader, firstDeath] = readFileSync(join(EXAMPLES, 'deaths.csv'), 'utf8').split('\n');
    writeFileSync(late, `${deathHeader}\n${firstDeath!.replace(/^[^,]+/, 'CA-LATE')}\n`);
    const ingested = await runCli(['--db', db, 'ingest', 'deaths', late]);
    expect(ingested.code).toBe(0);
    expect(ingested.stderr).toMatch(/1 death records matched on arrival: 1 links/);
    const incremental = await runCli([
      '--db',
      db,
      'match',
      '--incremental',
      '--as-of',
      '2021-06-30',
      '--json',
    ]);
    expect(JSON.parse(incremental.stdout)).toMatchObject({ mode: 'incremental', deathRecords: 0 });
  });

  it('match --incremental before any batch run is one clear line', async () => {
    const run = await runCli(['--db', join(tempDir(), 'g.db'), 'match', '--incremental']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('run ghostwatch match once first');
  });

  it('export of an unknown kind is a usage error; export needs --out', async () => {
    expect((await runCli(['export', 'pensions', '--out', 'x'])).code).toBe(2);
    const noOut = await runCli(['--db', join(tempDir(), 'g.db'), 'export', 'suspects']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out');
  });

  it('link runs the general engine; a bad config is one line naming the file', async () => {
    const dir = tempDir();
    const left = join(dir, 'a.csv');
    const right = join(dir, 'b.csv');
    writeFileSync(
      left,
      'id,name,dob\n1,anna smith,1950-01-01\n2,bob jones,1960-02-02\n3,carl brown,1970-03-03\n',
    );
    writeFileSync(
      right,
      'id,name,dob\nx,anna smith,1950-01-01\ny,bob jonse,1960-02-02\nz,dora white,1980-04-04\n',
    );
    const config = join(dir, 'c.json');
    writeFileSync(
      config,
      JSON.stringify({
        leftId: 'id',
        comparisons: [
          { type: 'jaro-winkler', column: 'name', thresholds: [0.9] },
          { type: 'date', column: 'dob' },
        ],
        blocking: [{ keys: ['dob'] }],
        prior: { kind: 'fixed', probability: 0.3 },
      }),
    );
    const out = join(dir, 'pairs.csv');
    const run = await runCli(['link', '--left', left, '--right', right, '--config', config, '--out', out]);
    expect(run.code).toBe(0);
    const pairs = readFileSync(out, 'utf8').trim().split('\n');
    expect(pairs[0]).toBe('left_id,right_id,match_weight,match_probability');
    expect(
      pairs
        .slice(1)
        .map((l) => l.split(',').slice(0, 2).join('-'))
        .sort(),
    ).toEqual(['1-x', '2-y']);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ leftId: 'id', comparisons: [], blocking: [] }));
    const refused = await runCli(['link', '--left', left, '--right', right, '--config', bad, '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('bad.json');
    const missing = await runCli(['link', '--left', left, '--right', right, '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--config');
  });

  it('the FEBRL example config links through the CLI', async () => {
    const febrl = join(REPO_ROOT, '..', 'shared', 'data', 'febrl');
    const out = join(tempDir(), 'pairs.csv');
    const run = await runCli([
      'link',
      '--left',
      join(febrl, 'dataset4a.csv'),
      '--right',
      join(febrl, 'dataset4b.csv'),
      '--config',
      join(REPO_ROOT, 'examples', 'febrl-config.json'),
      '--out',
      out,
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).links).toBeGreaterThan(4900);
  });
});

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLES, runCli, tempDir } from '../testing/cli-harness.js';
import { dropSchema, freshSchemaName, postgresSkip, TEST_POSTGRES_URL } from '../testing/postgres.js';

const { skip } = await postgresSkip('stores parity');
const schema = freshSchemaName('gw_parity');

describe.skipIf(skip)('SQLite and PostgreSQL hold the same', () => {
  afterAll(async () => {
    await dropSchema(schema);
  });

  it('every file kind of the examples loads into both stores with identical status counts', async () => {
    const sqlite = join(tempDir(), 'g.db');
    const postgres = `${TEST_POSTGRES_URL}?schema=${schema}`;
    for (const db of [sqlite, postgres]) {
      const run = await runCli(['--db', db, 'ingest', 'all', EXAMPLES]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    const a = JSON.parse((await runCli(['--db', sqlite, 'status', '--json'])).stdout);
    const b = JSON.parse((await runCli(['--db', postgres, 'status', '--json'])).stdout);
    expect(a.store.dialect).toBe('sqlite');
    expect(b.store.dialect).toBe('postgres');
    expect(b.rows).toEqual(a.rows);
    expect(b.dataQualityFlags).toBe(a.dataQualityFlags);
    const files = (s: { quarantine: { kind: string; rows: number }[] }) =>
      s.quarantine.map((q) => `${q.kind}:${q.rows}`).sort();
    expect(files(b)).toEqual(files(a));
    for (const kind of Object.keys(a.rows)) expect(a.rows[kind]).toBeGreaterThan(0);
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { MonitorCheckpoint } from '../monitor/checkpoint.js';
import { defaultRules } from '../monitor/default-rules.js';
import { createMonitor } from '../monitor/monitor.js';
import { createMemoryAlertSink } from '../monitor/testing/memory-alert-sink.js';
import { scenario } from '../monitor/testing/scenario.js';
import { adminClient, postgresSkip, TEST_POSTGRES_URL } from '../testing/postgres.js';
import { joinCheckpoint, splitCheckpoint } from './checkpoint-parts.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-sql.js';
import { openStore } from './open-store.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import type { SqlExecutor } from './sql-executor.js';
import type { Store } from './store.js';
import type { Row, SqlValue } from './tables.js';

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const asCheckpoint = (engine: unknown): MonitorCheckpoint =>
  ({
    format: 'ghostwatch.monitor.checkpoint/1',
    ruleVersion: 'r',
    position: null,
    engine,
  }) as unknown as MonitorCheckpoint;

/** A real engine state: the scenario's events through the default rules. */
function scenarioCheckpoint(sequence: number): MonitorCheckpoint {
  const { events, reference } = scenario();
  const monitor = createMonitor({ rules: defaultRules(), sink: createMemoryAlertSink(), reference });
  for (const e of events) monitor.push(e);
  return monitor.checkpoint({ kind: 'stream', stream: 'S', consumer: 'C', sequence });
}

describe('checkpoint in parts (splitCheckpoint / joinCheckpoint)', () => {
  it('joins back to exactly the JSON of the checkpoint, whatever the values and the slice size', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.integer({ min: 1, max: 80 }), (engine, partChars) => {
        const checkpoint = asCheckpoint(engine);
        const { header, parts } = splitCheckpoint(checkpoint, partChars);
        expect(joinCheckpoint(header, parts)).toEqual(roundTrip(checkpoint));
      }),
      { numRuns: 300 },
    );
  });

  it('cuts the long arrays, however deep, into texts of about the part size', () => {
    const checkpoint = scenarioCheckpoint(7);
    const whole = JSON.stringify(checkpoint);
    const { header, parts } = splitCheckpoint(checkpoint, 500);
    // Parts are at least half full (a part closes when the next batch of items would overflow it).
    expect(parts.length).toBeGreaterThan(whole.length / 1000);
    // Only an item that has no array to cut (one buffered event, one alert) may make a part longer; the header
    // keeps what is not in an array (counters, positions) and the short arrays.
    for (const text of parts) expect(text.length).toBeLessThanOrEqual(500 + 1000);
    expect(header.length).toBeLessThan(whole.length / 4);
    expect(joinCheckpoint(header, parts)).toEqual(roundTrip(checkpoint));
    // Small enough to stay one text: the JSON it always was (what older versions read).
    expect(splitCheckpoint(checkpoint, whole.length).header).toBe(whole);
    expect(splitCheckpoint(checkpoint, whole.length).parts).toEqual([]);
  });
});

const { skip: skipPostgres } = await postgresSkip('checkpoint parts');
const schemas: string[] = [];
afterAll(async () => {
  if (schemas.length === 0) return;
  const client = adminClient();
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

interface Opened {
  readonly store: Store;
  /** A second connection to the same database, for the SQL the store does not expose. */
  readonly sql: SqlExecutor;
  close(): Promise<void>;
}

const adapters: { name: string; skip: boolean; open: () => Promise<Opened> }[] = [
  {
    name: 'sqlite',
    skip: false,
    async open() {
      const path = join(mkdtempSync(join(tmpdir(), 'gw-checkpoint-')), 'ghostwatch.db');
      const store = await openStore(path);
      const db = new Database(path);
      const run = (text: string, params: readonly SqlValue[] = []): Row[] => {
        const statement = db.prepare(text);
        if (statement.reader) return statement.all(...params) as Row[];
        statement.run(...params);
        return [];
      };
      return {
        store,
        sql: { all: async (text, params) => run(text, params), transaction: async () => [] },
        async close() {
          db.close();
          await store.close();
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: skipPostgres,
    async open() {
      const schema = `gw_ckpt_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
      schemas.push(schema);
      const store = await openPostgresStore(TEST_POSTGRES_URL, { schema });
      const client = adminClient();
      await client.connect();
      await client.query(`SET search_path TO ${schema}`);
      const all = async (text: string, params: readonly SqlValue[] = []): Promise<Row[]> => {
        let n = 0;
        const result = await client.query(
          text.replace(/\?/g, () => `$${++n}`),
          [...params],
        );
        return result.rows as Row[];
      };
      return {
        store,
        sql: { all, transaction: async () => [] },
        async close() {
          await client.end();
          await store.close();
        },
      };
    },
  },
];

describe.each(adapters)('checkpoints in parts in SQL: $name', ({ skip, open }) => {
  it.skipIf(skip)('saves a large state in parts, replaces the previous one, loads back exactly', async () => {
    const { store, close } = await open();
    try {
      const first = scenarioCheckpoint(1);
      await store.monitor.save('nats:S:C', first);
      expect(await store.monitor.load('nats:S:C')).toEqual(roundTrip(first));
      const second = scenarioCheckpoint(2);
      await store.monitor.save('nats:S:C', second);
      await store.monitor.save('replay:/x', first);
      expect(await store.monitor.load('nats:S:C')).toEqual(roundTrip(second));
      expect(await store.monitor.load('replay:/x')).toEqual(roundTrip(first));
      expect(await store.monitor.load('other')).toBeUndefined();
    } finally {
      await close();
    }
  });

  it.skipIf(skip)(
    'writes small slices, keeps only the current generation, and survives a save that died half-way',
    async () => {
      const { sql, close } = await open();
      try {
        const first = scenarioCheckpoint(1);
        await saveCheckpoint(sql, 'n', first, 500);
        const parts = async () =>
          (
            await sql.all(
              'SELECT generation, count(*) AS n FROM monitor_checkpoint_parts GROUP BY generation',
            )
          ).map((r: Row) => [Number(r.generation), Number(r.n)]);
        const [[generation, count]] = (await parts()) as [[number, number]];
        expect(count).toBeGreaterThan(10);
        // A save that died before switching the header: its parts are there, the checkpoint is still the first.
        const dying: SqlExecutor = {
          all: async (text, params) => {
            if (text.trimStart().startsWith('INSERT INTO monitor_checkpoints')) throw new Error('killed');
            return sql.all(text, params);
          },
          transaction: (statements) => sql.transaction(statements),
        };
        await expect(saveCheckpoint(dying, 'n', scenarioCheckpoint(2), 500)).rejects.toThrow('killed');
        expect(await loadCheckpoint(sql, 'n')).toEqual(roundTrip(first));
        // The next save goes over the orphans and leaves one generation.
        const third = scenarioCheckpoint(3);
        await saveCheckpoint(sql, 'n', third, 500);
        expect(await loadCheckpoint(sql, 'n')).toEqual(roundTrip(third));
        expect(await parts()).toEqual([[generation + 1, count]]);
      } finally {
        await close();
      }
    },
  );

  it.skipIf(skip)('loads a checkpoint written before version 11 (one JSON text, no generation)', async () => {
    const { store, sql, close } = await open();
    try {
      const old = scenarioCheckpoint(4);
      await sql.all(
        'INSERT INTO monitor_checkpoints (name, checkpoint, position, saved_at) VALUES (?, ?, ?, ?)',
        ['old', JSON.stringify(old), JSON.stringify(old.position), 1],
      );
      expect(await store.monitor.load('old')).toEqual(roundTrip(old));
      await store.monitor.save('old', scenarioCheckpoint(5));
      expect((await store.monitor.load('old'))?.position).toEqual(scenarioCheckpoint(5).position);
    } finally {
      await close();
    }
  });
});

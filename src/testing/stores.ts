import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { adminClient, dropSchema, freshSchemaName, postgresSkip, TEST_POSTGRES_URL } from './postgres.js';

/** A fresh store of one dialect, with a back door for tests that play the attacker (raw SQL, no triggers). */
export interface StoreFixture {
  readonly store: Store;
  /** The `--db` value that opens the same store (CLI tests). */
  readonly location: string;
  /** Runs raw SQL on the store's database with a connection of its own. */
  raw(sql: string): Promise<void>;
  cleanup(): Promise<void>;
}

export interface StoreKind {
  readonly name: 'sqlite' | 'postgres';
  readonly skip: boolean;
  open(): Promise<StoreFixture>;
}

/**
 * Both adapters, for `describe.each`: SQLite always; PostgreSQL (a fresh schema each time) unless the server is
 * unreachable and CI is unset (then skipped with a printed reason).
 * @example describe.each(await storeKinds('cases'))('cases on $name', ({ open, skip }) => { … })
 */
export async function storeKinds(suite: string): Promise<StoreKind[]> {
  const { skip } = await postgresSkip(suite);
  return [
    {
      name: 'sqlite',
      skip: false,
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'ghostwatch-api-'));
        const path = join(dir, 'ghostwatch.db');
        const store = await openSqliteStore(path);
        return {
          store,
          location: path,
          async raw(sql) {
            const db = new Database(path);
            try {
              db.exec(sql);
            } finally {
              db.close();
            }
          },
          async cleanup() {
            await store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      skip,
      async open() {
        const schema = freshSchemaName('ghostwatch_api');
        const store = await openPostgresStore(TEST_POSTGRES_URL, { schema, maxConnections: 4 });
        return {
          store,
          location: `${TEST_POSTGRES_URL}?schema=${schema}`,
          async raw(sql) {
            const client = adminClient();
            await client.connect();
            try {
              await client.query(`SET search_path = ${schema}`);
              await client.query(sql);
            } finally {
              await client.end();
            }
          },
          async cleanup() {
            await store.close();
            await dropSchema(schema);
          },
        };
      },
    },
  ];
}

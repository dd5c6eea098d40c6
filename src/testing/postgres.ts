import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';

/** The PostgreSQL server the tests use (GHOSTWATCH_TEST_PG overrides). */
export const TEST_POSTGRES_URL = process.env.GHOSTWATCH_TEST_PG ?? 'postgres://127.0.0.1:5432/test';

/** A plain client for the tests' own housekeeping (dropping schemas), logged in as libpq would. */
export function adminClient(): pg.Client {
  const url = new URL(TEST_POSTGRES_URL);
  return new pg.Client({
    host: url.hostname,
    port: Number(url.port || 5432),
    database: url.pathname.slice(1),
    user: decodeURIComponent(url.username) || process.env.PGUSER || process.env.USER || userInfo().username,
    connectionTimeoutMillis: 5_000,
  });
}

/** Why PostgreSQL cannot be used, or undefined when it can. */
export async function probePostgres(): Promise<string | undefined> {
  const client = adminClient();
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return `cannot reach PostgreSQL at ${TEST_POSTGRES_URL} (${code ?? (error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Whether a suite's PostgreSQL tests skip: only when the server is unreachable and CI is unset (then the reason
 * is printed); with CI=true they run, and fail, so that CI never passes without PostgreSQL.
 */
export async function postgresSkip(suite: string): Promise<{ skip: boolean; problem: string | undefined }> {
  const problem = await probePostgres();
  const skip = problem !== undefined && !process.env.CI;
  if (skip) console.warn(`${suite}: PostgreSQL tests skipped: ${problem}; set CI=true to require them`);
  return { skip, problem };
}

/** A fresh schema name for one test's isolation. */
export function freshSchemaName(prefix = 'ghostwatch_test'): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = adminClient();
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

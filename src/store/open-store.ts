import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** PostgreSQL only: the schema to work in, created if missing (tests use a fresh one each). */
  readonly schema?: string;
}

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/**
 * Opens the store at `location`: a `postgres://…` or `postgresql://…` URL selects PostgreSQL, anything else is
 * a SQLite file path. A PostgreSQL URL may name the schema to work in with `?schema=NAME`. Pending migrations are applied. A failure to open throws an Error whose message is one line
 * saying what failed, where, and what to do.
 * @example
 * const store = await openStore(process.env.GHOSTWATCH_DB ?? './ghostwatch.db');
 * try { console.log(await store.status()); } finally { await store.close(); }
 */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (POSTGRES_URL.test(location)) {
    // A `schema` query parameter (`postgres://host/db?schema=county_a`) selects the schema, as the option does.
    const url = new URL(location);
    const schema = options.schema ?? url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    return openPostgresStore(url.toString(), schema === undefined ? {} : { schema });
  }
  return openSqliteStore(location);
}

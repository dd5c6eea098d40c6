import { userInfo } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { IngestBatch, LoadId } from '../../ingest/ports.js';
import type { RecordKind } from '../../records/enums.js';
import { onConflictClause, POSTGRES_DIALECT } from '../dialect.js';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL, type Migration, pendingMigrations } from '../migrations.js';
import { createSqlStoreCore, parseLoadId, type SqlExecutor, type SqlStatement } from '../sql-store-core.js';
import type { Store } from '../store.js';
import { type Row, type SqlValue, TABLES, type TableSpec } from '../tables.js';

export interface PostgresStoreOptions {
  /** A schema to work in (created if missing, set as search_path on every connection): lets tests isolate. */
  readonly schema?: string;
  readonly migrations?: readonly Migration[];
  /** Connections in the pool (default 10). */
  readonly maxConnections?: number;
}

/**
 * Opens a PostgreSQL store (a `pg` pool) and brings its schema up to date.
 * @example
 * const store = await openPostgresStore('postgres://127.0.0.1:5432/ghostwatch', { schema: 'county_430422' });
 * console.log((await store.status()).rows.payments);
 * await store.close();
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const { schema } = options;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(
      `"${schema}" is not a usable PostgreSQL schema name: use letters, digits and underscores, starting with a letter`,
    );
  }
  const pool = new pg.Pool({
    connectionString: withDefaultUser(url),
    application_name: 'ghostwatch',
    connectionTimeoutMillis: 10_000,
    max: options.maxConnections ?? 10,
    types: { getTypeParser: typeParser as typeof pg.types.getTypeParser },
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle connection that breaks is dropped from the pool; the next query reports its own error.
  pool.on('error', () => {});
  const where = describeServer(url);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(connectionFailure(error, where));
  }
  try {
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await migrate(client, options.migrations ?? MIGRATIONS);
  } catch (error) {
    client.release();
    await pool.end().catch(() => {});
    throw new Error(
      `cannot bring the PostgreSQL database at ${where} up to date (${oneLine(error)}): check the user's rights on it or pass another --db`,
    );
  }
  client.release();
  return createPostgresStore(pool, redactPassword(url));
}

const BIGINT_OID = 20;

/** BIGINT (fen, epoch ms, counts) comes back as a JS number; every such value here is a safe integer. */
function parseBigint(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`BIGINT ${text} is beyond a safe JS integer`);
  return value;
}

function typeParser(oid: number, format?: string): unknown {
  if (oid === BIGINT_OID && format !== 'binary') return parseBigint;
  return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
}

/**
 * libpq (psql) logs in as the operating-system user when the URL names none; `pg` only looks at $PGUSER and
 * $USER, which a service or container often lacks. Name that user in the URL, as libpq would.
 */
function withDefaultUser(url: string): string {
  if (process.env.PGUSER || process.env.USER) return url;
  try {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.hostname === '') return url;
    parsed.username = encodeURIComponent(userInfo().username);
    return parsed.toString();
  } catch {
    return url;
  }
}

function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    return 'the given address';
  }
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function oneLine(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const text = typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  return text.replace(/\s+/g, ' ').trim();
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function connectionFailure(error: unknown, where: string): string {
  const code = String((error as { code?: unknown }).code ?? '');
  const message = error instanceof Error ? error.message.replace(/\s+/g, ' ').trim() : String(error);
  if (NETWORK_CODES.has(code)) {
    return `cannot reach PostgreSQL at ${where} (${code}): start it or pass another --db`;
  }
  if (/timeout/i.test(message)) {
    return `cannot reach PostgreSQL at ${where} (no answer within 10 s): start it or pass another --db`;
  }
  if (code === '3D000') {
    return `PostgreSQL at ${where} has no such database (${message}): create it (createdb) or pass another --db`;
  }
  if (code === '28P01' || code === '28000') {
    return `PostgreSQL at ${where} refused the login (${message}): check the user and password in --db`;
  }
  return `cannot connect to PostgreSQL at ${where} (${oneLine(error)}): check --db and the server's log`;
}

/** Applies the missing migrations in one transaction, under an advisory lock so that two processes never both do. */
async function migrate(client: pg.PoolClient, migrations: readonly Migration[]): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(
      "SELECT pg_advisory_xact_lock(hashtext('ghostwatch.migrations.' || coalesce(current_schema(), '')))",
    );
    await client.query(MIGRATIONS_TABLE_SQL.postgres);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    for (const migration of pendingMigrations(applied, migrations)) {
      await client.query(migration.sql.postgres);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
        migration.version,
        Date.now(),
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** `?` placeholders (the shared SQL's) as PostgreSQL's `$1, $2, …`. */
function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};
const NEEDS_COPY_ESCAPE = /[\\\t\n\r]/;
const COPY_ESCAPE = /[\\\t\n\r]/g;

/**
 * One value in COPY's text format: NULL as `\N`, backslash, tab, newline and carriage return escaped.
 * @example copyText('a\tb') // 'a\\tb'
 */
export function copyText(value: SqlValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  return NEEDS_COPY_ESCAPE.test(value) ? value.replace(COPY_ESCAPE, (c) => COPY_ESCAPES[c] ?? c) : value;
}

const COPY_CHUNK_CHARS = 1 << 16;

/** The batch's rows as COPY text, numbered (the first column) so that duplicates can be resolved in order. */
function* copyChunks(spec: TableSpec<RecordKind>, records: readonly unknown[]): Generator<string> {
  let chunk = '';
  for (let seq = 0; seq < records.length; seq++) {
    const values = spec.toRow(records[seq] as never);
    let line = String(seq);
    for (const value of values) line += `\t${copyText(value)}`;
    chunk += `${line}\n`;
    if (chunk.length >= COPY_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

interface KindSql {
  readonly stage: string;
  readonly copy: string;
  readonly upsert: string;
}

/** The staging table, COPY and upsert of one kind: COPY into a temporary table, then one INSERT … SELECT. */
function kindSql(spec: TableSpec<RecordKind>): KindSql {
  const stageTable = `ghostwatch_stage_${spec.table}`;
  const columns = spec.columns.map((c) => c.name);
  const keys = spec.keyColumns.join(', ');
  // Later rows replace earlier ones; for card events the first delivery stays, as in the table.
  const order = spec.onConflict === 'replace' ? 'DESC' : 'ASC';
  return {
    stage: `CREATE TEMPORARY TABLE IF NOT EXISTS ${stageTable} (seq INTEGER NOT NULL, ${spec.columns
      .map((c) => `${c.name} ${c.type === 'integer' ? 'BIGINT' : 'TEXT'}`)
      .join(', ')}) ON COMMIT DELETE ROWS`,
    copy: `COPY ${stageTable} (seq, ${columns.join(', ')}) FROM STDIN`,
    upsert: `INSERT INTO ${spec.table} (${columns.join(', ')})
      SELECT DISTINCT ON (${keys}) ${columns.join(', ')} FROM ${stageTable} ORDER BY ${keys}, seq ${order}
      ${onConflictClause(spec, POSTGRES_DIALECT)}`,
  };
}

const INSERT_QUARANTINED = `INSERT INTO quarantine (load_id, file_key, file, kind, line, column_name, code, reason, raw)
  SELECT l.load_id, l.file_key, l.file, l.kind, q.line, q.column_name, q.code, q.reason, q.raw
  FROM loads l CROSS JOIN unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
    AS q (line, column_name, code, reason, raw)
  WHERE l.load_id = $1`;

const INSERT_FLAGS = `INSERT INTO data_quality_flags
    (load_id, file_key, file, kind, line, column_name, code, message, record_key)
  SELECT l.load_id, l.file_key, l.file, l.kind, f.line, f.column_name, f.code, f.message, f.record_key
  FROM loads l CROSS JOIN unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
    AS f (line, column_name, code, message, record_key)
  WHERE l.load_id = $1`;

const UPDATE_PROGRESS = `UPDATE loads SET through_line = $2, rows_read = rows_read + $3, rows_loaded = rows_loaded + $4,
    rows_quarantined = rows_quarantined + $5, rows_flagged = rows_flagged + $6
  WHERE load_id = $1`;

function createPostgresStore(pool: pg.Pool, location: string): Store {
  const numbered = new Map<string, string>();
  const toPg = (sql: string): string => {
    let text = numbered.get(sql);
    if (text === undefined) {
      text = numberPlaceholders(sql);
      numbered.set(sql, text);
    }
    return text;
  };

  /** Runs `work` on one pooled connection inside a transaction; rolls back and rethrows on any failure. */
  async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection that cannot even roll back is discarded rather than returned to the pool.
      client.release(broken);
    }
  }

  const executor: SqlExecutor = {
    all: async (sql, params = []) => (await pool.query(toPg(sql), [...params])).rows as Row[],
    transaction: (statements: readonly SqlStatement[]) =>
      inTransaction(async (client) => {
        let rows: Row[] = [];
        for (const { sql, params = [] } of statements)
          rows = (await client.query(toPg(sql), [...params])).rows;
        return rows;
      }),
  };

  const kindSqls = new Map<RecordKind, KindSql>();
  const sqlOf = (spec: TableSpec<RecordKind>): KindSql => {
    let sql = kindSqls.get(spec.kind);
    if (sql === undefined) {
      sql = kindSql(spec);
      kindSqls.set(spec.kind, sql);
    }
    return sql;
  };

  return {
    ...createSqlStoreCore(executor, { dialect: 'postgres', location }),
    dialect: 'postgres',
    async writeBatch<K extends RecordKind>(loadId: LoadId, batch: IngestBatch<K>): Promise<void> {
      const id = parseLoadId(loadId);
      await inTransaction(async (client) => {
        // A server crash may lose the last batches' commit, together with their progress mark: the store stays
        // consistent and a re-run reloads them. Waiting for the WAL flush on each batch would cost ~10%.
        await client.query('SET LOCAL synchronous_commit = off');
        const progress = await client.query(UPDATE_PROGRESS, [
          id,
          batch.throughLine,
          batch.records.length + batch.quarantined.length,
          batch.records.length,
          batch.quarantined.length,
          batch.flags.length,
        ]);
        if (progress.rowCount !== 1) throw new Error(`load ${loadId} is not in this store`);
        if (batch.records.length > 0) {
          const spec = TABLES[batch.kind] as unknown as TableSpec<RecordKind>;
          const sql = sqlOf(spec);
          await client.query(sql.stage);
          await pipeline(Readable.from(copyChunks(spec, batch.records)), client.query(copyFrom(sql.copy)));
          await client.query(sql.upsert);
        }
        const { quarantined, flags } = batch;
        if (quarantined.length > 0) {
          await client.query(INSERT_QUARANTINED, [
            id,
            quarantined.map((q) => q.line),
            quarantined.map((q) => q.column ?? null),
            quarantined.map((q) => q.code),
            quarantined.map((q) => q.reason),
            quarantined.map((q) => q.raw),
          ]);
        }
        if (flags.length > 0) {
          await client.query(INSERT_FLAGS, [
            id,
            flags.map((f) => f.line),
            flags.map((f) => f.column),
            flags.map((f) => f.code),
            flags.map((f) => f.message),
            flags.map((f) => f.recordKey),
          ]);
        }
      });
    },
    async close(): Promise<void> {
      if (pool.ended || pool.ending) return;
      await pool.end();
    },
  };
}

import Database from 'better-sqlite3';
import type { IngestBatch, LoadId } from '../../ingest/ports.js';
import type { RecordKind } from '../../records/enums.js';
import { onConflictClause, SQLITE_DIALECT } from '../dialect.js';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL, type Migration, pendingMigrations } from '../migrations.js';
import { createSqlStoreCore, parseLoadId, type SqlExecutor } from '../sql-store-core.js';
import type { Store } from '../store.js';
import { type Row, type SqlValue, TABLES, type TableSpec } from '../tables.js';

type Db = Database.Database;
type Statement = Database.Statement<unknown[]>;

/**
 * Opens (creating if needed) a SQLite store at a file path, in WAL mode, and brings its schema up to date.
 * @example
 * const store = await openSqliteStore('./ghostwatch.db');
 * console.log((await store.status()).rows.payments);
 * await store.close();
 */
export async function openSqliteStore(
  path: string,
  options: { readonly migrations?: readonly Migration[] } = {},
): Promise<Store> {
  const db = openDatabase(path);
  try {
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (error) {
    db.close();
    throw new Error(
      `cannot bring the SQLite database at ${path} up to date (${oneLine(error)}): restore it from a backup or pass another --db`,
    );
  }
  return createSqliteStore(db, path);
}

function openDatabase(path: string): Db {
  let db: Db | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -65536');
    return db;
  } catch (error) {
    db?.close();
    throw new Error(
      `cannot open SQLite database at ${path} (${oneLine(error)}): check that its directory exists and is writable, or pass another --db`,
    );
  }
}

function oneLine(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const text = typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  return text.replace(/\s+/g, ' ').trim();
}

/** Applies the missing migrations in one immediate transaction, so that two processes never both migrate. */
function migrate(db: Db, migrations: readonly Migration[]): void {
  db.transaction(() => {
    db.exec(MIGRATIONS_TABLE_SQL.sqlite);
    const applied = new Set(
      db
        .prepare('SELECT version FROM schema_migrations')
        .pluck()
        .all()
        .map((v) => Number(v)),
    );
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (const migration of pendingMigrations(applied, migrations)) {
      db.exec(migration.sql.sqlite);
      record.run(migration.version, Date.now());
    }
  }).immediate();
}

/** Upserts records in order, so that of two records with one key the later wins (card events: the first). */
type Upsert = (records: readonly unknown[]) => void;

/** Rows per multi-row INSERT: fewer calls into SQLite, well under its 32766 bound variables. */
const ROWS_PER_STATEMENT = 128;

function createUpsert(db: Db, spec: TableSpec<RecordKind>): Upsert {
  const columns = spec.columns.map((c) => c.name);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const sql = (rows: number) =>
    `INSERT INTO ${spec.table} (${columns.join(', ')}) VALUES ${Array(rows).fill(tuple).join(', ')}
      ${onConflictClause(spec, SQLITE_DIALECT)}`;
  const single = db.prepare<unknown[]>(sql(1));
  const many = db.prepare<unknown[]>(sql(ROWS_PER_STATEMENT));
  const width = columns.length;
  const values: SqlValue[] = new Array(width * ROWS_PER_STATEMENT);
  // SQLite applies a multi-row upsert row by row, in order: a later duplicate updates the earlier one.
  return (records) => {
    const toRow = spec.toRow as (record: unknown) => SqlValue[];
    let next = 0;
    for (; next + ROWS_PER_STATEMENT <= records.length; next += ROWS_PER_STATEMENT) {
      for (let r = 0; r < ROWS_PER_STATEMENT; r++) {
        const row = toRow(records[next + r]);
        for (let c = 0; c < width; c++) values[r * width + c] = row[c] ?? null;
      }
      many.run(values);
    }
    for (; next < records.length; next++) single.run(toRow(records[next]));
  };
}

function createSqliteStore(db: Db, location: string): Store {
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare<unknown[]>(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const runAll = (sql: string, params: readonly SqlValue[] = []): Row[] => {
    const statement = prepare(sql);
    if (statement.reader) return statement.all(...params) as Row[];
    statement.run(...params);
    return [];
  };

  const executor: SqlExecutor = {
    all: async (sql, params) => runAll(sql, params),
    transaction: async (list) => {
      let rows: Row[] = [];
      db.transaction(() => {
        for (const { sql, params } of list) rows = runAll(sql, params);
      }).immediate();
      return rows;
    },
  };

  const upserts = new Map<RecordKind, Upsert>();
  const upsertOf = (spec: TableSpec<RecordKind>): Upsert => {
    let upsert = upserts.get(spec.kind);
    if (upsert === undefined) {
      upsert = createUpsert(db, spec);
      upserts.set(spec.kind, upsert);
    }
    return upsert;
  };
  const insertQuarantined = db.prepare<unknown[]>(
    `INSERT INTO quarantine (load_id, file_key, file, kind, line, column_name, code, reason, raw)
      SELECT load_id, file_key, file, kind, ?, ?, ?, ?, ? FROM loads WHERE load_id = ?`,
  );
  const insertFlag = db.prepare<unknown[]>(
    `INSERT INTO data_quality_flags (load_id, file_key, file, kind, line, column_name, code, message, record_key)
      SELECT load_id, file_key, file, kind, ?, ?, ?, ?, ? FROM loads WHERE load_id = ?`,
  );
  const updateProgress = db.prepare<unknown[]>(
    `UPDATE loads SET through_line = ?, rows_read = rows_read + ?, rows_loaded = rows_loaded + ?,
      rows_quarantined = rows_quarantined + ?, rows_flagged = rows_flagged + ? WHERE load_id = ?`,
  );

  const writeInTransaction = db.transaction((loadId: number, batch: IngestBatch<RecordKind>) => {
    const progress = updateProgress.run(
      batch.throughLine,
      batch.records.length + batch.quarantined.length,
      batch.records.length,
      batch.quarantined.length,
      batch.flags.length,
      loadId,
    );
    if (progress.changes !== 1) throw new Error(`load ${loadId} is not in this store`);
    upsertOf(TABLES[batch.kind] as TableSpec<RecordKind>)(batch.records);
    for (const q of batch.quarantined) {
      insertQuarantined.run(q.line, q.column ?? null, q.code, q.reason, q.raw, loadId);
    }
    for (const f of batch.flags) {
      insertFlag.run(f.line, f.column, f.code, f.message, f.recordKey, loadId);
    }
  });

  return {
    ...createSqlStoreCore(executor, { dialect: 'sqlite', location }),
    dialect: 'sqlite',
    async writeBatch<K extends RecordKind>(loadId: LoadId, batch: IngestBatch<K>): Promise<void> {
      writeInTransaction.immediate(parseLoadId(loadId), batch as IngestBatch<RecordKind>);
    },
    async close(): Promise<void> {
      if (!db.open) return;
      db.pragma('optimize');
      db.close();
    },
  };
}

import { type LoadId, type LoadStart, type LoadSummary, MONITOR_REPLAY_FILE_KEY } from '../ingest/ports.js';
import { RECORD_KINDS, type RecordKind } from '../records/enums.js';
import type { RecordOf } from '../records/schemas.js';
import { createSqlAnalyticsStore } from './analytics-sql.js';
import { createSqlAuditLog } from './audit-store.js';
import { createSqlUserStore } from './auth-store.js';
import { createSqlCasesStore } from './cases-store.js';
import { createSqlDashboardReader } from './dashboard-sql.js';
import { createSqlMatchingStore } from './matching-sql.js';
import { createSqlMonitorStore } from './monitor-sql.js';
import type { SqlExecutor } from './sql-executor.js';
import type { JobRun, LoadEntry, QuarantineEntry, RecordKeyOf, Store, StoreStatus } from './store.js';
import { type Row, TABLES } from './tables.js';

/**
 * The part of the store that is the same SQL on both databases: loads, status, quarantine listing, job runs and
 * reads. Each adapter supplies an executor and its own fast `writeBatch`.
 */

export type { SqlExecutor, SqlStatement } from './sql-executor.js';

export type StoreCore = Omit<Store, 'dialect' | 'writeBatch' | 'close'>;

/** How many loads `status()` lists. */
export const STATUS_LOADS_LIMIT = 100;

/**
 * A load id as the database holds it (a positive integer); anything else is a bug in the caller.
 * @example parseLoadId('42') // 42
 */
export function parseLoadId(loadId: LoadId): number {
  const id = Number(loadId);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`"${loadId}" is not a load id of this store`);
  return id;
}

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const optNum = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : num(value);

/**
 * The last path segment, whichever separator the name was given with.
 * @example baseName('data\\2021\\payments.csv') // 'payments.csv'
 */
export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function loadEntryFromRow(row: Row): LoadEntry {
  return {
    file: String(row.file),
    kind: row.kind as RecordKind,
    startedAt: num(row.started_at),
    finishedAt: optNum(row.finished_at),
    status: row.status === 'done' ? 'done' : 'running',
    rows: num(row.rows_read),
    loaded: num(row.rows_loaded),
    quarantined: num(row.rows_quarantined),
    flagged: num(row.rows_flagged),
    throughLine: num(row.through_line),
  };
}

function jobRunFromRow(row: Row): JobRun {
  const summary = typeof row.summary === 'string' ? JSON.parse(row.summary) : row.summary;
  return {
    job: String(row.job),
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at),
    outcome: row.outcome === 'ok' ? 'ok' : 'failed',
    summary: summary as Record<string, unknown>,
  };
}

function quarantineEntryFromRow(row: Row): QuarantineEntry {
  return {
    file: String(row.file),
    kind: row.kind as RecordKind,
    line: num(row.line),
    column: row.column_name === null || row.column_name === undefined ? undefined : String(row.column_name),
    code: String(row.code),
    reason: String(row.reason),
    raw: String(row.raw),
  };
}

const ROW_COUNTS_SQL = `SELECT ${RECORD_KINDS.map(
  (kind) => `(SELECT count(*) FROM ${TABLES[kind].table}) AS ${TABLES[kind].table}`,
).join(', ')}`;

/**
 * What every write to a record table changes: each batch is written in one transaction with its load's progress
 * (`rows_read`), so the same answer means the same rows (a new or removed load changes it too).
 */
const WRITES_SIGNATURE_SQL = `SELECT count(*) AS loads, coalesce(max(load_id), 0) AS last_load,
  coalesce(sum(rows_read), 0) AS rows_read FROM loads`;

const QUARANTINE_PER_FILE_SQL = `SELECT l.file AS file, l.kind AS kind, l.file_key AS file_key, count(*) AS quarantined
FROM quarantine q JOIN loads l ON l.load_id = q.load_id
WHERE q.load_id IN (SELECT max(load_id) FROM loads GROUP BY file_key)
GROUP BY l.load_id, l.file, l.kind, l.file_key
ORDER BY l.file, l.load_id`;

const FLAGGED_ROWS_SQL = `SELECT count(*) AS flagged
FROM (SELECT DISTINCT kind, record_key FROM data_quality_flags) AS flagged_records`;

const LATEST_JOB_RUNS_SQL = `SELECT job, started_at, finished_at, outcome, summary FROM (
  SELECT job, started_at, finished_at, outcome, summary,
    row_number() OVER (PARTITION BY job ORDER BY started_at DESC, run_id DESC) AS recency
  FROM job_runs
) AS ranked WHERE recency = 1 ORDER BY job`;

/**
 * The shared part of a SQL store, over an adapter's executor.
 * @example
 * const core = createSqlStoreCore(executor, { dialect: 'sqlite', location: './ghostwatch.db' });
 * const store: Store = { ...core, dialect: 'sqlite', writeBatch, close };
 */
export function createSqlStoreCore(
  exec: SqlExecutor,
  info: { readonly dialect: 'sqlite' | 'postgres'; readonly location: string },
): StoreCore {
  // Counting every record table reads the whole store (seconds at a million pensioners, for every dashboard
  // overview): the counts are kept while no batch has been written since, which the loads table tells cheaply.
  let counted: { readonly signature: string; readonly rows: Record<RecordKind, number> } | undefined;
  const rowCounts = async (): Promise<Record<RecordKind, number>> => {
    const [writes] = await exec.all(WRITES_SIGNATURE_SQL);
    const signature = `${num(writes?.loads)}:${num(writes?.last_load)}:${num(writes?.rows_read)}`;
    if (counted?.signature === signature) return { ...counted.rows };
    const [counts] = await exec.all(ROW_COUNTS_SQL);
    const rows = Object.fromEntries(
      RECORD_KINDS.map((kind) => [kind, num(counts?.[TABLES[kind].table] ?? 0)]),
    ) as Record<RecordKind, number>;
    counted = { signature, rows };
    return { ...rows };
  };

  return {
    ...createSqlMatchingStore(exec),
    cases: createSqlCasesStore(exec),
    users: createSqlUserStore(exec),
    audit: createSqlAuditLog(exec),
    monitor: createSqlMonitorStore(exec),
    analytics: createSqlAnalyticsStore(exec),
    dashboard: createSqlDashboardReader(exec, info.dialect),
    async beginLoad(start: LoadStart): Promise<LoadId> {
      const rows = await exec.transaction([
        { sql: 'DELETE FROM quarantine WHERE file_key = ?', params: [start.fileKey] },
        { sql: 'DELETE FROM data_quality_flags WHERE file_key = ?', params: [start.fileKey] },
        {
          sql: `INSERT INTO loads (file_key, file, kind, started_at, status) VALUES (?, ?, ?, ?, 'running')
            RETURNING load_id`,
          params: [start.fileKey, start.fileName, start.kind, start.startedAt],
        },
      ]);
      return String(rows[0]?.load_id);
    },

    async finishLoad(loadId: LoadId, summary: LoadSummary): Promise<void> {
      const rows = await exec.all(
        `UPDATE loads SET status = 'done', finished_at = ?, rows_read = ?, rows_loaded = ?,
          rows_quarantined = ?, rows_flagged = ? WHERE load_id = ? RETURNING load_id`,
        [
          summary.finishedAt,
          summary.rows,
          summary.loaded,
          summary.quarantined,
          summary.flagged,
          parseLoadId(loadId),
        ],
      );
      if (rows.length !== 1) throw new Error(`load ${loadId} is not in this store`);
    },

    async status(): Promise<StoreStatus> {
      const rows = await rowCounts();
      const quarantine = (await exec.all(QUARANTINE_PER_FILE_SQL)).map((row) => ({
        file: String(row.file),
        kind: row.kind as RecordKind,
        rows: num(row.quarantined),
        loadedBy: String(row.file_key).startsWith(MONITOR_REPLAY_FILE_KEY)
          ? ('monitor --replay' as const)
          : ('ingest' as const),
      }));
      const [flagged] = await exec.all(FLAGGED_ROWS_SQL);
      const loads = (
        await exec.all('SELECT * FROM loads ORDER BY load_id DESC LIMIT ?', [STATUS_LOADS_LIMIT])
      ).map(loadEntryFromRow);
      const jobs = (await exec.all(LATEST_JOB_RUNS_SQL)).map(jobRunFromRow);
      const [version] = await exec.all('SELECT max(version) AS version FROM schema_migrations');
      return {
        store: { dialect: info.dialect, location: info.location, schemaVersion: num(version?.version ?? 0) },
        rows,
        quarantine,
        dataQualityFlags: num(flagged?.flagged ?? 0),
        loads,
        jobs,
      };
    },

    async quarantine(filter = {}): Promise<readonly QuarantineEntry[]> {
      const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
      const columns = 'file, kind, line, column_name, code, reason, raw';
      if (filter.file === undefined) {
        return (await exec.all(`SELECT ${columns} FROM quarantine ORDER BY load_id, line${limit}`)).map(
          quarantineEntryFromRow,
        );
      }
      const wanted = filter.file;
      const files = (await exec.all('SELECT DISTINCT file, file_key FROM loads'))
        .filter(
          (row) => row.file === wanted || row.file_key === wanted || baseName(String(row.file)) === wanted,
        )
        .map((row) => String(row.file));
      if (files.length === 0) return [];
      const names = [...new Set(files)];
      const rows = await exec.all(
        `SELECT ${columns} FROM quarantine WHERE file IN (${names.map(() => '?').join(', ')})
          ORDER BY load_id, line${limit}`,
        names,
      );
      return rows.map(quarantineEntryFromRow);
    },

    async recordJobRun(run: JobRun): Promise<void> {
      await exec.all(
        'INSERT INTO job_runs (job, started_at, finished_at, outcome, summary) VALUES (?, ?, ?, ?, ?)',
        [run.job, run.startedAt, run.finishedAt, run.outcome, JSON.stringify(run.summary)],
      );
    },

    async countRows(kind: RecordKind): Promise<number> {
      const [row] = await exec.all(`SELECT count(*) AS n FROM ${TABLES[kind].table}`);
      return num(row?.n ?? 0);
    },

    async findRecord<K extends RecordKind>(kind: K, key: RecordKeyOf[K]): Promise<RecordOf[K] | undefined> {
      const spec = TABLES[kind];
      const where = spec.keyColumns.map((c) => `${c} = ?`).join(' AND ');
      const [row] = await exec.all(`SELECT * FROM ${spec.table} WHERE ${where}`, spec.keyValues(key));
      return row === undefined ? undefined : spec.fromRow(row);
    },
  };
}

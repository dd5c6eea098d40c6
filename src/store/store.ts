import type { AnalyticsStore } from '../analytics/ports.js';
import type { AuditLog } from '../audit/ports.js';
import type { UserStore } from '../auth/ports.js';
import type { AlertReader, CaseStore, SuspectReader } from '../cases/ports.js';
import type { EpochMs } from '../core/time.js';
import type { IngestSink } from '../ingest/ports.js';
import type { MatchingStore } from '../matching/ports.js';
import type { MonitorStore } from '../monitor/ports.js';
import type { RecordKind } from '../records/enums.js';
import type { RecordOf } from '../records/schemas.js';
import type { DashboardReader } from './dashboard-sql.js';
import type { RecordKeyOf } from './record-key.js';

/** One quarantined row, as listed by `ghostwatch quarantine`. */
export interface QuarantineEntry {
  readonly file: string;
  readonly kind: RecordKind;
  readonly line: number;
  readonly column: string | undefined;
  readonly code: string;
  readonly reason: string;
  /** The row's text, for fixing it; shown masked unless revealed. */
  readonly raw: string;
}

export interface LoadEntry {
  readonly file: string;
  readonly kind: RecordKind;
  readonly startedAt: EpochMs;
  readonly finishedAt: EpochMs | undefined;
  /** `running` while loading, and forever after a load that was killed and not re-run. */
  readonly status: 'running' | 'done';
  readonly rows: number;
  readonly loaded: number;
  readonly quarantined: number;
  readonly flagged: number;
  /** The last line of the file written so far: how far a killed load got. */
  readonly throughLine: number;
}

export interface JobRun {
  readonly job: string;
  readonly startedAt: EpochMs;
  readonly finishedAt: EpochMs;
  readonly outcome: 'ok' | 'failed';
  /** A short machine-readable summary (JSON object). */
  readonly summary: Readonly<Record<string, unknown>>;
}

export interface StoreStatus {
  readonly store: {
    readonly dialect: 'sqlite' | 'postgres';
    readonly location: string;
    readonly schemaVersion: number;
  };
  readonly rows: Readonly<Record<RecordKind, number>>;
  /** Quarantined rows per file (latest load of each file). */
  readonly quarantine: readonly {
    readonly file: string;
    readonly kind: RecordKind;
    readonly rows: number;
    /** Which command quarantined them: a file is read by `ingest` and, for card events, by `monitor --replay` too. */
    readonly loadedBy: 'ingest' | 'monitor --replay';
  }[];
  /** Loaded rows with data-quality flags (a row with two flags counts once). */
  readonly dataQualityFlags: number;
  /** The most recent loads (at most 100), newest first. */
  readonly loads: readonly LoadEntry[];
  /** The last run of each job (match, monitor, analyze …). */
  readonly jobs: readonly JobRun[];
}

export type { RecordKeyOf } from './record-key.js';

/**
 * The whole store, as the edges (CLI, API) see it: every context's port, implemented once per database.
 * Later contexts add their ports to this intersection.
 */
export interface Store extends IngestSink, MatchingStore {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * The monitor's ports (alerts, checkpoints, stored card events, reference data), under their own name: their
   * method names (`upsert`, `load`, `save`) would be ambiguous on the whole store.
   * @example await store.monitor.upsert(alerts); const reference = await store.monitor.loadReferenceData();
   */
  readonly monitor: MonitorStore;
  /** Cases, approvals and the findings they are opened from (issue #7). */
  readonly cases: CaseStore & SuspectReader & AlertReader;
  /** Users, API tokens and sessions (issue #7). */
  readonly users: UserStore;
  /** The hash-chained audit log (issue #7). */
  readonly audit: AuditLog;
  /** Insider analytics: reads for analyze, the handler ranking, rings and anomalies (issue #6). */
  readonly analytics: AnalyticsStore;
  /** The dashboard's aggregated reads: overview, timelines, one ring, alerts with status, counts. */
  readonly dashboard: DashboardReader;
  status(): Promise<StoreStatus>;
  quarantine(filter?: {
    readonly file?: string;
    readonly limit?: number;
  }): Promise<readonly QuarantineEntry[]>;
  recordJobRun(run: JobRun): Promise<void>;
  /**
   * The number of stored records of one kind.
   * @example await store.countRows('payments') // 120000
   */
  countRows(kind: RecordKind): Promise<number>;
  /**
   * One stored record by its natural key, or undefined. Beneficiaries and deaths come back with `flags: []`:
   * their flags live in the data-quality table, not on the record.
   * @example await store.findRecord('deaths', { source: 'cremation', recordId: 'C-17' })
   */
  findRecord<K extends RecordKind>(kind: K, key: RecordKeyOf[K]): Promise<RecordOf[K] | undefined>;
  close(): Promise<void>;
}

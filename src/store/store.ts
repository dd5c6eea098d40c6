import type { EpochMs } from '../core/time.js';
import type { IngestSink } from '../ingest/ports.js';
import type { RecordKind } from '../records/enums.js';
import type {
  AccountChange,
  Beneficiary,
  CardEvent,
  Certification,
  DeathRecord,
  Handler,
  Payment,
  RecordOf,
  StatusChange,
} from '../records/schemas.js';

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
  readonly quarantine: readonly { readonly file: string; readonly kind: RecordKind; readonly rows: number }[];
  /** Loaded rows with data-quality flags (a row with two flags counts once). */
  readonly dataQualityFlags: number;
  /** The most recent loads (at most 100), newest first. */
  readonly loads: readonly LoadEntry[];
  /** The last run of each job (match, monitor, analyze …). */
  readonly jobs: readonly JobRun[];
}

/**
 * The fields of a record that make its natural key (the table's primary key, as `KIND_SPECS[kind].key` joins them).
 * A whole record is a valid key of its kind.
 */
export interface RecordKeyOf {
  handlers: Pick<Handler, 'handlerId'>;
  beneficiaries: Pick<Beneficiary, 'beneficiaryId'>;
  'account-changes': Pick<AccountChange, 'beneficiaryId' | 'changedAt' | 'newCard'>;
  'status-changes': Pick<StatusChange, 'beneficiaryId' | 'changedAt' | 'toStatus'>;
  payments: Pick<Payment, 'paymentId'>;
  deaths: Pick<DeathRecord, 'source' | 'recordId'>;
  certifications: Pick<Certification, 'certificationId'>;
  'card-events': Pick<CardEvent, 'eventId'>;
}

/**
 * The whole store, as the edges (CLI, API) see it: every context's port, implemented once per database.
 * Later contexts add their ports to this intersection.
 */
export interface Store extends IngestSink {
  readonly dialect: 'sqlite' | 'postgres';
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

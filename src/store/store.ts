import type { EpochMs } from '../core/time.js';
import type { IngestSink } from '../ingest/ports.js';
import type { RecordKind } from '../records/enums.js';

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
  /** Loaded rows with data-quality flags. */
  readonly dataQualityFlags: number;
  readonly loads: readonly LoadEntry[];
  /** The last run of each job (match, monitor, analyze …). */
  readonly jobs: readonly JobRun[];
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
  close(): Promise<void>;
}

import type { EpochMs } from '../core/time.js';
import type { RecordKind } from '../records/enums.js';
import type { RecordOf } from '../records/schemas.js';

/** What the ingest context needs from a store. The SQLite and PostgreSQL adapters in src/store implement it. */

export type LoadId = string;

/**
 * The file-key prefix of the loads `monitor --replay` makes for the lines it quarantines (src/monitor/sources/
 * replay-file.ts), so that they neither replace nor are replaced by an ingest of the same file; `status` tells
 * the two apart by it.
 */
export const MONITOR_REPLAY_FILE_KEY = 'monitor-replay:';

export interface LoadStart {
  /** Identifies the file across re-loads (its resolved absolute path): a re-load replaces its quarantine. */
  readonly fileKey: string;
  /** The name shown to people: the path as the user gave it. */
  readonly fileName: string;
  readonly kind: RecordKind;
  readonly startedAt: EpochMs;
}

/** A row that failed validation, kept with where it was and why. `raw` is the row's text (never logged). */
export interface QuarantinedRow {
  readonly line: number;
  /** The column at fault, when one is (a malformed line or invalid JSON has none). */
  readonly column: string | undefined;
  readonly code: string;
  readonly reason: string;
  readonly raw: string;
}

/** A data-quality finding on a row that was loaded (a wrong ID check character, a contradicting birth date). */
export interface FlaggedRow {
  readonly line: number;
  readonly column: string;
  readonly code: string;
  readonly message: string;
  /** The natural key of the loaded record (KIND_SPECS[kind].key). */
  readonly recordKey: string;
}

export interface IngestBatch<K extends RecordKind> {
  readonly kind: K;
  readonly records: readonly RecordOf[K][];
  readonly quarantined: readonly QuarantinedRow[];
  readonly flags: readonly FlaggedRow[];
  /** The last line of the file this batch covers: a crashed load shows how far it got. */
  readonly throughLine: number;
}

export interface LoadSummary {
  readonly finishedAt: EpochMs;
  readonly rows: number;
  readonly loaded: number;
  readonly quarantined: number;
  readonly flagged: number;
}

/**
 * The store as the ingest pipeline sees it.
 * @example
 * const id = await sink.beginLoad({ fileKey, fileName, kind: 'payments', startedAt: Date.now() });
 * await sink.writeBatch(id, { kind: 'payments', records, quarantined: [], flags: [], throughLine: 10001 });
 * await sink.finishLoad(id, { finishedAt: Date.now(), rows: 10000, loaded: 10000, quarantined: 0, flagged: 0 });
 */
export interface IngestSink {
  /** Records a load as running and forgets the quarantine and flags of earlier loads of the same file. */
  beginLoad(start: LoadStart): Promise<LoadId>;
  /**
   * Writes one batch in one transaction: records are upserted by their natural key (a corrected row replaces the
   * old one; a card event already stored is ignored), quarantined rows and flags are added. All or nothing.
   */
  writeBatch<K extends RecordKind>(loadId: LoadId, batch: IngestBatch<K>): Promise<void>;
  finishLoad(loadId: LoadId, summary: LoadSummary): Promise<void>;
}

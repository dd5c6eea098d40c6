import type { DeathSource, RecordKind } from '../records/enums.js';
import type { TextEncodingName } from './encoding.js';
import type { IngestBatch } from './ports.js';
import type { IngestProgress } from './progress.js';

/** The counts of one load, as the summary reports them. */
export interface LoadCounts {
  rows: number;
  loaded: number;
  quarantined: number;
  flagged: number;
}

/**
 * Where validated batches go: straight to the store, or to the main thread when reading and validating run in a
 * worker (then the main thread writes them, in order, while the worker reads on).
 */
export interface BatchTarget {
  /** The header was accepted: the load starts (nothing is written before this). */
  begin(): Promise<void>;
  write(batch: IngestBatch<RecordKind>): Promise<void>;
  finish(counts: LoadCounts): Promise<void>;
}

/** What reading and validating a file needs: plain data, so that it can be handed to a worker thread. */
export interface ReadOptions {
  readonly kind: RecordKind;
  readonly path: string;
  readonly encoding?: TextEncodingName | undefined;
  readonly source?: DeathSource | undefined;
  readonly batchSize?: number | undefined;
  readonly readSize?: number | undefined;
  readonly onProgress?: ((progress: IngestProgress) => void) | undefined;
}

export interface ReadOutcome {
  readonly counts: LoadCounts;
  readonly encoding: TextEncodingName;
  readonly bytesRead: number;
}

import type { CardEvent } from '../records/schemas.js';

/**
 * The engine's state as plain JSON data: what a `CheckpointStore` saves. Restoring it and re-delivering the
 * events after it gives exactly the alerts an uninterrupted run gives.
 */
export interface MonitorCheckpoint {
  readonly format: 'ghostwatch.monitor.checkpoint/1';
  readonly ruleVersion: string;
  /** Where the source had got to (a file's line number, a stream sequence), for the source to resume from. */
  readonly position: SourcePosition | null;
  readonly engine: EngineState;
}

export type SourcePosition =
  | { readonly kind: 'file'; readonly path: string; readonly line: number }
  | {
      readonly kind: 'stream';
      readonly stream: string;
      readonly consumer: string;
      readonly sequence: number;
    };

export interface EngineState {
  readonly watermark: number | null;
  readonly maxTs: number | null;
  readonly lastExpiry: number | null;
  /** The last whole day at which idle alerts were closed (absent in older checkpoints). */
  readonly lastCloseCheck?: number | null;
  readonly counters: Readonly<Record<string, number>>;
  readonly seen: readonly (readonly [string, number])[];
  /** Events accepted but not yet passed by the watermark, in processing order. */
  readonly buffered: readonly CardEvent[];
  readonly detectors: Readonly<Record<string, unknown>>;
  readonly typologies: Readonly<Record<string, unknown>>;
}

import type { Result } from '../core/result.js';
import { orderedWorkerRun, startWorker } from '../core/worker-thread.js';
import type { RecordKind } from '../records/enums.js';
import type { BatchTarget, LoadCounts, ReadOptions, ReadOutcome } from './batch-target.js';
import type { IngestBatch } from './ports.js';
import type { IngestProgress } from './progress.js';

/** Messages from the reading worker, in the order the main thread must apply them. */
export type WorkerMessage =
  | { readonly type: 'begin' }
  | { readonly type: 'batch'; readonly batch: IngestBatch<RecordKind> }
  | { readonly type: 'finish'; readonly counts: LoadCounts }
  | { readonly type: 'progress'; readonly progress: IngestProgress }
  | { readonly type: 'done'; readonly result: Result<ReadOutcome> };

export interface WorkerInput {
  readonly options: Omit<ReadOptions, 'onProgress'>;
  readonly startedAt: number;
  readonly bytesTotal: number;
}

/**
 * Reads and validates a file in a worker thread while this thread writes its batches to `target`, in order.
 * The worker runs at most two batches ahead, so memory stays bounded whatever the file size.
 */
export function readInWorker(
  options: ReadOptions,
  target: BatchTarget,
  startedAt: number,
  bytesTotal: number,
): Promise<Result<ReadOutcome>> {
  const { onProgress, ...plain } = options;
  const input: WorkerInput = { options: plain, startedAt, bytesTotal };
  const worker = startWorker(new URL('./read-worker.js', import.meta.url), input);
  const ack = () => worker.postMessage('ack');
  return orderedWorkerRun<WorkerMessage, Result<ReadOutcome>>(worker, 'the ingest worker', (message) => {
    switch (message.type) {
      case 'progress':
        onProgress?.(message.progress);
        return undefined;
      case 'begin':
        return async () => {
          await target.begin();
          ack();
        };
      case 'batch':
        return async () => {
          await target.write(message.batch);
          ack();
        };
      case 'finish':
        return async () => {
          await target.finish(message.counts);
          ack();
        };
      case 'done':
        return (finish) => finish(message.result);
      default: {
        const never: never = message;
        throw new Error(`unexpected message from the ingest worker: ${JSON.stringify(never)}`);
      }
    }
  });
}

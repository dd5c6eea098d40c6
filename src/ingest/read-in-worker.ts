import type { Result } from '../core/result.js';
import { startWorker } from '../core/worker-thread.js';
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
  return new Promise((resolve, reject) => {
    let settled = false;
    let chain: Promise<void> = Promise.resolve();
    const stop = (error: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(error);
    };
    const then = (step: () => Promise<void> | void) => {
      chain = chain.then(step);
      chain.catch(stop);
    };
    const ack = () => worker.postMessage('ack');
    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'progress':
          onProgress?.(message.progress);
          break;
        case 'begin':
          then(async () => {
            await target.begin();
            ack();
          });
          break;
        case 'batch':
          then(async () => {
            await target.write(message.batch);
            ack();
          });
          break;
        case 'finish':
          then(async () => {
            await target.finish(message.counts);
            ack();
          });
          break;
        case 'done':
          then(() => {
            settled = true;
            void worker.terminate();
            resolve(message.result);
          });
          break;
        default: {
          const never: never = message;
          stop(new Error(`unexpected message from the ingest worker: ${JSON.stringify(never)}`));
        }
      }
    });
    worker.on('error', stop);
    worker.on('exit', (code) => {
      if (!settled) then(() => stop(new Error(`the ingest worker stopped unexpectedly (exit code ${code})`)));
    });
  });
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Result } from '../core/result.js';
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
 * Starts the worker: the compiled JavaScript beside this file, or, when running from the TypeScript sources (the
 * tests), the source through tsx's loader registered inside the worker.
 */
function startWorker(input: WorkerInput): Worker {
  const compiled = new URL('./read-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData: input });
  const source = new URL('./read-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: input });
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
  const worker = startWorker(input);
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

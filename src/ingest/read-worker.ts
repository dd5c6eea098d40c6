import { parentPort, workerData } from 'node:worker_threads';
import type { BatchTarget } from './batch-target.js';
import { readFileInto } from './ingest-file.js';
import type { WorkerInput, WorkerMessage } from './read-in-worker.js';

/** The reading side of a worker load: reads and validates, posting batches; at most two unacknowledged. */
const MAX_IN_FLIGHT = 2;
const port = parentPort!;
const input = workerData as WorkerInput;

let inFlight = 0;
const waiting: (() => void)[] = [];
port.on('message', () => {
  inFlight--;
  waiting.shift()?.();
});

async function send(message: WorkerMessage): Promise<void> {
  inFlight++;
  port.postMessage(message);
  while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
}

const target: BatchTarget = {
  begin: () => send({ type: 'begin' }),
  write: (batch) => send({ type: 'batch', batch }),
  finish: (counts) => send({ type: 'finish', counts }),
};

const result = await readFileInto(
  {
    ...input.options,
    onProgress: (progress) => port.postMessage({ type: 'progress', progress } satisfies WorkerMessage),
  },
  target,
  input.startedAt,
  input.bytesTotal,
);
port.postMessage({ type: 'done', result } satisfies WorkerMessage);
port.unref();

import { parentPort, workerData } from 'node:worker_threads';
import { type ReaderInput, runReaderWorker } from './replay-reader.js';

/** The reading side of a replay in its own thread: reads, splits, validates, posts columnar batches. */
const port = parentPort!;
await runReaderWorker(workerData as ReaderInput, port);
port.unref();

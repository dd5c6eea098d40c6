import { open } from 'node:fs/promises';
import { orderedWorkerRun, startWorker } from '../../core/worker-thread.js';
import { BatchBuilder, type EventBatch, transferablesOf } from './event-columns.js';

/** What the reading side needs to know. */
export interface ReaderInput {
  readonly path: string;
  /** Lines up to this number are covered by the checkpoint: their events are left out. */
  readonly skipThrough: number;
  /** Validate the skipped lines anyway (to quarantine the invalid ones). */
  readonly validateSkipped: boolean;
}

/** Messages from the reading worker. */
export type ReaderMessage =
  | { readonly type: 'batch'; readonly batch: EventBatch }
  | { readonly type: 'error'; readonly message: string };

/** The chunk read at a time: the chunks `forEachLine` reads, so batches end where its batches end. */
const CHUNK = 1 << 20;

/**
 * Reads a card_events.jsonl file into batches, one per 1 MiB chunk (lines split as `forEachLine` splits them: BOM
 * dropped, LF or CRLF, a last line without a line break), awaiting `onBatch` for each.
 */
export async function readEventBatches(
  input: ReaderInput,
  onBatch: (batch: EventBatch) => Promise<void> | void,
): Promise<void> {
  const file = await open(input.path, 'r');
  try {
    const builder = new BatchBuilder();
    let buf = Buffer.allocUnsafe(CHUNK * 2);
    let carry = 0;
    let bytesRead = 0;
    let line = 0;
    let first = true;
    const { skipThrough, validateSkipped } = input;
    for (;;) {
      if (carry + CHUNK > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, carry + CHUNK));
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const { bytesRead: got } = await file.read(buf, carry, CHUNK, null);
      if (got === 0) break;
      bytesRead += got;
      const end = carry + got;
      let start = 0;
      if (first) {
        first = false;
        if (end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
      }
      const view = buf.subarray(0, end);
      for (let nl = view.indexOf(10, start); nl !== -1; nl = view.indexOf(10, start)) {
        const lineEnd = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
        line++;
        const keep = line > skipThrough;
        if (keep || validateSkipped) builder.line(buf, start, lineEnd, line, keep);
        start = nl + 1;
      }
      carry = end - start;
      buf.copy(buf, 0, start, end);
      await onBatch(builder.take(line, bytesRead, false));
    }
    if (carry > 0) {
      const lineEnd = buf[carry - 1] === 13 ? carry - 1 : carry;
      if (lineEnd > 0) {
        line++;
        const keep = line > skipThrough;
        if (keep || validateSkipped) builder.line(buf, 0, lineEnd, line, keep);
      }
    }
    await onBatch(builder.take(line, bytesRead, true));
  } finally {
    await file.close();
  }
}

/** Batches posted ahead of the engine: the reader stays at most this far ahead (bounded memory). */
const MAX_IN_FLIGHT = 4;

/**
 * `readEventBatches` in a worker thread: the file is read, split and validated there while this thread runs
 * `onBatch` over the previous batches, in order. Resolves after the final batch.
 */
export function readEventBatchesInWorker(
  input: ReaderInput,
  onBatch: (batch: EventBatch) => Promise<void> | void,
): Promise<void> {
  const worker = startWorker(new URL('./replay-reader-worker.js', import.meta.url), input);
  return orderedWorkerRun<ReaderMessage, void>(worker, 'the replay reader', (message) => {
    if (message.type === 'error') {
      return () => {
        throw new Error(message.message);
      };
    }
    const { batch } = message;
    return async (finish) => {
      await onBatch(batch);
      worker.postMessage('ack');
      if (batch.final) finish();
    };
  });
}

/** The worker's side (called by replay-reader-worker.ts). */
export async function runReaderWorker(
  input: ReaderInput,
  port: {
    postMessage(message: ReaderMessage, transfer?: ArrayBuffer[]): void;
    on(event: 'message', listener: () => void): void;
  },
): Promise<void> {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  port.on('message', () => {
    inFlight--;
    waiting.shift()?.();
  });
  try {
    await readEventBatches(input, async (batch) => {
      inFlight++;
      port.postMessage({ type: 'batch', batch }, transferablesOf(batch));
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
    });
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Card events are produced beneficiary by beneficiary but must be written in delivery order. Each event is
 * appended to a temporary file for its delivery hour; at the end the hours are sorted one at a time, so memory
 * holds one hour of events (a payday morning at 10M pensioners stays small), never the whole stream.
 */
export interface EventBuckets {
  /** Adds an event line, keyed by its delivery time; `fraud` events are never damaged by noise. */
  add(deliveryMs: number, json: string, fraud: boolean): void;
  /** Calls `emit` with every event in delivery order (ties in insertion order), then removes the temporary files. */
  drain(emit: (json: string, fraud: boolean) => void): void;
  readonly count: number;
}

/** One bucket an hour of delivery time; each bucket's buffer is flushed to its file at 4 KiB. */
const BUCKET_MS = 3_600_000;
const FLUSH_AT = 1 << 12;

export function createEventBuckets(dir: string, startMs: number): EventBuckets {
  mkdirSync(dir, { recursive: true });
  const buffers = new Map<number, string>();
  const used = new Set<number>();
  let sequence = 0;
  const fileOf = (bucket: number) => join(dir, `hour-${String(bucket).padStart(6, '0')}.tsv`);
  const flush = (bucket: number) => {
    const text = buffers.get(bucket);
    if (!text) return;
    appendFileSync(fileOf(bucket), text);
    buffers.set(bucket, '');
  };
  return {
    add(deliveryMs, json, fraud) {
      const bucket = Math.max(0, Math.floor((deliveryMs - startMs) / BUCKET_MS));
      used.add(bucket);
      const line = `${deliveryMs}\t${sequence++}\t${fraud ? 1 : 0}\t${json}\n`;
      const text = (buffers.get(bucket) ?? '') + line;
      buffers.set(bucket, text);
      if (text.length >= FLUSH_AT) flush(bucket);
    },
    drain(emit) {
      for (const bucket of [...used].sort((a, b) => a - b)) {
        flush(bucket);
        const lines = readFileSync(fileOf(bucket), 'utf8').split('\n');
        const entries: { ms: number; seq: number; fraud: boolean; json: string }[] = [];
        for (const line of lines) {
          if (line.length === 0) continue;
          const a = line.indexOf('\t');
          const b = line.indexOf('\t', a + 1);
          entries.push({
            ms: Number(line.slice(0, a)),
            seq: Number(line.slice(a + 1, b)),
            fraud: line.charCodeAt(b + 1) === 49,
            json: line.slice(b + 3),
          });
        }
        entries.sort((x, y) => x.ms - y.ms || x.seq - y.seq);
        for (const e of entries) emit(e.json, e.fraud);
        rmSync(fileOf(bucket));
        buffers.delete(bucket);
      }
      rmSync(dir, { recursive: true, force: true });
    },
    get count() {
      return sequence;
    },
  };
}

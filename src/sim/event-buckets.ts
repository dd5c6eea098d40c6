import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Card events are produced beneficiary by beneficiary but must be written in delivery order. Each event is
 * appended to a temporary file for its delivery day; at the end the days are sorted one at a time, so memory holds
 * one day of events, never the whole stream.
 */
export interface EventBuckets {
  /** Adds an event line, keyed by its delivery time; `fraud` events are never damaged by noise. */
  add(deliveryMs: number, json: string, fraud: boolean): void;
  /** Calls `emit` with every event in delivery order (ties in insertion order), then removes the temporary files. */
  drain(emit: (json: string, fraud: boolean) => void): void;
  readonly count: number;
}

const DAY_MS = 86_400_000;
const FLUSH_AT = 1 << 14;

export function createEventBuckets(dir: string, startMs: number): EventBuckets {
  mkdirSync(dir, { recursive: true });
  const buffers = new Map<number, string>();
  const used = new Set<number>();
  let sequence = 0;
  const fileOf = (day: number) => join(dir, `day-${String(day).padStart(5, '0')}.tsv`);
  const flush = (day: number) => {
    const text = buffers.get(day);
    if (!text) return;
    appendFileSync(fileOf(day), text);
    buffers.set(day, '');
  };
  return {
    add(deliveryMs, json, fraud) {
      const day = Math.max(0, Math.floor((deliveryMs - startMs) / DAY_MS));
      used.add(day);
      const line = `${deliveryMs}\t${sequence++}\t${fraud ? 1 : 0}\t${json}\n`;
      const text = (buffers.get(day) ?? '') + line;
      buffers.set(day, text);
      if (text.length >= FLUSH_AT) flush(day);
    },
    drain(emit) {
      for (const day of [...used].sort((a, b) => a - b)) {
        flush(day);
        const lines = readFileSync(fileOf(day), 'utf8').split('\n');
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
        rmSync(fileOf(day));
        buffers.delete(day);
      }
      rmSync(dir, { recursive: true, force: true });
    },
    get count() {
      return sequence;
    },
  };
}

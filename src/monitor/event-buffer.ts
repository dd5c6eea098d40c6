import type { CardEvent } from '../records/schemas.js';

/** (ts, event_id) order: the one order in which the engine processes events, whatever order they arrived in. */
export function compareEvents(a: CardEvent, b: CardEvent): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/**
 * A binary min-heap of events in (ts, event_id) order: the events waiting for the watermark to pass them.
 * @example
 * const buffer = createEventBuffer();
 * buffer.push(event);
 * while (buffer.peek() !== undefined && buffer.peek()!.ts < watermark) process(buffer.pop()!);
 */
export interface EventBuffer {
  push(event: CardEvent): void;
  peek(): CardEvent | undefined;
  pop(): CardEvent | undefined;
  readonly size: number;
  /** The buffered events in processing order (for checkpoints). */
  sorted(): CardEvent[];
}

export function createEventBuffer(): EventBuffer {
  const heap: CardEvent[] = [];
  return {
    push(event) {
      heap.push(event);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const p = heap[parent]!;
        if (compareEvents(p, event) <= 0) break;
        heap[i] = p;
        i = parent;
      }
      heap[i] = event;
    },
    peek: () => heap[0],
    pop() {
      const top = heap[0];
      const last = heap.pop();
      if (top === undefined || last === undefined || heap.length === 0) return top;
      const n = heap.length;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && compareEvents(heap[right]!, heap[left]!) < 0 ? right : left;
        if (compareEvents(heap[child]!, last) >= 0) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
      return top;
    },
    get size() {
      return heap.length;
    },
    sorted: () => [...heap].sort(compareEvents),
  };
}

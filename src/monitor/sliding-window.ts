/**
 * Distinct keys (cards) seen in a sliding event-time window `(now - windowMs, now]`, with the events that are in
 * it: the count behind the multi-card detector. Events must be added in timestamp order.
 * @example
 * const w = createSlidingWindow(30 * 60_000);
 * w.add(t, '6217…', 'E1'); w.distinct // 1
 */
export interface SlidingWindow {
  /** Adds an event and drops those that fell out of the window; returns true when `key` is new to the window. */
  add(ts: number, key: string, eventId: string): boolean;
  /** Drops events at or before `now - windowMs`. */
  evict(now: number): void;
  clear(): void;
  readonly distinct: number;
  readonly size: number;
  readonly lastTs: number;
  /** Distinct keys in the window. */
  keys(): string[];
  eventIds(): string[];
  /** Visits events newest first until `visit` returns false. */
  forEachNewestFirst(visit: (key: string, eventId: string, ts: number) => boolean): void;
  snapshot(): SlidingWindowState;
}

export interface SlidingWindowState {
  readonly ts: number[];
  readonly keys: string[];
  readonly ids: string[];
}

// A class rather than closures: one window per active terminal, created often, so methods live on the prototype.
class ArrayWindow implements SlidingWindow {
  // Parallel arrays holding the events [head, end): no per-event object, and the arrays keep their capacity
  // when the window empties or is recycled (a busy terminal fills the same arrays again, no reallocation).
  private ts: number[] = [];
  private ks: string[] = [];
  private ids: string[] = [];
  private head = 0;
  private end = 0;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    state?: SlidingWindowState,
  ) {
    if (state) {
      this.ts = [...state.ts];
      this.ks = [...state.keys];
      this.ids = [...state.ids];
      this.end = this.ts.length;
      for (const k of this.ks) this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    }
  }

  add(t: number, key: string, eventId: string): boolean {
    this.evict(t);
    const i = this.end++;
    if (i < this.ts.length) {
      this.ts[i] = t;
      this.ks[i] = key;
      this.ids[i] = eventId;
    } else {
      this.ts.push(t);
      this.ks.push(key);
      this.ids.push(eventId);
    }
    const c = this.counts.get(key);
    this.counts.set(key, (c ?? 0) + 1);
    return c === undefined;
  }

  evict(now: number): void {
    const limit = now - this.windowMs;
    const { ts, ks, counts, end } = this;
    let head = this.head;
    while (head < end && ts[head]! <= limit) {
      const k = ks[head]!;
      const c = counts.get(k)! - 1;
      if (c === 0) counts.delete(k);
      else counts.set(k, c);
      head++;
    }
    this.head = head;
    if (head === end && head > 0) {
      this.clear();
    } else if (head > 64 && head * 2 > end) {
      // Move the live events to the front, in place.
      ts.copyWithin(0, head, end);
      ks.copyWithin(0, head, end);
      this.ids.copyWithin(0, head, end);
      this.end = end - head;
      this.head = 0;
      this.forget(this.end, end);
    }
  }

  /** Drops the references held in [from, to) (they are outside the window), keeping the capacity. */
  private forget(from: number, to: number): void {
    this.ks.fill('', from, to);
    this.ids.fill('', from, to);
  }

  clear(): void {
    this.forget(0, this.end);
    this.head = 0;
    this.end = 0;
    this.counts.clear();
  }

  get distinct(): number {
    return this.counts.size;
  }

  get size(): number {
    return this.end - this.head;
  }

  get lastTs(): number {
    return this.end > this.head ? this.ts[this.end - 1]! : Number.NEGATIVE_INFINITY;
  }

  keys(): string[] {
    return [...this.counts.keys()];
  }

  eventIds(): string[] {
    return this.ids.slice(this.head, this.end);
  }

  forEachNewestFirst(visit: (key: string, eventId: string, ts: number) => boolean): void {
    for (let i = this.end - 1; i >= this.head; i--) {
      if (!visit(this.ks[i]!, this.ids[i]!, this.ts[i]!)) return;
    }
  }

  snapshot(): SlidingWindowState {
    return {
      ts: this.ts.slice(this.head, this.end),
      keys: this.ks.slice(this.head, this.end),
      ids: this.ids.slice(this.head, this.end),
    };
  }
}

export function createSlidingWindow(windowMs: number, state?: SlidingWindowState): SlidingWindow {
  return new ArrayWindow(windowMs, state);
}

/**
 * Spare windows for a detector's terminals: a terminal goes quiet (its state expires) and another becomes busy
 * all day long, so windows are recycled rather than allocated (with their Map) for each busy spell.
 * @example
 * const pool = createWindowPool(windowMs);
 * const w = pool.take();   // empty
 * pool.give(w);            // cleared, kept for the next take (up to a bound)
 */
export interface WindowPool {
  take(): SlidingWindow;
  give(window: SlidingWindow): void;
}

export function createWindowPool(windowMs: number, max = 1024): WindowPool {
  const spare: SlidingWindow[] = [];
  return {
    take: () => spare.pop() ?? createSlidingWindow(windowMs),
    give(window) {
      if (spare.length >= max) return;
      window.clear();
      spare.push(window);
    },
  };
}

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
  // Parallel arrays with a moving head: no per-event object.
  private ts: number[] = [];
  private ks: string[] = [];
  private ids: string[] = [];
  private head = 0;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    state?: SlidingWindowState,
  ) {
    if (state) {
      this.ts = [...state.ts];
      this.ks = [...state.keys];
      this.ids = [...state.ids];
      for (const k of this.ks) this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    }
  }

  add(t: number, key: string, eventId: string): boolean {
    this.evict(t);
    this.ts.push(t);
    this.ks.push(key);
    this.ids.push(eventId);
    const c = this.counts.get(key);
    this.counts.set(key, (c ?? 0) + 1);
    return c === undefined;
  }

  evict(now: number): void {
    const limit = now - this.windowMs;
    const { ts, ks, counts } = this;
    let head = this.head;
    while (head < ts.length && ts[head]! <= limit) {
      const k = ks[head]!;
      const c = counts.get(k)! - 1;
      if (c === 0) counts.delete(k);
      else counts.set(k, c);
      head++;
    }
    this.head = head;
    if (head === ts.length && head > 0) {
      this.clear();
    } else if (head > 64 && head * 2 > ts.length) {
      this.ts = ts.slice(head);
      this.ks = ks.slice(head);
      this.ids = this.ids.slice(head);
      this.head = 0;
    }
  }

  clear(): void {
    this.ts.length = 0;
    this.ks.length = 0;
    this.ids.length = 0;
    this.head = 0;
    this.counts.clear();
  }

  get distinct(): number {
    return this.counts.size;
  }

  get size(): number {
    return this.ts.length - this.head;
  }

  get lastTs(): number {
    return this.ts.length > this.head ? this.ts[this.ts.length - 1]! : Number.NEGATIVE_INFINITY;
  }

  keys(): string[] {
    return [...this.counts.keys()];
  }

  eventIds(): string[] {
    return this.ids.slice(this.head);
  }

  forEachNewestFirst(visit: (key: string, eventId: string, ts: number) => boolean): void {
    for (let i = this.ts.length - 1; i >= this.head; i--) {
      if (!visit(this.ks[i]!, this.ids[i]!, this.ts[i]!)) return;
    }
  }

  snapshot(): SlidingWindowState {
    return { ts: this.ts.slice(this.head), keys: this.ks.slice(this.head), ids: this.ids.slice(this.head) };
  }
}

export function createSlidingWindow(windowMs: number, state?: SlidingWindowState): SlidingWindow {
  return new ArrayWindow(windowMs, state);
}

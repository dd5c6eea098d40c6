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

/** Distinct keys kept in two small arrays up to this many; beyond, in a Map (until the window is cleared). */
const SMALL_DISTINCT = 16;

// A class rather than closures: one window per active terminal, created often, so methods live on the prototype.
class ArrayWindow implements SlidingWindow {
  // Parallel arrays holding the events [head, end): no per-event object, and the arrays keep their capacity
  // when the window empties or is recycled (a busy terminal fills the same arrays again, no reallocation).
  private ts: number[] = [];
  private ks: string[] = [];
  private ids: string[] = [];
  private head = 0;
  private end = 0;
  // The count of each distinct key, in the order a Map would keep them (a key goes last when it (re)enters the
  // window): while they are few (most terminals hold one or two cards at a time), in two arrays, where a Map
  // would allocate a new table on every clear and every few deletions; beyond SMALL_DISTINCT, in a Map.
  // The arrays never shrink (V8 would drop their storage and allocate it again): [0, dn) is in use.
  private dk: string[] = [];
  private dc: number[] = [];
  private dn = 0;
  private counts: Map<string, number> | null = null;

  constructor(
    private readonly windowMs: number,
    state?: SlidingWindowState,
  ) {
    if (state) {
      this.ts = [...state.ts];
      this.ks = [...state.keys];
      this.ids = [...state.ids];
      this.end = this.ts.length;
      for (const k of this.ks) this.increment(k);
    }
  }

  /** Counts one more event of `key`; true when the key is new to the window. */
  private increment(key: string): boolean {
    const counts = this.counts;
    if (counts !== null) {
      const c = counts.get(key);
      counts.set(key, (c ?? 0) + 1);
      return c === undefined;
    }
    const { dk, dc } = this;
    const n = this.dn;
    for (let i = 0; i < n; i++) {
      if (dk[i] === key) {
        dc[i]!++;
        return false;
      }
    }
    if (n >= SMALL_DISTINCT) {
      const map = new Map<string, number>();
      for (let i = 0; i < n; i++) map.set(dk[i]!, dc[i]!);
      map.set(key, 1);
      this.counts = map;
      dk.fill('', 0, n);
      this.dn = 0;
      return true;
    }
    if (n < dk.length) {
      dk[n] = key;
      dc[n] = 1;
    } else {
      dk.push(key);
      dc.push(1);
    }
    this.dn = n + 1;
    return true;
  }

  /** Counts one event of `key` less (it left the window). */
  private decrement(key: string): void {
    const counts = this.counts;
    if (counts !== null) {
      const c = counts.get(key)! - 1;
      if (c === 0) counts.delete(key);
      else counts.set(key, c);
      return;
    }
    const { dk, dc } = this;
    const n = this.dn;
    for (let i = 0; i < n; i++) {
      if (dk[i] !== key) continue;
      if (--dc[i]! > 0) return;
      // Gone from the window: removed in place, the others keep their order.
      for (let j = i + 1; j < n; j++) {
        dk[j - 1] = dk[j]!;
        dc[j - 1] = dc[j]!;
      }
      dk[n - 1] = '';
      this.dn = n - 1;
      return;
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
    return this.increment(key);
  }

  evict(now: number): void {
    const limit = now - this.windowMs;
    const { ts, ks, end } = this;
    let head = this.head;
    while (head < end && ts[head]! <= limit) {
      this.decrement(ks[head]!);
      head++;
    }
    this.head = head;
    if (head === end && head > 0) {
      // Every key's count reached 0 and was removed: the counts are empty already.
      this.forget(0, end);
      this.head = 0;
      this.end = 0;
      this.counts = null;
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
    // A loop rather than `fill`: the range is a few events, far less than the builtin's call costs.
    const { ks, ids } = this;
    for (let i = from; i < to; i++) {
      ks[i] = '';
      ids[i] = '';
    }
  }

  clear(): void {
    this.forget(0, this.end);
    this.head = 0;
    this.end = 0;
    const dk = this.dk;
    for (let i = 0; i < this.dn; i++) dk[i] = '';
    this.dn = 0;
    this.counts = null;
  }

  get distinct(): number {
    return this.counts !== null ? this.counts.size : this.dn;
  }

  get size(): number {
    return this.end - this.head;
  }

  get lastTs(): number {
    return this.end > this.head ? this.ts[this.end - 1]! : Number.NEGATIVE_INFINITY;
  }

  keys(): string[] {
    return this.counts !== null ? [...this.counts.keys()] : this.dk.slice(0, this.dn);
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

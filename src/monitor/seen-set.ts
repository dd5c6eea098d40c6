/**
 * The duplicate filter: event ids with their event time, swept at most once per `sweepIntervalMs`. A plain
 * Map of id → ts (no per-event wrapper object) because it takes every event.
 * @example
 * const seen = createSeenSet(60_000);
 * seen.add('E1', ts); seen.has('E1') // true
 */
export interface SeenSet {
  has(id: string): boolean;
  add(id: string, ts: number): void;
  /** Forgets ids whose event time is before `before`, if a sweep is due. */
  expire(before: number): void;
  readonly size: number;
  /**
   * The ids whose event time is at or after `from` (all without it): those a sweep at `from` would keep. A
   * checkpoint leaves the rest out: an older re-delivery is older than the watermark and dropped as late anyway.
   */
  snapshot(from?: number): [string, number][];
  restore(entries: readonly (readonly [string, number])[]): void;
}

export function createSeenSet(sweepIntervalMs: number): SeenSet {
  const map = new Map<string, number>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  let sweepBefore = 0;
  // Swept every few seconds of event time: forEach with one callback, no array per entry.
  const sweepOne = (ts: number, id: string) => {
    if (ts < sweepBefore) map.delete(id);
  };
  return {
    has: (id) => map.has(id),
    add(id, ts) {
      map.set(id, ts);
    },
    expire(before) {
      if (before - lastSweep < sweepIntervalMs) return;
      lastSweep = before;
      sweepBefore = before;
      map.forEach(sweepOne);
    },
    get size() {
      return map.size;
    },
    snapshot(from = Number.NEGATIVE_INFINITY) {
      const out: [string, number][] = [];
      map.forEach((ts, id) => {
        if (ts >= from) out.push([id, ts]);
      });
      return out;
    },
    restore(entries) {
      map.clear();
      for (const [id, ts] of entries) map.set(id, ts);
    },
  };
}

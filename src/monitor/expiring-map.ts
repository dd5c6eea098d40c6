/**
 * A Map whose entries expire when they have not been touched for a while. Touching an entry only rewrites its
 * timestamp (one lookup, no reordering); `expire` sweeps the whole map, but at most once per `sweepIntervalMs`,
 * so its cost is amortised over many events while memory stays within a fraction of the live entries.
 * Detectors check ages exactly themselves: when an entry is swept never changes a result.
 * @example
 * const lastSeen = createExpiringMap<number>(3_600_000);
 * lastSeen.touch('card', 1000, 1000);
 * lastSeen.expire(5000); // may remove entries last touched before 5000
 */
export interface ExpiringMap<V> {
  get(key: string): V | undefined;
  /**
   * The value, marked as touched at `at`: `get` then `touch` with the same value, in one look-up (a detector's
   * per-event step). Undefined when absent, and nothing is marked.
   */
  getAndTouch(key: string, at: number): V | undefined;
  has(key: string): boolean;
  /** Sets the value and marks the entry as touched at `at`. */
  touch(key: string, value: V, at: number): void;
  delete(key: string): void;
  /** Removes entries touched before `before`, if a sweep is due. */
  expire(before: number): void;
  readonly size: number;
  entries(): IterableIterator<[string, V]>;
  /** JSON form: [key, value, touchedAt] triples. */
  snapshot(): [string, V, number][];
  restore(triples: readonly (readonly [string, V, number])[]): void;
}

interface Slot<V> {
  value: V;
  at: number;
}

/**
 * @param onExpired called with each value a sweep removes: a detector can recycle what it held (the windows
 * of terminals that went quiet) instead of allocating afresh for the next busy one.
 */
export function createExpiringMap<V>(sweepIntervalMs = 0, onExpired?: (value: V) => void): ExpiringMap<V> {
  const map = new Map<string, Slot<V>>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  let sweepBefore = 0;
  // The slots of swept entries, for the next new keys: a quiet terminal's entry is swept between two of its
  // events, and would otherwise cost a new slot on nearly every event.
  const spare: Slot<V>[] = [];
  // forEach with one callback made once, rather than `for (const [k, v] of map)`: the sweep runs every few
  // minutes of event time over every entry, and destructuring allocates an array per entry.
  const sweepOne = (slot: Slot<V>, key: string) => {
    if (slot.at < sweepBefore) {
      map.delete(key);
      onExpired?.(slot.value);
      if (spare.length < MAX_SPARE_SLOTS) {
        slot.value = undefined as V;
        spare.push(slot);
      }
    }
  };
  return {
    get: (key) => map.get(key)?.value,
    getAndTouch(key, at) {
      const slot = map.get(key);
      if (slot === undefined) return undefined;
      slot.at = at;
      return slot.value;
    },
    has: (key) => map.has(key),
    touch(key, value, at) {
      const slot = map.get(key);
      if (slot !== undefined) {
        slot.value = value;
        slot.at = at;
      } else {
        const reused = spare.pop();
        if (reused !== undefined) {
          reused.value = value;
          reused.at = at;
          map.set(key, reused);
        } else {
          map.set(key, { value, at });
        }
      }
    },
    delete(key) {
      map.delete(key);
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
    *entries() {
      for (const [key, slot] of map) yield [key, slot.value];
    },
    snapshot: () => Array.from(map, ([key, slot]) => [key, slot.value, slot.at]),
    restore(triples) {
      map.clear();
      for (const [key, value, at] of triples) map.set(key, { value, at });
    },
  };
}

/** Slots kept for reuse after a sweep. */
const MAX_SPARE_SLOTS = 1024;

/** A sweep interval for a retention: an eighth of it, so that swept state is at most ~12% over the live. */
export const sweepIntervalFor = (retentionMs: number): number => retentionMs / 8;

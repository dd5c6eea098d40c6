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

export function createExpiringMap<V>(sweepIntervalMs = 0): ExpiringMap<V> {
  const map = new Map<string, Slot<V>>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  return {
    get: (key) => map.get(key)?.value,
    has: (key) => map.has(key),
    touch(key, value, at) {
      const slot = map.get(key);
      if (slot !== undefined) {
        slot.value = value;
        slot.at = at;
      } else {
        map.set(key, { value, at });
      }
    },
    delete(key) {
      map.delete(key);
    },
    expire(before) {
      if (before - lastSweep < sweepIntervalMs) return;
      lastSweep = before;
      for (const [key, slot] of map) if (slot.at < before) map.delete(key);
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

/** A sweep interval for a retention: an eighth of it, so that swept state is at most ~12% over the live. */
export const sweepIntervalFor = (retentionMs: number): number => retentionMs / 8;

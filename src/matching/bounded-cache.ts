/**
 * A cache of at most `limit` entries in two generations: entries are set in the young one; when it is half full it
 * becomes the old one (the previous old one is dropped) and an entry read from the old one moves back to the young.
 * Every operation O(1) (deleting a Map's oldest entry one at a time is not: its iterator walks the deleted slots).
 * @example const cache = boundedCache<string, number>(1000); cache.set('a', 1); cache.get('a') // 1
 */
export function boundedCache<K, V>(limit: number) {
  const half = Math.max(1, Math.floor(limit / 2));
  let young = new Map<K, V>();
  let old = new Map<K, V>();
  const set = (key: K, value: V) => {
    if (young.size >= half) {
      old = young;
      young = new Map();
    }
    young.set(key, value);
  };
  return {
    get(key: K): V | undefined {
      const hit = young.get(key);
      if (hit !== undefined) return hit;
      const aged = old.get(key);
      if (aged !== undefined) set(key, aged);
      return aged;
    },
    set,
  };
}

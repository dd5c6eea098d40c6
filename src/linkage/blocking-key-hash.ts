/**
 * A blocking key as a non-negative 52-bit integer (a safe JS integer, a SQL BIGINT): the rule's index and its key
 * hashed together (two 32-bit FNV-1a variants), so that one indexed integer column holds every rule's keys.
 * A collision only adds a candidate, which the caller re-checks against the rule's real key.
 * @example blockingKeyHash(0, '11010519491231002X') // e.g. 3170151848551963
 */
export function blockingKeyHash(rule: number, key: string): number {
  let a = 0x811c9dc5 ^ rule;
  let b = 0x01000193 ^ (rule * 0x9e3779b1);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

/**
 * A second, independent 32-bit hash of a key (murmur-style mixing, another seed), to tell apart two keys whose
 * `blockingKeyHash` collides when the batch blocks by hash alone.
 * @example blockingKeyCheck('wang|19491231') !== blockingKeyCheck('li|19491231')
 */
export function blockingKeyCheck(key: string): number {
  let h = 0x2f1b3c4d ^ key.length;
  for (let i = 0; i < key.length; i++) {
    h = Math.imul(h ^ key.charCodeAt(i), 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
    h = Math.imul(h, 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

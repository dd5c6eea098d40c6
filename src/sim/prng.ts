/**
 * A small seeded pseudo-random generator (xoshiro128**), so that a county is the same for the same seed on every
 * machine. `Math.random` is never used by the simulator.
 * @example const rng = createRng(seedFor(42, 'village', 7)); rng.int(1, 6)
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight from a cumulative table built with `cumulative`. */
  pickWeighted<T>(table: WeightedTable<T>): T;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Log-normal with the given median and log-scale sigma. */
  logNormal(median: number, sigma: number): number;
  /** Poisson-distributed count with mean `mean` (inversion for small means, normal approximation above 50). */
  poisson(mean: number): number;
  /** Fisher-Yates, in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
}

export interface WeightedTable<T> {
  readonly items: readonly T[];
  readonly cumulative: Float64Array;
  readonly total: number;
}

export function cumulative<T>(entries: readonly (readonly [T, number])[]): WeightedTable<T> {
  const items = entries.map(([item]) => item);
  const cumulativeWeights = new Float64Array(entries.length);
  let total = 0;
  entries.forEach(([, weight], i) => {
    total += weight;
    cumulativeWeights[i] = total;
  });
  return { items, cumulative: cumulativeWeights, total };
}

/** A 32-bit seed derived from a base seed and labels (FNV-1a over the text, then a murmur finaliser). */
export function seedFor(seed: number, ...labels: readonly (string | number)[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const text = labels.join('\u0001');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= seed / 0x100000000;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  // splitmix32 expands the seed into the four words of state.
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const next = (): number => nextU32() / 0x100000000;
  let spareNormal: number | undefined;
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => p > 0 && next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    pickWeighted: <T>(table: WeightedTable<T>): T => {
      const target = next() * table.total;
      let lo = 0;
      let hi = table.cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((table.cumulative[mid] ?? 0) > target) hi = mid;
        else lo = mid + 1;
      }
      return table.items[lo] as T;
    },
    normal: () => {
      if (spareNormal !== undefined) {
        const v = spareNormal;
        spareNormal = undefined;
        return v;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    logNormal: (median, sigma) => median * Math.exp(sigma * rng.normal()),
    poisson: (mean) => {
      if (mean <= 0) return 0;
      if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
      const limit = Math.exp(-mean);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
    shuffle: <T>(items: T[]): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = items[i] as T;
        items[i] = items[j] as T;
        items[j] = tmp;
      }
      return items;
    },
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The duplicate filter: event ids with their event time, swept at most once per `sweepIntervalMs`. It takes every
 * event, so it is its own hash table (see `createSeenSet`) rather than a Map, whose table V8 re-allocates every
 * few dozen inserts when entries come and go all the time (≈ 50 bytes of garbage per event).
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
   * In the order a Map would list them (first added first; a re-added id after a sweep removed it goes last).
   */
  snapshot(from?: number): [string, number][];
  restore(entries: readonly (readonly [string, number])[]): void;
}

const MIN_CAPACITY = 64;

/** FNV-1a over the UTF-16 code units. */
function hashOf(id: string): number {
  let h = 0x811c9dc5 | 0;
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 16777619);
  return h;
}

/**
 * The ids in insertion order (parallel arrays) and an open-addressing index over them (linear probing; slot value
 * = position + 1, 0 = empty; at most half full). A sweep only raises `sweptBefore`: an id older than it counts as
 * removed (as the Map's sweep would have removed it), and the arrays are compacted, in order, when they are full
 * (or grown if most of them is still live). An id added again after its removal goes last, as in a Map: its old
 * position is marked dead (`undefined`). Holds exactly what a Map of id → ts would hold, swept at the same moments,
 * in the same order; a sweep no longer costs a pass over the ids.
 */
export function createSeenSet(sweepIntervalMs: number): SeenSet {
  let capacity = MIN_CAPACITY;
  let ids: (string | undefined)[] = new Array<string | undefined>(capacity).fill(undefined);
  let times = new Float64Array(capacity);
  let hashes = new Int32Array(capacity);
  let slots = new Int32Array(capacity * 2);
  /** Positions [0, end) are in use (dead or removed ones among them until the next compaction). */
  let end = 0;
  let lastSweep = Number.NEGATIVE_INFINITY;
  /** Ids with a time before this were removed by a sweep. */
  let sweptBefore = Number.NEGATIVE_INFINITY;
  // The engine asks `has(id)` then `add(id, …)`: the hash of the last id asked is kept for the add.
  let lastId: string | undefined;
  let lastHash = 0;

  const hash = (id: string): number => {
    if (id !== lastId) {
      lastId = id;
      lastHash = hashOf(id);
    }
    return lastHash;
  };

  /** The position of `id` (removed by a sweep or not; never a dead one), or -1. */
  function find(id: string, h: number): number {
    const mask = slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = slots[s]! - 1;
      if (e < 0) return -1;
      if (hashes[e] === h && ids[e] === id) return e;
    }
  }

  function index(e: number): void {
    const mask = slots.length - 1;
    let s = hashes[e]! & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = e + 1;
  }

  const isLive = (e: number): boolean => ids[e] !== undefined && times[e]! >= sweptBefore;

  /** Drops the dead and removed ids (the others keep their order) into arrays of a fitting size; a new index. */
  function compact(): void {
    let n = 0;
    for (let i = 0; i < end; i++) {
      if (!isLive(i)) continue;
      ids[n] = ids[i];
      times[n] = times[i]!;
      hashes[n] = hashes[i]!;
      n++;
    }
    ids.fill(undefined, n, end);
    end = n;
    // At most half full afterwards; shrinks a table that grew for a burst once most of it is gone.
    let target = capacity;
    while (end * 2 > target) target *= 2;
    while (target > MIN_CAPACITY && end * 8 < target) target >>= 1;
    if (target !== capacity) {
      const nextIds = new Array<string | undefined>(target).fill(undefined);
      const nextTimes = new Float64Array(target);
      const nextHashes = new Int32Array(target);
      for (let i = 0; i < end; i++) nextIds[i] = ids[i];
      nextTimes.set(times.subarray(0, end));
      nextHashes.set(hashes.subarray(0, end));
      ids = nextIds;
      times = nextTimes;
      hashes = nextHashes;
      capacity = target;
      slots = new Int32Array(target * 2);
    } else {
      slots.fill(0);
    }
    for (let e = 0; e < end; e++) index(e);
  }

  function add(id: string, ts: number): void {
    if (ts < sweptBefore) {
      // Older than a past sweep (never so in the engine, which adds events at or after its watermark): apply the
      // sweeps for real first, so that this id is not taken for a removed one.
      compact();
      sweptBefore = Number.NEGATIVE_INFINITY;
    }
    const h = hash(id);
    const e = find(id, h);
    if (e >= 0) {
      if (times[e]! >= sweptBefore) {
        times[e] = ts;
        return;
      }
      ids[e] = undefined; // removed by a sweep: added again, it goes last
    }
    if (end === capacity) compact();
    const at = end++;
    ids[at] = id;
    times[at] = ts;
    hashes[at] = h;
    index(at);
  }

  return {
    has(id) {
      const e = find(id, hash(id));
      return e >= 0 && times[e]! >= sweptBefore;
    },
    add,
    expire(before) {
      if (before - lastSweep < sweepIntervalMs) return;
      lastSweep = before;
      if (before > sweptBefore) sweptBefore = before;
    },
    get size() {
      let n = 0;
      for (let i = 0; i < end; i++) if (isLive(i)) n++;
      return n;
    },
    snapshot(from = Number.NEGATIVE_INFINITY) {
      const out: [string, number][] = [];
      for (let i = 0; i < end; i++) {
        if (isLive(i) && times[i]! >= from) out.push([ids[i]!, times[i]!]);
      }
      return out;
    },
    restore(entries) {
      capacity = MIN_CAPACITY;
      ids = new Array<string | undefined>(capacity).fill(undefined);
      times = new Float64Array(capacity);
      hashes = new Int32Array(capacity);
      slots = new Int32Array(capacity * 2);
      end = 0;
      sweptBefore = Number.NEGATIVE_INFINITY;
      lastId = undefined;
      for (const [id, ts] of entries) add(id, ts);
    },
  };
}

/**
 * Counts failures per key in a sliding window and refuses a key that reached its limit until the oldest failure
 * leaves the window. Kept in memory: a restart forgets, which is fine for slowing down password guessing.
 * @example
 * const limiter = createRateLimiter({ limit: 5, windowMs: 15 * 60_000, clock: Date.now });
 * if (!limiter.check('user:li').allowed) return tooMany();
 * limiter.fail('user:li');
 */
export interface RateLimiter {
  check(key: string): { readonly allowed: boolean; readonly retryAfterMs: number };
  fail(key: string): void;
  reset(key: string): void;
}

export function createRateLimiter(options: {
  readonly limit: number;
  readonly windowMs: number;
  readonly clock: () => number;
  /** Keys kept at most (the oldest are forgotten first), so that a flood of names cannot exhaust memory. */
  readonly maxKeys?: number;
}): RateLimiter {
  const failures = new Map<string, number[]>();
  const maxKeys = options.maxKeys ?? 100_000;
  const recent = (key: string): number[] => {
    const now = options.clock();
    const kept = (failures.get(key) ?? []).filter((t) => now - t < options.windowMs);
    if (kept.length === 0) failures.delete(key);
    else failures.set(key, kept);
    return kept;
  };
  return {
    check(key) {
      const times = recent(key);
      if (times.length < options.limit) return { allowed: true, retryAfterMs: 0 };
      const oldest = times[times.length - options.limit]!;
      return { allowed: false, retryAfterMs: Math.max(0, oldest + options.windowMs - options.clock()) };
    },
    fail(key) {
      const times = recent(key);
      times.push(options.clock());
      failures.delete(key);
      failures.set(key, times);
      if (failures.size > maxKeys) failures.delete(failures.keys().next().value as string);
    },
    reset(key) {
      failures.delete(key);
    },
  };
}

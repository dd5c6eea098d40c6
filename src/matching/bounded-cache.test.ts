import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedCache } from './bounded-cache.js';

describe('boundedCache', () => {
  it('never returns a stale value, keeps the key set last, and holds at most `limit` entries (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 }), fc.integer()), { maxLength: 200 }),
        (limit, operations) => {
          const cache = boundedCache<number, number>(limit);
          const latest = new Map<number, number>();
          let last: number | undefined;
          for (const [isSet, key, value] of operations) {
            if (isSet) {
              cache.set(key, value);
              latest.set(key, value);
              last = key;
            } else {
              const got = cache.get(key);
              // A hit is the value set last for that key; the key set last is always there.
              if (got !== undefined) expect(got).toBe(latest.get(key));
              else expect(key).not.toBe(last);
            }
          }
          const held = [...latest.keys()].filter((k) => cache.get(k) !== undefined);
          expect(held.length).toBeLessThanOrEqual(limit);
        },
      ),
    );
  });
});

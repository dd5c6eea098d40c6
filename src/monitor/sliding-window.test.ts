import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSlidingWindow } from './sliding-window.js';

describe('sliding window', () => {
  it('counts the distinct keys a brute-force scan counts, after every event', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 8 })), {
          maxLength: 200,
        }),
        (windowMs, steps) => {
          const w = createSlidingWindow(windowMs);
          const seen: { ts: number; key: string }[] = [];
          let t = 0;
          for (const [dt, k] of steps) {
            t += dt;
            const key = `c${k}`;
            w.add(t, key, `e${seen.length}`);
            seen.push({ ts: t, key });
            const inWindow = seen.filter((s) => s.ts > t - windowMs);
            expect(w.distinct).toBe(new Set(inWindow.map((s) => s.key)).size);
            expect(w.size).toBe(inWindow.length);
          }
          // A snapshot restores to the same counts.
          const copy = createSlidingWindow(windowMs, JSON.parse(JSON.stringify(w.snapshot())));
          expect(copy.distinct).toBe(w.distinct);
          expect(copy.eventIds()).toEqual(w.eventIds());
        },
      ),
    );
  });
});

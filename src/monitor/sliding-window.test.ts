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
            expect(w.eventIds()).toEqual(inWindow.map((s) => `e${seen.indexOf(s)}`));
            expect(new Set(w.keys())).toEqual(new Set(inWindow.map((s) => s.key)));
          }
          // A snapshot restores to the same counts.
          const copy = createSlidingWindow(windowMs, JSON.parse(JSON.stringify(w.snapshot())));
          expect(copy.distinct).toBe(w.distinct);
          expect(copy.eventIds()).toEqual(w.eventIds());
        },
      ),
    );
  });

  it('lists its distinct keys in the order a Map of counts keeps them, small or large, cleared or restored', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 5, 20, 60, 200),
        // Up to 40 cards: past 16 distinct cards the window counts them in a Map.
        fc.constantFrom(1, 3, 10, 40),
        fc.array(
          fc.tuple(
            fc.constantFrom(0, 0, 0, 1, 1, 2, 5, 30),
            fc.constantFrom(...Array.from({ length: 40 }, (_, k) => k)),
            // Now and then the window is cleared (a terminal whose run ended).
            fc.constantFrom(...Array.from({ length: 40 }, (_, k) => k === 0)),
          ),
          { minLength: 20, maxLength: 300, size: 'max' },
        ),
        (windowMs, keyCount, steps) => {
          const w = createSlidingWindow(windowMs);
          // The model: the window's events and a Map of counts, evicted oldest first.
          let events: { ts: number; key: string; id: string }[] = [];
          const counts = new Map<string, number>();
          let t = 0;
          steps.forEach(([dt, k, clear], n) => {
            t += dt;
            if (clear) {
              w.clear();
              events = [];
              counts.clear();
              return;
            }
            const key = `c${k % keyCount}`;
            while (events.length > 0 && events[0]!.ts <= t - windowMs) {
              const gone = events.shift()!;
              const c = counts.get(gone.key)! - 1;
              if (c === 0) counts.delete(gone.key);
              else counts.set(gone.key, c);
            }
            const isNew = !counts.has(key);
            counts.set(key, (counts.get(key) ?? 0) + 1);
            events.push({ ts: t, key, id: `e${n}` });
            expect(w.add(t, key, `e${n}`)).toBe(isNew);
            expect(w.keys()).toEqual([...counts.keys()]);
            expect(w.distinct).toBe(counts.size);
            expect(w.eventIds()).toEqual(events.map((e) => e.id));
          });
          const copy = createSlidingWindow(windowMs, JSON.parse(JSON.stringify(w.snapshot())));
          const rebuilt = new Map<string, number>();
          for (const e of events) rebuilt.set(e.key, (rebuilt.get(e.key) ?? 0) + 1);
          expect(copy.keys()).toEqual([...rebuilt.keys()]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

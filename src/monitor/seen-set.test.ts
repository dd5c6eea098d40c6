import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeenSet } from './seen-set.js';

/** The duplicate filter as it was: a Map of id → ts, swept with the same schedule. */
function mapModel(sweepIntervalMs: number) {
  const map = new Map<string, number>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  return {
    has: (id: string) => map.has(id),
    add: (id: string, ts: number) => map.set(id, ts),
    expire(before: number) {
      if (before - lastSweep < sweepIntervalMs) return;
      lastSweep = before;
      for (const [id, ts] of [...map]) if (ts < before) map.delete(id);
    },
    size: () => map.size,
    snapshot: (from = Number.NEGATIVE_INFINITY) => [...map].filter(([, ts]) => ts >= from),
    restore(entries: readonly (readonly [string, number])[]) {
      map.clear();
      for (const [id, ts] of entries) map.set(id, ts);
    },
  };
}

const step = fc.oneof(
  fc.record({ op: fc.constant('add' as const), id: fc.integer({ min: 0, max: 60 }), dt: fc.nat(20) }),
  fc.record({ op: fc.constant('expire' as const), back: fc.nat(60) }),
  fc.record({ op: fc.constant('restore' as const), from: fc.nat(60) }),
);

describe('seen set', () => {
  it('holds, answers and lists exactly what a Map of id → ts swept at the same moments would', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.array(step, { minLength: 20, maxLength: 600, size: 'max' }),
        (interval, steps) => {
          const seen = createSeenSet(interval);
          const model = mapModel(interval);
          let t = 0;
          for (const s of steps) {
            if (s.op === 'add') {
              t += s.dt;
              // Ids of several lengths, some re-added after a sweep removed them.
              const id = `E${s.id}${s.id % 7 === 0 ? '-long-event-id' : ''}`;
              expect(seen.has(id)).toBe(model.has(id));
              seen.add(id, t);
              model.add(id, t);
            } else if (s.op === 'expire') {
              seen.expire(t - s.back);
              model.expire(t - s.back);
            } else {
              const saved = JSON.parse(JSON.stringify(seen.snapshot(t - s.from))) as [string, number][];
              expect(saved).toEqual(model.snapshot(t - s.from));
              seen.restore(saved);
              model.restore(saved);
            }
            expect(seen.size).toBe(model.size());
          }
          expect(seen.snapshot()).toEqual(model.snapshot());
          for (let id = 0; id <= 60; id++) expect(seen.has(`E${id}`)).toBe(model.has(`E${id}`));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('puts an id added again after a sweep removed it last, as a Map does; a later sweep never brings one back', () => {
    const seen = createSeenSet(0);
    seen.add('A', 0);
    seen.add('B', 1);
    seen.expire(1);
    expect(seen.has('A')).toBe(false);
    seen.add('A', 2);
    expect(seen.snapshot()).toEqual([
      ['B', 1],
      ['A', 2],
    ]);
    seen.add('C', 3);
    seen.expire(3);
    // A sweep with an earlier bound removes nothing again, and brings nothing back.
    seen.expire(0);
    expect(seen.has('A')).toBe(false);
    expect(seen.snapshot()).toEqual([['C', 3]]);
    expect(seen.size).toBe(1);
  });

  it('grows past its first capacity and shrinks back after a sweep', () => {
    const seen = createSeenSet(0);
    for (let i = 0; i < 10_000; i++) seen.add(`E${i}`, i);
    expect(seen.size).toBe(10_000);
    expect(seen.has('E9999')).toBe(true);
    seen.expire(9_990);
    expect(seen.size).toBe(10);
    expect(seen.has('E9989')).toBe(false);
    expect(seen.snapshot()).toEqual(Array.from({ length: 10 }, (_, k) => [`E${9_990 + k}`, 9_990 + k]));
    for (let i = 0; i < 200; i++) seen.add(`F${i}`, 10_000 + i);
    expect(seen.size).toBe(210);
    expect(seen.has('F199')).toBe(true);
  });
});

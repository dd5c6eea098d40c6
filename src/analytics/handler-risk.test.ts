import { describe, expect, it } from 'vitest';
import { type HandlerTally, rankHandlers, riskScoreOf } from './handler-risk.js';
import { HANDLER_ACTS, type HandlerAct } from './ports.js';
import { poissonUpperTail } from './stats.js';

function tally(
  handlerId: string,
  role: string,
  acts: Partial<Record<HandlerAct, { n: number; x: number }>>,
): HandlerTally {
  const all = Object.fromEntries(
    HANDLER_ACTS.map((a) => [a, acts[a] ?? { n: 0, x: 0 }]),
  ) as HandlerTally['acts'];
  return {
    handlerId,
    role,
    regionCode: '430422',
    beneficiaries: Math.max(...HANDLER_ACTS.map((a) => all[a].n)),
    acts: all,
    notes: [],
  };
}

/** Twenty clerks certifying ~400 beneficiaries each, about 1 % of them after a death (records misdated …). */
const clerks = Array.from({ length: 20 }, (_, i) =>
  tally(`C${String(i).padStart(2, '0')}`, 'clerk', { certified: { n: 400, x: 3 + (i % 3) } }),
);

describe('rankHandlers', () => {
  it('does not flag a handler for being large: ten times the work and ten times the deaths is ordinary', () => {
    const big = tally('BIG', 'clerk', { certified: { n: 4000, x: 42 } });
    const ranking = rankHandlers([...clerks, big]);
    const row = ranking.find((h) => h.handlerId === 'BIG')!;
    expect(row.significant).toBe(false);
    expect(row.pValue).toBeGreaterThan(0.05);
    // Its expectation follows its size: about 4,000 × the peers' 1 %.
    expect(row.expectedDeceased).toBeGreaterThan(35);
    expect(row.expectedDeceased).toBeLessThan(50);
    expect(ranking.filter((h) => h.significant)).toEqual([]);
  });

  it('flags a small handler whose certifications of the dead are far above the peers', () => {
    const head = tally('HEAD', 'clerk', { certified: { n: 60, x: 9 } });
    const ranking = rankHandlers([...clerks, head]);
    expect(ranking[0]?.handlerId).toBe('HEAD');
    expect(ranking[0]?.significant).toBe(true);
    expect(ranking[0]?.rank).toBe(1);
    expect(ranking[0]?.reasons[0]).toMatch(
      /^certified 9 beneficiaries as alive after their death \(of 60; peers/,
    );
    // p is the Poisson tail of the observed count at the expectation.
    expect(ranking[0]?.pValue).toBeCloseTo(poissonUpperTail(9, ranking[0]!.expectedDeceased), 12);
    expect(ranking[0]?.riskScore).toBeCloseTo(riskScoreOf(ranking[0]!.pValue), 12);
  });

  it('compares a handler with its own role: what is normal for clerks is not for a section head', () => {
    const heads = Array.from({ length: 3 }, (_, i) =>
      tally(`S${i}`, 'section_head', { approved_reactivation: { n: 150, x: 0 } }),
    );
    const insider = tally('INSIDER', 'section_head', { approved_reactivation: { n: 5, x: 5 } });
    const busyClerks = Array.from({ length: 5 }, (_, i) =>
      tally(`R${i}`, 'clerk', { reactivated: { n: 200, x: 4 } }),
    );
    const ranking = rankHandlers([...heads, insider, ...busyClerks]);
    expect(ranking[0]?.handlerId).toBe('INSIDER');
    expect(ranking[0]?.significant).toBe(true);
    expect(ranking.filter((h) => h.significant).map((h) => h.handlerId)).toEqual(['INSIDER']);
  });

  it('lets two colluders of one role not hide each other, and never flags a single act', () => {
    const heads = Array.from({ length: 20 }, (_, i) =>
      tally(`H${i}`, 'station_head', { certified: { n: 30, x: 0 } }),
    );
    const one = tally('ONE', 'station_head', { certified: { n: 30, x: 1 } });
    const a = tally('A', 'station_head', { certified: { n: 30, x: 12 } });
    const b = tally('B', 'station_head', { certified: { n: 30, x: 3 } });
    const ranking = rankHandlers([...heads, one, a, b]);
    expect(ranking.slice(0, 2).map((h) => h.handlerId)).toEqual(['A', 'B']);
    expect(ranking.find((h) => h.handlerId === 'B')?.significant).toBe(true);
    expect(ranking.find((h) => h.handlerId === 'ONE')?.significant).toBe(false);
  });

  it('reports acts outside the test without letting them count', () => {
    const manager = tally('M', 'clerk', {
      manages_paid_dead: { n: 100, x: 40 },
      certified: { n: 100, x: 1 },
    });
    const ranking = rankHandlers([...clerks, manager]);
    const row = ranking.find((h) => h.handlerId === 'M')!;
    expect(row.deceasedLinked).toBe(1);
    expect(row.significant).toBe(false);
    expect(
      row.reasons.some((r) => r.includes('dead and still paid') && r.endsWith('reported, not tested')),
    ).toBe(true);
  });

  it('gives a handler with no act p = 1 and score 0', () => {
    const ranking = rankHandlers([...clerks, tally('IDLE', 'director', {})]);
    const idle = ranking.find((h) => h.handlerId === 'IDLE')!;
    expect(idle).toMatchObject({ pValue: 1, qValue: 1, riskScore: 0, significant: false, deceasedLinked: 0 });
    expect(idle.reasons[0]).toBe('no act vouched for a beneficiary believed dead');
  });
});

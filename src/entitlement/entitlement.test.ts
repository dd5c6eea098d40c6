import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarDate, Period } from '../core/time.js';
import {
  contradictingLifeSign,
  DEFAULT_ENTITLEMENT_POLICY,
  type Decision,
  decide,
  effectiveStatus,
  firstUnentitledPeriod,
  lastEntitledPeriod,
  needsNewDecision,
  overpayment,
  reverseDecision,
  statusAfter,
  supportingEvidence,
} from './entitlement.js';

const date = (s: string) => s as CalendarDate;
const pay = (period: string, amountFen: number) => ({ period: period as Period, amountFen });
const monthAfter = { ...DEFAULT_ENTITLEMENT_POLICY, paidThrough: 'month-after' as const };

describe('entitlement periods', () => {
  it('is due through the month of death by default, one month more with month-after', () => {
    expect(lastEntitledPeriod(date('2021-01-31'))).toBe('2021-01');
    expect(firstUnentitledPeriod(date('2021-01-01'))).toBe('2021-02');
    expect(lastEntitledPeriod(date('2021-01-31'), monthAfter)).toBe('2021-02');
    expect(firstUnentitledPeriod(date('2021-01-31'), monthAfter)).toBe('2021-03');
  });

  it('crosses year ends', () => {
    expect(firstUnentitledPeriod(date('2020-12-31'))).toBe('2021-01');
    expect(firstUnentitledPeriod(date('2020-11-30'), monthAfter)).toBe('2021-01');
    expect(firstUnentitledPeriod(date('2020-12-01'), monthAfter)).toBe('2021-02');
  });
});

describe('overpayment', () => {
  it('sums the payments for later periods, in integer fen; the death month is still due', () => {
    const payments = [
      pay('2020-12', 12_345),
      pay('2021-01', 12_345),
      pay('2021-02', 12_346),
      pay('2021-03', 1),
    ];
    expect(overpayment(payments, date('2021-01-15'))).toEqual({
      firstUnentitledPeriod: '2021-02',
      overpaidFen: 12_347,
      payments: 2,
    });
    expect(overpayment(payments, date('2021-01-15'), monthAfter).overpaidFen).toBe(1);
    expect(overpayment(payments, date('2021-03-31')).overpaidFen).toBe(0);
  });

  it('counts arrears paid later for an unentitled period, and nothing without payments', () => {
    expect(overpayment([pay('2021-02', 100), pay('2021-02', 100)], date('2021-01-31')).overpaidFen).toBe(200);
    expect(overpayment([], date('2021-01-31'))).toEqual({
      firstUnentitledPeriod: '2021-02',
      overpaidFen: 0,
      payments: 0,
    });
  });

  it('refuses a float amount rather than summing it', () => {
    expect(() => overpayment([pay('2021-02', 10.5)], date('2021-01-01'))).toThrow(RangeError);
  });

  it('property: the total is exact integer fen and equals the sum over periods after the death month', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 500_000 })), {
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 23 }),
        (lines, deathMonth) => {
          const period = (i: number) =>
            `${2020 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
          const payments = lines.map(([m, fen]) => pay(period(m), fen));
          const result = overpayment(payments, date(`${period(deathMonth)}-15`));
          const expected = lines.filter(([m]) => m > deathMonth).reduce((s, [, fen]) => s + fen, 0);
          expect(result.overpaidFen).toBe(expected);
          expect(Number.isSafeInteger(result.overpaidFen)).toBe(true);
        },
      ),
    );
  });
});

describe('decisions', () => {
  const ev = (source: string, recordId: string, idExact: boolean) => ({
    source,
    recordId,
    idExact,
    matchProbability: 0.99,
  });

  it('an exact ID match from an authoritative source confirms and suspends', () => {
    for (const source of ['household_register', 'civil_affairs']) {
      expect(decide([ev(source, 'R1', true)])).toMatchObject({
        decision: 'confirmed',
        action: 'suspend',
        evidence: [`${source}:R1`],
      });
    }
  });

  it('two independent sources confirm without an exact ID', () => {
    const d = decide([ev('cremation', 'C1', false), ev('hospital', 'H1', false)]);
    expect(d).toMatchObject({
      decision: 'confirmed',
      action: 'suspend',
      evidence: ['cremation:C1', 'hospital:H1'],
    });
  });

  it('a single unconfirmed source never terminates: review with a soft stop (or none, by policy)', () => {
    expect(decide([ev('cremation', 'C1', true)])).toMatchObject({ decision: 'review', action: 'soft_stop' });
    expect(decide([ev('household_register', 'H1', false)])).toMatchObject({ decision: 'review' });
    // Two records of one source are still one source.
    expect(decide([ev('hospital', 'H1', false), ev('hospital', 'H2', false)])).toMatchObject({
      decision: 'review',
    });
    expect(
      decide([ev('hospital', 'H1', false)], { ...DEFAULT_ENTITLEMENT_POLICY, softStopOnReview: false }),
    ).toMatchObject({
      decision: 'review',
      action: 'none',
    });
  });

  it("records carrying another person's ID number never confirm: a namesake opens a review at most", () => {
    const namesake = (source: string, recordId: string) => ({
      ...ev(source, recordId, false),
      idConflict: true,
    });
    expect(decide([namesake('civil_affairs', 'M1'), namesake('hospital', 'Y1')])).toMatchObject({
      decision: 'review',
      evidence: ['civil_affairs:M1', 'hospital:Y1'],
    });
    // One consistent record and one conflicting one are still a single source.
    expect(decide([ev('cremation', 'C1', false), namesake('hospital', 'Y1')]).decision).toBe('review');
    expect(decide([ev('cremation', 'C1', false), ev('hospital', 'Y1', false)]).decision).toBe('confirmed');
  });

  it('a record reported elsewhere under another ID, or tied between two roll members, is no source', () => {
    const twin = { ...ev('cremation', 'C1', false), twinConflict: true };
    const tie = { ...ev('hospital', 'Y1', false), ambiguous: true };
    // Alone or together they name nobody on the roll: a review with no action, its money not claimed.
    for (const evidence of [[twin], [tie], [twin, tie]]) {
      const d = decide(evidence);
      expect(d).toMatchObject({ decision: 'review', action: 'none' });
      expect(d.reason).toContain('not claimed');
      expect(supportingEvidence(evidence)).toEqual([]);
    }
    expect(decide([twin]).reason).toContain("reported elsewhere with another person's ID number");
    expect(decide([tie]).reason).toContain('fits another roll member as well');
    // Beside one consistent source they add nothing: still a single source.
    expect(decide([ev('civil_affairs', 'M1', false), twin, tie])).toMatchObject({
      decision: 'review',
      action: 'soft_stop',
      reason: expect.stringContaining('single unconfirmed source (civil_affairs)'),
    });
    // An exact ID from an authoritative source that fits two roll members (a duplicated roll number) confirms nothing.
    expect(decide([{ ...ev('civil_affairs', 'M1', true), ambiguous: true }]).decision).toBe('review');
    // Without them the same records confirm.
    expect(decide([ev('cremation', 'C1', false), ev('hospital', 'Y1', false)]).decision).toBe('confirmed');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            source: fc.constantFrom('civil_affairs', 'household_register', 'cremation', 'hospital'),
            recordId: fc.string({ minLength: 1, maxLength: 3 }),
            idExact: fc.boolean(),
            matchProbability: fc.double({ min: 0.5, max: 1, noNaN: true }),
            flag: fc.constantFrom('none', 'idConflict', 'twinConflict', 'ambiguous'),
          }),
          { maxLength: 6 },
        ),
        (rows) => {
          const evidence = rows.map(({ flag, ...e }) => (flag === 'none' ? e : { ...e, [flag]: true }));
          const flagged = rows.map((r) => r.flag !== 'none');
          // Flagged records never change the decision: it is the decision over the others alone (evidence aside).
          const alone = evidence.filter((_, i) => !flagged[i]);
          const d = decide(evidence);
          const e = decide(alone);
          expect(d.decision).toBe(e.decision);
          if (alone.length > 0) expect(d.action).toBe(e.action);
          else expect(d.action).toBe('none');
        },
      ),
    );
  });

  it('the authoritative sources are configurable', () => {
    const policy = { ...DEFAULT_ENTITLEMENT_POLICY, authoritativeSources: ['household_register' as const] };
    expect(decide([ev('civil_affairs', 'M1', true)], policy).decision).toBe('review');
  });

  it('a life sign after the death contests it: review, never a suspension, with the sign in the evidence', () => {
    const sign = { certificationId: 'C7', date: date('2020-05-03'), channel: 'bigdata' };
    const strong = [ev('household_register', 'H1', true), ev('cremation', 'C1', false)];
    expect(decide(strong, DEFAULT_ENTITLEMENT_POLICY, sign)).toMatchObject({
      decision: 'review',
      action: 'soft_stop',
      evidence: ['certification:C7', 'cremation:C1', 'household_register:H1'],
    });
    expect(decide(strong, DEFAULT_ENTITLEMENT_POLICY, sign).reason).toContain('2020-05-03');
    // A new life sign is new evidence: a new decision; the same one is not decided twice.
    const contested: Decision = {
      ...decide(strong, DEFAULT_ENTITLEMENT_POLICY, sign),
      decisionId: '1',
      beneficiaryId: 'B1',
      decidedAt: 1,
      statusBefore: 'active',
      statusAfter: 'active',
    };
    expect(needsNewDecision(contested, decide(strong, DEFAULT_ENTITLEMENT_POLICY, sign))).toBe(false);
    expect(needsNewDecision(contested, decide(strong))).toBe(true);
  });

  it('only a certification through a life-sign channel dated after the death contradicts it', () => {
    const signs = [
      { certificationId: 'C1', date: date('2019-06-01'), channel: 'bigdata' },
      { certificationId: 'C2', date: date('2020-06-01'), channel: 'home_visit' },
      { certificationId: 'C4', date: date('2021-02-01'), channel: 'bigdata' },
      { certificationId: 'C3', date: date('2020-09-01'), channel: 'bigdata' },
    ];
    expect(contradictingLifeSign(signs, date('2020-01-15'))?.certificationId).toBe('C3');
    expect(contradictingLifeSign(signs, date('2021-02-01'))).toBeUndefined();
    // Insiders fake home visits for the dead they collect for: not a life sign by default, one by policy.
    expect(contradictingLifeSign(signs.slice(0, 2), date('2020-01-15'))).toBeUndefined();
    const policy = { ...DEFAULT_ENTITLEMENT_POLICY, lifeSignChannels: ['home_visit'] };
    expect(contradictingLifeSign(signs, date('2020-01-15'), policy)?.certificationId).toBe('C2');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), (k) => {
        const found = contradictingLifeSign(signs, date('2019-01-01'));
        // The earliest qualifying sign, whatever the order given.
        const rotated = [...signs.slice(k), ...signs.slice(0, k)];
        return contradictingLifeSign(rotated, date('2019-01-01'))?.certificationId === found?.certificationId;
      }),
    );
  });

  it('reports the roll status after the decision', () => {
    expect(statusAfter('active', 'suspend')).toBe('suspended');
    expect(statusAfter('terminated', 'suspend')).toBe('terminated');
    expect(statusAfter('active', 'soft_stop')).toBe('active');
  });

  it('a decision is reversible once, with a reason, and the status goes back', () => {
    const decision: Decision = {
      ...decide([ev('household_register', 'H1', true)]),
      decisionId: '7',
      beneficiaryId: 'B1',
      decidedAt: 1,
      statusBefore: 'active',
      statusAfter: 'suspended',
    };
    expect(effectiveStatus(decision)).toBe('suspended');
    expect(reverseDecision(decision, { at: 2, by: 'u1', reason: '' }).ok).toBe(false);
    const reversed = reverseDecision(decision, { at: 2, by: 'u1', reason: 'came to the station in person' });
    expect(reversed.ok).toBe(true);
    if (!reversed.ok) return;
    expect(effectiveStatus(reversed.value)).toBe('active');
    expect(reverseDecision(reversed.value, { at: 3, by: 'u1', reason: 'again' }).ok).toBe(false);
    // The same evidence does not decide again (the reversal stands); new evidence does.
    expect(needsNewDecision(reversed.value, decide([ev('household_register', 'H1', true)]))).toBe(false);
    expect(
      needsNewDecision(
        reversed.value,
        decide([ev('household_register', 'H1', true), ev('cremation', 'C9', false)]),
      ),
    ).toBe(true);
    expect(needsNewDecision(undefined, decide([ev('cremation', 'C9', false)]))).toBe(true);
  });
});

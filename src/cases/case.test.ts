import { describe, expect, it } from 'vitest';
import { CASE_STATUSES, CASE_TRANSITIONS, checkTransition, hasMoneyAtStake, recoveryTotals } from './case.js';

describe('case workflow', () => {
  it('allows the documented path open → investigating → confirmed → recovery → closed', () => {
    const path = ['open', 'investigating', 'confirmed', 'recovery', 'closed'] as const;
    for (let i = 1; i < path.length; i++) expect(checkTransition(path[i - 1]!, path[i]!).ok).toBe(true);
    expect(checkTransition('investigating', 'dismissed').ok).toBe(true);
    expect(checkTransition('dismissed', 'closed').ok).toBe(true);
  });

  it('refuses every other move with a reason naming where the case may go', () => {
    for (const from of CASE_STATUSES) {
      for (const to of CASE_STATUSES) {
        const result = checkTransition(from, to);
        expect(result.ok).toBe(CASE_TRANSITIONS[from].includes(to));
      }
    }
    const refused = checkTransition('open', 'closed');
    expect(refused).toEqual({
      ok: false,
      issues: [
        {
          code: 'case.invalid_transition',
          path: ['to'],
          message: 'a case cannot go from open to closed: from open it may go to investigating',
        },
      ],
    });
    const fromClosed = checkTransition('closed', 'open');
    expect(fromClosed.ok ? '' : fromClosed.issues[0]?.message).toMatch(/a closed case does not change/);
  });

  it('sums the recovery ledger per route in integer fen', () => {
    const totals = recoveryTotals([
      { kind: 'due', route: undefined, amountFen: 480_000 },
      { kind: 'demanded', route: 'repayment', amountFen: 480_000 },
      { kind: 'recovered', route: 'bank_reclamation', amountFen: 120_001 },
      { kind: 'recovered', route: 'funeral_grant_offset', amountFen: 200_000 },
    ]);
    expect(totals).toEqual({
      dueFen: 480_000,
      demandedFen: 480_000,
      recoveredFen: 320_001,
      outstandingFen: 159_999,
      recoveredByRoute: { bank_reclamation: 120_001, repayment: 0, funeral_grant_offset: 200_000, court: 0 },
    });
  });

  it('has money at stake when any was at risk or is due', () => {
    expect(hasMoneyAtStake({ amountAtRiskFen: 0, recovery: [] })).toBe(false);
    expect(hasMoneyAtStake({ amountAtRiskFen: 1, recovery: [] })).toBe(true);
    expect(
      hasMoneyAtStake({
        amountAtRiskFen: 0,
        recovery: [{ entryId: 'R', at: 0, by: 'x', kind: 'due', route: undefined, amountFen: 5, note: '' }],
      }),
    ).toBe(true);
  });
});

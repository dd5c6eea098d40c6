import type { Fen } from '../core/money.js';
import { fail, ok, type Result } from '../core/result.js';
import { addMonths, type CalendarDate, type EpochMs, type Period, periodOf } from '../core/time.js';
import type { BenefitStatus, DeathSource } from '../records/enums.js';

/**
 * Entitlement: which periods a pension was due for, what was overpaid after a death, and what to do about it.
 * Pure functions over plain values; money is integer fen throughout.
 */

/** Through which month a pension is due once the holder has died. */
export const PAID_THROUGH = ['death-month', 'month-after'] as const;
export type PaidThrough = (typeof PAID_THROUGH)[number];

export interface EntitlementPolicy {
  /** `death-month` (default): due through the month of death; `month-after`: one month more. */
  readonly paidThrough: PaidThrough;
  /** Sources whose exact-ID record alone is strong evidence (default household_register and civil_affairs). */
  readonly authoritativeSources: readonly DeathSource[];
  /** Independent sources that together are strong evidence without an authoritative exact-ID record (default 2). */
  readonly independentSources: number;
  /** Whether a review also records a soft stop (payable only in person). Default true. */
  readonly softStopOnReview: boolean;
  /**
   * Certification channels whose certification after the reported death contradicts it (default `bigdata`: a
   * proof of life from other agencies' records, made with no handler and no device, so pension insiders cannot
   * fake it as they fake home visits, in-person and face-app certifications of the dead they collect for).
   */
  readonly lifeSignChannels: readonly string[];
}

export const DEFAULT_ENTITLEMENT_POLICY: EntitlementPolicy = {
  paidThrough: 'death-month',
  authoritativeSources: ['household_register', 'civil_affairs'],
  independentSources: 2,
  softStopOnReview: true,
  lifeSignChannels: ['bigdata'],
};

/**
 * The last period a pension is due for.
 * @example lastEntitledPeriod('2021-01-31' as CalendarDate) // '2021-01'
 */
export function lastEntitledPeriod(
  deathDate: CalendarDate,
  policy: Pick<EntitlementPolicy, 'paidThrough'> = DEFAULT_ENTITLEMENT_POLICY,
): Period {
  const month = periodOf(deathDate);
  switch (policy.paidThrough) {
    case 'death-month':
      return month;
    case 'month-after':
      return addMonths(month, 1);
    default: {
      const never: never = policy.paidThrough;
      return never;
    }
  }
}

/**
 * The first period no longer due: every payment for it or later is overpaid.
 * @example firstUnentitledPeriod('2020-12-15' as CalendarDate) // '2021-01'
 */
export function firstUnentitledPeriod(
  deathDate: CalendarDate,
  policy: Pick<EntitlementPolicy, 'paidThrough'> = DEFAULT_ENTITLEMENT_POLICY,
): Period {
  return addMonths(lastEntitledPeriod(deathDate, policy), 1);
}

/** A payment as entitlement needs it. */
export interface PaymentLine {
  readonly period: Period;
  readonly amountFen: Fen;
}

export interface Overpayment {
  readonly firstUnentitledPeriod: Period;
  /** Sum of the payments for periods from `firstUnentitledPeriod` on (integer fen). */
  readonly overpaidFen: Fen;
  /** How many payments that is. */
  readonly payments: number;
}

/**
 * Overpayment after a death: the sum of the payments for unentitled periods (periods compare as `YYYY-MM` text).
 * @example overpayment([{ period: '2021-02', amountFen: 12345 }], '2021-01-20') // { overpaidFen: 12345, … }
 */
export function overpayment(
  payments: Iterable<PaymentLine>,
  deathDate: CalendarDate,
  policy: Pick<EntitlementPolicy, 'paidThrough'> = DEFAULT_ENTITLEMENT_POLICY,
): Overpayment {
  const first = firstUnentitledPeriod(deathDate, policy);
  let overpaidFen = 0;
  let count = 0;
  for (const p of payments) {
    if (!Number.isSafeInteger(p.amountFen)) throw new RangeError(`payment amount ${p.amountFen} is not fen`);
    if (p.period >= first) {
      overpaidFen += p.amountFen;
      count++;
    }
  }
  return { firstUnentitledPeriod: first, overpaidFen, payments: count };
}

/** One death record behind a finding, as the decision sees it. */
export interface DecisionEvidence {
  readonly source: DeathSource | string;
  readonly recordId: string;
  readonly matchProbability: number;
  /** The record's ID number equals the beneficiary's (also after 15→18 conversion). */
  readonly idExact: boolean;
  /**
   * The record carries an ID number that is not the beneficiary's, even allowing for a typo (linkage level
   * `different` or `birth-date part equal`): it names someone else, so it cannot confirm this beneficiary's death.
   */
  readonly idConflict?: boolean;
  /**
   * The record carries no ID number, but another report of the same death (same name and death date, compatible
   * birth date and sex) carries one that is not the beneficiary's: grouped by person, the death feed says whose
   * death this is, and it is someone else's (a decoy born the same day). Never a source.
   */
  readonly twinConflict?: boolean;
  /**
   * The record fits another roll member exactly as well as this one (a tie: two namesakes born the same day, no ID
   * to tell them apart): the link is a coin toss, never a source.
   */
  readonly ambiguous?: boolean;
}

/**
 * The records that count as evidence about the beneficiary: every one except those naming another person
 * (`idConflict`, `twinConflict`) or fitting another roll member as well (`ambiguous`).
 * @example supportingEvidence([{ source: 'hospital', recordId: 'Y1', matchProbability: 0.9, idExact: false, ambiguous: true }]) // []
 */
export function supportingEvidence<E extends DecisionEvidence>(evidence: readonly E[]): E[] {
  return evidence.filter(isSupporting);
}

/** Whether one record counts as evidence about the beneficiary (`supportingEvidence`). */
export const isSupporting = (
  e: Pick<DecisionEvidence, 'idConflict' | 'twinConflict' | 'ambiguous'>,
): boolean => e.idConflict !== true && e.twinConflict !== true && e.ambiguous !== true;

/** A certification as a sign of life: who certified when, through which channel. */
export interface LifeSign {
  readonly certificationId: string;
  readonly date: CalendarDate;
  readonly channel: string;
}

/**
 * The first life sign that contradicts a death: a certification through one of the policy's `lifeSignChannels`
 * dated after the death date; undefined when none does.
 * @example contradictingLifeSign([{ certificationId: 'C1', date: '2020-05-03', channel: 'bigdata' }], '2019-11-02')
 * // { certificationId: 'C1', … }
 */
export function contradictingLifeSign(
  signs: Iterable<LifeSign>,
  deathDate: CalendarDate,
  policy: Pick<EntitlementPolicy, 'lifeSignChannels'> = DEFAULT_ENTITLEMENT_POLICY,
): LifeSign | undefined {
  let first: LifeSign | undefined;
  for (const sign of signs) {
    if (sign.date <= deathDate || !policy.lifeSignChannels.includes(sign.channel)) continue;
    if (
      first === undefined ||
      sign.date < first.date ||
      (sign.date === first.date && sign.certificationId < first.certificationId)
    ) {
      first = sign;
    }
  }
  return first;
}

/** The evidence key of a life sign in a decision (`certification:<id>`). */
export const lifeSignKey = (sign: Pick<LifeSign, 'certificationId'>): string =>
  `certification:${sign.certificationId}`;

export const DECISIONS = ['confirmed', 'review'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

/** `suspend`: payments stop pending review; `soft_stop`: payable only in person; `none`: nothing changes. */
export const DECISION_ACTIONS = ['suspend', 'soft_stop', 'none'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

export interface ProposedDecision {
  readonly decision: DecisionKind;
  readonly action: DecisionAction;
  /** Why, in a sentence a reviewer can check against the evidence. */
  readonly reason: string;
  /** `source:record_id`, sorted: what the decision rests on (and what makes a re-run idempotent). */
  readonly evidence: readonly string[];
}

export const evidenceKey = (e: Pick<DecisionEvidence, 'source' | 'recordId'>): string =>
  `${e.source}:${e.recordId}`;

/**
 * Decides on one finding. A life sign after the death (see `contradictingLifeSign`) → `review` whatever the
 * records say: the death is contested, never a suspension. Otherwise strong evidence (an exact-ID record from an
 * authoritative source, or records from `independentSources` different sources) → `confirmed` and suspend;
 * anything weaker → `review` (a soft stop when the policy says so): a single unconfirmed source never stops a
 * pension. A finding none of whose records counts as a source (`supportingEvidence` is empty: each names another
 * person or fits another roll member as well) is a `review` with no action: nothing says this beneficiary died.
 * @example decide([{ source: 'household_register', recordId: 'H1', matchProbability: 1, idExact: true }])
 * // { decision: 'confirmed', action: 'suspend', … }
 */
export function decide(
  evidence: readonly DecisionEvidence[],
  policy: EntitlementPolicy = DEFAULT_ENTITLEMENT_POLICY,
  lifeSign?: LifeSign,
): ProposedDecision {
  const keys = [...new Set(evidence.map(evidenceKey))].sort();
  if (lifeSign !== undefined) {
    return {
      decision: 'review',
      action: policy.softStopOnReview ? 'soft_stop' : 'none',
      reason: `contested: a ${lifeSign.channel} certification on ${lifeSign.date}, after the reported death, says the beneficiary was alive`,
      evidence: [...keys, lifeSignKey(lifeSign)].sort(),
    };
  }
  // A record naming another person (its ID number, or that of another report of the same death) is a namesake until a
  // reviewer says otherwise, and a record fitting two roll members alike is a tie: neither counts as a source.
  const supporting = supportingEvidence(evidence);
  const authoritative = supporting.find(
    (e) => e.idExact && (policy.authoritativeSources as readonly string[]).includes(e.source),
  );
  const sources = [...new Set(supporting.map((e) => e.source))].sort();
  if (authoritative !== undefined) {
    return {
      decision: 'confirmed',
      action: 'suspend',
      reason: `exact ID match in an authoritative source (${authoritative.source})`,
      evidence: keys,
    };
  }
  if (sources.length >= policy.independentSources) {
    return {
      decision: 'confirmed',
      action: 'suspend',
      reason: `${sources.length} independent sources (${sources.join(', ')})`,
      evidence: keys,
    };
  }
  if (sources.length === 0) {
    return { decision: 'review', action: 'none', reason: unsupportedReason(evidence), evidence: keys };
  }
  return {
    decision: 'review',
    action: policy.softStopOnReview ? 'soft_stop' : 'none',
    reason: `a single unconfirmed source (${sources.join(', ')}): never enough to stop a pension`,
    evidence: keys,
  };
}

/** Why no record of a finding counts as a source, in words (the first reason that applies to every record). */
function unsupportedReason(evidence: readonly DecisionEvidence[]): string {
  if (evidence.length === 0) return 'no evidence';
  const why = evidence.map((e) =>
    e.idConflict === true
      ? "carries another person's ID number"
      : e.twinConflict === true
        ? "is reported elsewhere with another person's ID number"
        : 'fits another roll member as well',
  );
  const distinct = [...new Set(why)];
  const text =
    distinct.length === 1 && distinct[0] === "carries another person's ID number"
      ? "the records carry another person's ID number"
      : `no record is about this beneficiary alone (${distinct.join('; ')})`;
  return `${text}: never enough to stop a pension, and its overpayment is not claimed`;
}

/**
 * The roll status once a decision applies: a suspension suspends an active benefit; a terminated benefit stays
 * terminated; a review (soft stop or not) leaves the status as it was.
 * @example statusAfter('active', 'suspend') // 'suspended'
 */
export function statusAfter(status: BenefitStatus, action: DecisionAction): BenefitStatus {
  if (action === 'suspend' && status === 'active') return 'suspended';
  return status;
}

/** A decision as recorded: what was decided, on what, and whether it was reversed. */
export interface Decision extends ProposedDecision {
  readonly decisionId: string;
  readonly beneficiaryId: string;
  readonly decidedAt: EpochMs;
  readonly statusBefore: BenefitStatus;
  readonly statusAfter: BenefitStatus;
  readonly reversal?: Reversal;
}

export interface Reversal {
  readonly at: EpochMs;
  readonly by: string;
  readonly reason: string;
}

/**
 * Reverses a decision (e.g. the person came in alive): the decision stays in the history with its reversal, and
 * the roll status goes back to what it was before.
 * @example reverseDecision(decision, { at: Date.now(), by: 'auditor-1', reason: 'seen alive at the station' })
 */
export function reverseDecision(decision: Decision, reversal: Reversal): Result<Decision> {
  if (decision.reversal !== undefined) {
    return fail('decision.already_reversed', `decision ${decision.decisionId} was already reversed`);
  }
  if (reversal.reason.trim() === '') {
    return fail('decision.reason_required', 'a reversal needs a reason');
  }
  if (reversal.by.trim() === '') return fail('decision.by_required', 'a reversal needs who reversed it');
  return ok({ ...decision, reversal });
}

/** The roll status a decision leaves in force: its `statusAfter`, or `statusBefore` once reversed. */
export function effectiveStatus(decision: Decision): BenefitStatus {
  return decision.reversal === undefined ? decision.statusAfter : decision.statusBefore;
}

/**
 * Whether a new decision is needed: none yet, or the proposal differs from the latest (another decision or new
 * evidence). The same evidence never decides twice, so a reversal stands until new evidence arrives.
 * @example needsNewDecision(latest, decide(evidence)) // false on a re-run
 */
export function needsNewDecision(latest: Decision | undefined, proposed: ProposedDecision): boolean {
  if (latest === undefined) return true;
  return (
    latest.decision !== proposed.decision ||
    latest.action !== proposed.action ||
    latest.evidence.join(';') !== proposed.evidence.join(';')
  );
}

/**
 * Whether a finding's overpayment is claimed: not when a life sign contests the death, nor when no linked record is
 * about the beneficiary (docs/entitlement.md, "Overpaid claimed"). The store's dashboard says the same in SQL.
 * @example overpaidClaim({ lifeSign: undefined, unsupported: undefined }) // 'claimed'
 */
export function overpaidClaim(f: {
  readonly lifeSign?: LifeSign | undefined;
  readonly unsupported?: true | undefined;
}): 'claimed' | 'contested' | 'unsupported' {
  if (f.lifeSign !== undefined) return 'contested';
  return f.unsupported === true ? 'unsupported' : 'claimed';
}

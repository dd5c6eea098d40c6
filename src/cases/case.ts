import { maskCardNumber } from '../core/card-number.js';
import { maskText } from '../core/mask.js';
import type { Fen } from '../core/money.js';
import { fail, ok, type Result } from '../core/result.js';
import type { EpochMs } from '../core/time.js';

/** The workflow: open → investigating → confirmed | dismissed → recovery → closed. */
export const CASE_STATUSES = [
  'open',
  'investigating',
  'confirmed',
  'dismissed',
  'recovery',
  'closed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Where each status may go next. A confirmed case with nothing to recover may close directly. */
export const CASE_TRANSITIONS: { readonly [S in CaseStatus]: readonly CaseStatus[] } = {
  open: ['investigating'],
  investigating: ['confirmed', 'dismissed'],
  confirmed: ['recovery', 'closed'],
  dismissed: ['closed'],
  recovery: ['closed'],
  closed: [],
};

/**
 * Whether a case may move from one status to another, with a reason a person can act on when it may not.
 * @example checkTransition('open', 'closed') // { ok: false, issues: [{ code: 'case.invalid_transition', … }] }
 */
export function checkTransition(from: CaseStatus, to: CaseStatus): Result<CaseStatus> {
  if (CASE_TRANSITIONS[from].includes(to)) return ok(to);
  const next = CASE_TRANSITIONS[from];
  const hint =
    next.length === 0 ? 'a closed case does not change' : `from ${from} it may go to ${next.join(' or ')}`;
  return fail('case.invalid_transition', `a case cannot go from ${from} to ${to}: ${hint}`, ['to']);
}

/** What a case is about: one beneficiary, or an alert's entity (a terminal, a ring …) when it spans several. */
export const SUBJECT_TYPES = ['beneficiary', 'card', 'terminal', 'session', 'handler', 'ring'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

/** Where a case came from: a death-matching finding (suspect), a monitor alert, or a person. */
export const LINK_KINDS = ['suspect', 'alert', 'manual'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export const RECOVERY_ENTRY_KINDS = ['due', 'demanded', 'recovered'] as const;
export type RecoveryEntryKind = (typeof RECOVERY_ENTRY_KINDS)[number];

/** How money comes back: reclaimed by the bank, repaid by the family, offset against the funeral grant, by a court. */
export const RECOVERY_ROUTES = ['bank_reclamation', 'repayment', 'funeral_grant_offset', 'court'] as const;
export type RecoveryRoute = (typeof RECOVERY_ROUTES)[number];

/** Accountability dispositions; `referred` = 移送司法机关 (referred to the judiciary). */
export const DISPOSITIONS = ['warning', 'demerit', 'dismissal', 'referred'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const EVIDENCE_KINDS = [
  'document',
  'record',
  'interview',
  'site_visit',
  'bank_statement',
  'other',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export interface CaseLink {
  readonly kind: LinkKind;
  /** The finding's beneficiary id, the alert id, or a free reference for a manual case. */
  readonly ref: string;
  readonly amountFen: Fen;
  readonly at: EpochMs;
  readonly by: string;
}

export interface CaseSummary {
  readonly caseId: string;
  readonly openedAt: EpochMs;
  readonly openedBy: string;
  readonly status: CaseStatus;
  readonly subjectType: SubjectType;
  readonly subjectId: string;
  readonly title: string;
  readonly beneficiaryIds: readonly string[];
  /** The money the linked findings say was overpaid (and any amount given by hand). */
  readonly amountAtRiskFen: Fen;
  readonly amountRecoveredFen: Fen;
  readonly assignee: string | undefined;
  readonly updatedAt: EpochMs;
}

/** One line of a case's timeline: a note, a piece of evidence, a status change, an assignment, a join. */
export type CaseEvent =
  | { readonly kind: 'note'; readonly at: EpochMs; readonly by: string; readonly text: string }
  | {
      readonly kind: 'evidence';
      readonly at: EpochMs;
      readonly by: string;
      readonly evidenceKind: EvidenceKind;
      readonly reference: string;
      readonly description: string;
    }
  | {
      readonly kind: 'transition';
      readonly at: EpochMs;
      readonly by: string;
      readonly from: CaseStatus;
      readonly to: CaseStatus;
      readonly reason: string;
      /** The second person, when four-eyes applied. */
      readonly approvedBy?: string | undefined;
    }
  | { readonly kind: 'assignment'; readonly at: EpochMs; readonly by: string; readonly assignee: string }
  | {
      readonly kind: 'link';
      readonly at: EpochMs;
      readonly by: string;
      readonly linkKind: LinkKind;
      readonly ref: string;
    };

export interface RecoveryEntry {
  readonly entryId: string;
  readonly at: EpochMs;
  readonly by: string;
  readonly kind: RecoveryEntryKind;
  readonly route: RecoveryRoute | undefined;
  readonly amountFen: Fen;
  readonly note: string;
}

export interface RecoveryTotals {
  readonly dueFen: Fen;
  readonly demandedFen: Fen;
  readonly recoveredFen: Fen;
  readonly outstandingFen: Fen;
  readonly recoveredByRoute: Readonly<Record<RecoveryRoute, Fen>>;
}

/**
 * The ledger's totals: what is due, what was demanded, what came back (per route), what is still outstanding.
 * @example recoveryTotals([{ kind: 'due', amountFen: 5000, … }, { kind: 'recovered', route: 'repayment', amountFen: 2000, … }]).outstandingFen // 3000
 */
export function recoveryTotals(
  entries: readonly Pick<RecoveryEntry, 'kind' | 'route' | 'amountFen'>[],
): RecoveryTotals {
  const byRoute = Object.fromEntries(RECOVERY_ROUTES.map((r) => [r, 0])) as Record<RecoveryRoute, Fen>;
  let dueFen = 0;
  let demandedFen = 0;
  let recoveredFen = 0;
  for (const entry of entries) {
    if (entry.kind === 'due') dueFen += entry.amountFen;
    else if (entry.kind === 'demanded') demandedFen += entry.amountFen;
    else {
      recoveredFen += entry.amountFen;
      if (entry.route !== undefined) byRoute[entry.route] += entry.amountFen;
    }
  }
  return {
    dueFen,
    demandedFen,
    recoveredFen,
    outstandingFen: Math.max(0, dueFen - recoveredFen),
    recoveredByRoute: byRoute,
  };
}

export interface AccountabilityRecord {
  readonly recordId: string;
  readonly at: EpochMs;
  readonly by: string;
  readonly handlerId: string;
  readonly disposition: Disposition;
  readonly note: string;
}

export interface CaseDetail extends CaseSummary {
  readonly links: readonly CaseLink[];
  readonly events: readonly CaseEvent[];
  readonly recovery: readonly RecoveryEntry[];
  readonly accountability: readonly AccountabilityRecord[];
  readonly closedAt: EpochMs | undefined;
}

/** Whether closing needs a second person: money was at risk or is due. */
export function hasMoneyAtStake(detail: Pick<CaseDetail, 'amountAtRiskFen' | 'recovery'>): boolean {
  return detail.amountAtRiskFen > 0 || recoveryTotals(detail.recovery).dueFen > 0;
}

/**
 * A subject's id as people see it by default: a card number masked, any identity number in it masked.
 * @example maskSubject('card', '6217001234567890123') // '621700*********0123'
 */
export const maskSubject = (type: string, id: string): string =>
  type === 'card' ? maskCardNumber(id) : maskText(id);

import type { Fen } from '../core/money.js';
import type { EpochMs } from '../core/time.js';
import type { Approval, ApprovalAction, ApprovalStatus, BenefitOrder } from './approval.js';
import type {
  AccountabilityRecord,
  CaseDetail,
  CaseEvent,
  CaseLink,
  CaseStatus,
  CaseSummary,
  RecoveryEntry,
  SubjectType,
} from './case.js';

/** A page of a list sorted and cut on the server. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
}

export interface PageQuery<S extends string> {
  readonly offset: number;
  readonly limit: number;
  readonly sort: S;
  readonly order: 'asc' | 'desc';
}

export const CASE_SORTS = [
  'opened_at',
  'updated_at',
  'status',
  'amount_at_risk',
  'amount_recovered',
] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

export interface CaseQuery extends PageQuery<CaseSort> {
  readonly status?: CaseStatus | undefined;
  readonly assignee?: string | undefined;
  readonly beneficiaryId?: string | undefined;
}

export interface NewCase {
  readonly caseId: string;
  readonly openedAt: EpochMs;
  readonly openedBy: string;
  readonly subjectType: SubjectType;
  readonly subjectId: string;
  readonly title: string;
  readonly beneficiaryIds: readonly string[];
  readonly link: CaseLink;
  readonly assignee: string | undefined;
}

/**
 * Cases as a store keeps them. At most one case that is not closed exists per subject: the store enforces it
 * (a unique index), so that two people opening the same finding at once get one case.
 * @example
 * const created = await cases.insertCase(newCase); // false: an open case for that subject exists
 */
export interface CaseStore {
  /** Inserts a case with its first link; false when the subject already has a case that is not closed. */
  insertCase(c: NewCase): Promise<boolean>;
  /** The case not yet closed about this subject, if any. */
  findOpenCase(subjectType: SubjectType, subjectId: string): Promise<string | undefined>;
  /** Links a finding or alert to a case (once: a repeated link is ignored) and adds its beneficiaries. */
  joinCase(caseId: string, link: CaseLink, beneficiaryIds: readonly string[]): Promise<boolean>;
  getCase(caseId: string): Promise<CaseDetail | undefined>;
  listCases(query: CaseQuery): Promise<Page<CaseSummary>>;
  /** Every case in case_id order, in batches (export). */
  readCases(options?: { readonly batchSize?: number }): AsyncIterable<readonly CaseSummary[]>;
  /** Moves a case from `from` to `to` (compare-and-set: false when it was no longer in `from`). */
  setCaseStatus(
    caseId: string,
    from: CaseStatus,
    event: Extract<CaseEvent, { kind: 'transition' }>,
  ): Promise<boolean>;
  setCaseAssignee(caseId: string, event: Extract<CaseEvent, { kind: 'assignment' }>): Promise<boolean>;
  addCaseEvent(caseId: string, event: Extract<CaseEvent, { kind: 'note' | 'evidence' }>): Promise<void>;
  addRecoveryEntry(caseId: string, entry: RecoveryEntry): Promise<void>;
  addAccountability(caseId: string, record: AccountabilityRecord): Promise<void>;

  /** Each beneficiary's handler (beneficiaries.handler_id), for conflict-of-interest checks. */
  beneficiaryHandlers(beneficiaryIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Each handler's unit (handlers.unit). */
  handlerUnits(handlerIds: readonly string[]): Promise<ReadonlyMap<string, string | undefined>>;

  /** Inserts a pending approval; false when one is already pending for the same action and target. */
  createApproval(approval: Approval): Promise<boolean>;
  getApproval(approvalId: string): Promise<Approval | undefined>;
  listApprovals(query: {
    readonly offset: number;
    readonly limit: number;
    readonly status?: ApprovalStatus | undefined;
    readonly action?: ApprovalAction | undefined;
  }): Promise<Page<Approval>>;
  /** Decides a pending approval (compare-and-set: false when it was no longer pending). */
  decideApproval(
    approvalId: string,
    decision: {
      readonly status: 'approved' | 'rejected';
      readonly by: string;
      readonly at: EpochMs;
      readonly note: string;
    },
  ): Promise<boolean>;
  addBenefitOrder(order: BenefitOrder): Promise<void>;
  listBenefitOrders(beneficiaryId: string): Promise<readonly BenefitOrder[]>;

  /** Who an alert is assigned to (alerts live with the monitor; their assignment is the cases' business). */
  assignAlert(alertId: string, assignee: string, by: string, at: EpochMs): Promise<void>;
  alertAssignees(alertIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** A death-matching finding as cases need it: who, how much, and the evidence. */
export interface SuspectSummary {
  readonly beneficiaryId: string;
  readonly name: string;
  readonly handlerId: string | undefined;
  readonly deathDate: string;
  readonly matchProbability: number;
  readonly decision: string;
  readonly firstUnentitledPeriod: string;
  readonly overpaidFen: Fen;
  readonly statusAfter: string;
  readonly evidence: readonly string[];
}

export const SUSPECT_SORTS = ['overpaid', 'match_probability', 'death_date', 'beneficiary_id'] as const;
export type SuspectSort = (typeof SUSPECT_SORTS)[number];

/** Death-matching findings, paged on the server (implemented over the matching tables). */
export interface SuspectReader {
  listSuspects(
    query: PageQuery<SuspectSort> & { readonly decision?: string | undefined },
  ): Promise<Page<SuspectSummary>>;
  getSuspect(beneficiaryId: string): Promise<SuspectSummary | undefined>;
}

/** A monitor alert as cases need it (the monitor's alert, whatever it carries besides). */
export interface AlertView {
  readonly alertId: string;
  readonly rule: string;
  readonly severity: string;
  readonly score: number;
  readonly firstTs: EpochMs;
  readonly lastTs: EpochMs;
  readonly entityType: string;
  readonly entityId: string;
  readonly beneficiaryIds: readonly string[];
  readonly explanation: string;
  readonly evidence: readonly string[];
}

export const ALERT_SORTS = ['last_ts', 'first_ts', 'score', 'severity'] as const;
export type AlertSort = (typeof ALERT_SORTS)[number];

/** Monitor alerts, paged on the server; empty until the monitor stores any. */
export interface AlertReader {
  listAlerts(
    query: PageQuery<AlertSort> & { readonly severity?: string | undefined },
  ): Promise<Page<AlertView>>;
  getAlert(alertId: string): Promise<AlertView | undefined>;
}

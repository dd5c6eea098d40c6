import { randomBytes } from 'node:crypto';
import type { Fen } from '../core/money.js';
import { fail, ok, type Result } from '../core/result.js';
import { shanghaiDate } from '../core/time.js';
import type { Actor, Approval, ApprovalAction, BenefitOrder } from './approval.js';
import {
  type AccountabilityRecord,
  type CaseDetail,
  type CaseLink,
  type CaseStatus,
  checkTransition,
  type Disposition,
  type EvidenceKind,
  hasMoneyAtStake,
  type RecoveryEntryKind,
  type RecoveryRoute,
  type SubjectType,
} from './case.js';
import type { AlertReader, AlertView, CaseStore, SuspectReader } from './ports.js';

export interface CaseServiceDeps {
  readonly cases: CaseStore;
  readonly suspects: SuspectReader;
  readonly alerts: AlertReader;
  readonly clock: () => number;
  /** Random suffixes of new ids (tests may fix them). */
  readonly randomId?: () => string;
}

export interface OpenOutcome {
  readonly caseId: string;
  /** False: the subject already had an open case, which the finding joined. */
  readonly created: boolean;
}

export type TransitionOutcome =
  | { readonly kind: 'done'; readonly status: CaseStatus }
  | { readonly kind: 'pending'; readonly approval: Approval };

export interface ApprovalOutcome {
  readonly approval: Approval;
}

/** The subject of an alert: its one beneficiary, else its entity (terminal, ring, card …). */
export function alertSubject(alert: AlertView): { type: SubjectType; id: string } {
  if (alert.beneficiaryIds.length === 1) return { type: 'beneficiary', id: alert.beneficiaryIds[0]! };
  const type = alert.entityType as SubjectType;
  return { type, id: alert.entityId };
}

/**
 * Cases: findings and alerts open or join cases (one open case per subject), the workflow, notes, evidence,
 * the recovery ledger, accountability, four-eyes approvals and conflict-of-interest recusal. Every function
 * returns a Result whose issue codes say what was refused: `not_found`, `conflict_of_interest`,
 * `case.invalid_transition`, `case.closed`, `four_eyes.same_user`, `four_eyes.same_unit`, `four_eyes.no_unit` …
 * @example
 * const cases = createCaseService({ cases: store, suspects: store, alerts: store, clock: Date.now });
 * const opened = await cases.openFromSuspect({ name: 'li', unit: 'fund-supervision', handlerId: undefined }, 'B17');
 */
export function createCaseService(deps: CaseServiceDeps) {
  const { cases, clock } = deps;
  const random = deps.randomId ?? (() => randomBytes(4).toString('hex').toUpperCase());
  const newId = (prefix: string): string =>
    `${prefix}-${shanghaiDate(clock()).replace(/-/g, '')}-${random()}`;

  /** Refuses a user linked to a handler of these beneficiaries (or of the unit of one), or named among handlers. */
  async function conflictOf(
    actor: Actor,
    beneficiaryIds: readonly string[],
    handlerIds: readonly string[] = [],
  ): Promise<Result<true>> {
    if (actor.handlerId === undefined && actor.unit === undefined) return ok(true);
    const byBeneficiary = await cases.beneficiaryHandlers(beneficiaryIds);
    const involved = new Set([...byBeneficiary.values(), ...handlerIds]);
    if (actor.handlerId !== undefined && involved.has(actor.handlerId)) {
      return fail(
        'conflict_of_interest',
        'you are the handler of a beneficiary in this matter: a colleague from another unit must act on it (回避)',
      );
    }
    if (actor.unit !== undefined && involved.size > 0) {
      const units = await cases.handlerUnits([...involved]);
      if ([...units.values()].some((unit) => unit !== undefined && unit === actor.unit)) {
        return fail(
          'conflict_of_interest',
          'a handler of your own unit handles a beneficiary in this matter: someone from another unit must act on it (回避)',
        );
      }
    }
    return ok(true);
  }

  const involvedHandlers = (detail: CaseDetail): string[] => [
    ...(detail.subjectType === 'handler' ? [detail.subjectId] : []),
    ...detail.accountability.map((a) => a.handlerId),
  ];

  /** The case, if it exists and the actor may act on it (not closed unless `allowClosed`). */
  async function actionable(actor: Actor, caseId: string, allowClosed = false): Promise<Result<CaseDetail>> {
    const detail = await cases.getCase(caseId);
    if (detail === undefined) return fail('not_found', `no case ${caseId}`);
    const conflict = await conflictOf(actor, detail.beneficiaryIds, involvedHandlers(detail));
    if (!conflict.ok) return conflict;
    if (!allowClosed && detail.status === 'closed') {
      return fail('case.closed', `case ${caseId} is closed: it no longer changes`);
    }
    return ok(detail);
  }

  async function openOrJoin(
    actor: Actor,
    subject: { type: SubjectType; id: string },
    title: string,
    beneficiaryIds: readonly string[],
    link: CaseLink,
  ): Promise<Result<OpenOutcome>> {
    const conflict = await conflictOf(actor, beneficiaryIds, subject.type === 'handler' ? [subject.id] : []);
    if (!conflict.ok) return conflict;
    // Two tries: a case opened by someone else between the look-up and the insert is joined instead.
    for (let attempt = 0; attempt < 2; attempt++) {
      const existing = await cases.findOpenCase(subject.type, subject.id);
      if (existing !== undefined) {
        await cases.joinCase(existing, link, beneficiaryIds);
        return ok({ caseId: existing, created: false });
      }
      const caseId = newId('CASE');
      const created = await cases.insertCase({
        caseId,
        openedAt: link.at,
        openedBy: actor.name,
        subjectType: subject.type,
        subjectId: subject.id,
        title,
        beneficiaryIds,
        link,
        assignee: undefined,
      });
      if (created) return ok({ caseId, created: true });
    }
    return fail('case.busy', 'the case was being opened by someone else at the same time; try again');
  }

  async function execute(approval: Approval, approver: Actor): Promise<Result<true>> {
    const [kind, id = ''] = splitTarget(approval.target);
    switch (approval.action) {
      case 'case.close': {
        if (kind !== 'case') return fail('approval.bad_target', `${approval.target} is not a case`);
        const detail = await cases.getCase(id);
        if (detail === undefined) return fail('not_found', `no case ${id}`);
        const allowed = checkTransition(detail.status, 'closed');
        if (!allowed.ok) return allowed;
        const moved = await cases.setCaseStatus(id, detail.status, {
          kind: 'transition',
          at: clock(),
          by: approval.requestedBy,
          from: detail.status,
          to: 'closed',
          reason: approval.reason,
          approvedBy: approver.name,
        });
        return moved ? ok(true) : fail('case.changed', `case ${id} changed meanwhile; look at it again`);
      }
      case 'benefit.suspend':
      case 'benefit.reactivate': {
        const order: BenefitOrder = {
          orderId: newId('ORDER'),
          beneficiaryId: id,
          action: approval.action === 'benefit.suspend' ? 'suspend' : 'reactivate',
          reason: approval.reason,
          requestedBy: approval.requestedBy,
          approvedBy: approver.name,
          approvalId: approval.approvalId,
          at: clock(),
        };
        await cases.addBenefitOrder(order);
        return ok(true);
      }
      default: {
        const never: never = approval.action;
        return fail('approval.unknown_action', `unknown action ${String(never)}`);
      }
    }
  }

  async function approvalSubjects(
    approval: Approval,
  ): Promise<Result<{ beneficiaryIds: string[]; handlerIds: string[] }>> {
    const [kind, id = ''] = splitTarget(approval.target);
    if (kind === 'beneficiary') return ok({ beneficiaryIds: [id], handlerIds: [] });
    const detail = await cases.getCase(id);
    if (detail === undefined) return fail('not_found', `no case ${id}`);
    return ok({ beneficiaryIds: [...detail.beneficiaryIds], handlerIds: involvedHandlers(detail) });
  }

  async function request(
    actor: Actor,
    action: ApprovalAction,
    target: string,
    reason: string,
  ): Promise<Result<Approval>> {
    const approval: Approval = {
      approvalId: newId('APPROVAL'),
      action,
      target,
      reason,
      requestedBy: actor.name,
      requesterUnit: actor.unit,
      requestedAt: clock(),
      status: 'pending',
      decidedBy: undefined,
      decidedAt: undefined,
      decisionNote: undefined,
    };
    if (!(await cases.createApproval(approval))) {
      return fail(
        'approval.already_pending',
        `a request to ${action} ${target} is already waiting for approval`,
      );
    }
    return ok(approval);
  }

  return {
    conflictOf,

    /** Opens a case by hand (no finding needed), or joins the subject's open case. */
    async openManual(
      actor: Actor,
      input: {
        readonly subjectType: SubjectType;
        readonly subjectId: string;
        readonly title: string;
        readonly beneficiaryIds: readonly string[];
        readonly amountAtRiskFen: Fen;
        readonly reference: string;
      },
    ): Promise<Result<OpenOutcome>> {
      const beneficiaryIds =
        input.subjectType === 'beneficiary' && !input.beneficiaryIds.includes(input.subjectId)
          ? [input.subjectId, ...input.beneficiaryIds]
          : input.beneficiaryIds;
      return openOrJoin(
        actor,
        { type: input.subjectType, id: input.subjectId },
        input.title,
        beneficiaryIds,
        {
          kind: 'manual',
          ref: input.reference,
          amountFen: input.amountAtRiskFen,
          at: clock(),
          by: actor.name,
        },
      );
    },

    /** Opens (or joins) the case of a death-matching finding; the overpaid amount is the money at risk. */
    async openFromSuspect(actor: Actor, beneficiaryId: string): Promise<Result<OpenOutcome>> {
      const suspect = await deps.suspects.getSuspect(beneficiaryId);
      if (suspect === undefined)
        return fail('not_found', `no death-matching finding for beneficiary ${beneficiaryId}`);
      return openOrJoin(
        actor,
        { type: 'beneficiary', id: beneficiaryId },
        `Suspected deceased beneficiary ${beneficiaryId} (death ${suspect.deathDate})`,
        [beneficiaryId],
        { kind: 'suspect', ref: beneficiaryId, amountFen: suspect.overpaidFen, at: clock(), by: actor.name },
      );
    },

    /** Opens (or joins) the case of an alert's subject. */
    async openFromAlert(actor: Actor, alertId: string): Promise<Result<OpenOutcome>> {
      const alert = await deps.alerts.getAlert(alertId);
      if (alert === undefined) return fail('not_found', `no alert ${alertId}`);
      return openOrJoin(
        actor,
        alertSubject(alert),
        `Alert ${alert.rule} on ${alert.entityType}`,
        alert.beneficiaryIds,
        {
          kind: 'alert',
          ref: alertId,
          amountFen: 0,
          at: clock(),
          by: actor.name,
        },
      );
    },

    async get(caseId: string): Promise<Result<CaseDetail>> {
      const detail = await cases.getCase(caseId);
      return detail === undefined ? fail('not_found', `no case ${caseId}`) : ok(detail);
    },

    /**
     * Moves a case on. Closing a case with money at stake becomes a pending approval for a second person of
     * another unit instead.
     */
    async transition(
      actor: Actor,
      caseId: string,
      to: CaseStatus,
      reason: string,
    ): Promise<Result<TransitionOutcome>> {
      const found = await actionable(actor, caseId);
      if (!found.ok) return found;
      const detail = found.value;
      const allowed = checkTransition(detail.status, to);
      if (!allowed.ok) return allowed;
      if (to === 'closed' && hasMoneyAtStake(detail)) {
        const approval = await request(actor, 'case.close', `case:${caseId}`, reason);
        return approval.ok ? ok({ kind: 'pending', approval: approval.value }) : approval;
      }
      const moved = await cases.setCaseStatus(caseId, detail.status, {
        kind: 'transition',
        at: clock(),
        by: actor.name,
        from: detail.status,
        to,
        reason,
      });
      if (!moved) return fail('case.changed', `case ${caseId} changed meanwhile; look at it again`);
      return ok({ kind: 'done', status: to });
    },

    async assign(actor: Actor, caseId: string, assignee: string): Promise<Result<true>> {
      const found = await actionable(actor, caseId);
      if (!found.ok) return found;
      await cases.setCaseAssignee(caseId, { kind: 'assignment', at: clock(), by: actor.name, assignee });
      return ok(true);
    },

    async addNote(actor: Actor, caseId: string, text: string): Promise<Result<true>> {
      const found = await actionable(actor, caseId);
      if (!found.ok) return found;
      await cases.addCaseEvent(caseId, { kind: 'note', at: clock(), by: actor.name, text });
      return ok(true);
    },

    async addEvidence(
      actor: Actor,
      caseId: string,
      evidence: {
        readonly evidenceKind: EvidenceKind;
        readonly reference: string;
        readonly description: string;
      },
    ): Promise<Result<true>> {
      const found = await actionable(actor, caseId);
      if (!found.ok) return found;
      await cases.addCaseEvent(caseId, { kind: 'evidence', at: clock(), by: actor.name, ...evidence });
      return ok(true);
    },

    /** Adds a ledger entry: money due, demanded (by a route) or recovered (by a route). */
    async addRecovery(
      actor: Actor,
      caseId: string,
      entry: {
        readonly kind: RecoveryEntryKind;
        readonly route: RecoveryRoute | undefined;
        readonly amountFen: Fen;
        readonly note: string;
      },
    ): Promise<Result<string>> {
      const found = await actionable(actor, caseId);
      if (!found.ok) return found;
      if (entry.kind !== 'due' && entry.route === undefined) {
        return fail('recovery.route_required', `money ${entry.kind} needs its route`, ['route']);
      }
      if (!['confirmed', 'recovery'].includes(found.value.status)) {
        return fail(
          'recovery.not_confirmed',
          `case ${caseId} is ${found.value.status}: recovery is recorded once the case is confirmed`,
        );
      }
      const entryId = newId('REC');
      await cases.addRecoveryEntry(caseId, { entryId, at: clock(), by: actor.name, ...entry });
      return ok(entryId);
    },

    async addAccountability(
      actor: Actor,
      caseId: string,
      record: { readonly handlerId: string; readonly disposition: Disposition; readonly note: string },
    ): Promise<Result<string>> {
      const found = await actionable(actor, caseId);
      if (!found.ok) return found;
      const conflict = await conflictOf(actor, [], [record.handlerId]);
      if (!conflict.ok) return conflict;
      const recordId = newId('ACC');
      const full: AccountabilityRecord = { recordId, at: clock(), by: actor.name, ...record };
      await cases.addAccountability(caseId, full);
      return ok(recordId);
    },

    /** Asks for a benefit to be suspended or reactivated: it happens once a second person approves. */
    async requestBenefitAction(
      actor: Actor,
      beneficiaryId: string,
      action: 'suspend' | 'reactivate',
      reason: string,
    ): Promise<Result<Approval>> {
      const conflict = await conflictOf(actor, [beneficiaryId]);
      if (!conflict.ok) return conflict;
      return request(
        actor,
        action === 'suspend' ? 'benefit.suspend' : 'benefit.reactivate',
        `beneficiary:${beneficiaryId}`,
        reason,
      );
    },

    /**
     * Approves a pending request and carries it out. Refused for the requester, for anyone of the requester's
     * unit (or without a unit), and under a conflict of interest.
     */
    async decide(
      actor: Actor,
      approvalId: string,
      verdict: 'approved' | 'rejected',
      note: string,
    ): Promise<Result<ApprovalOutcome>> {
      const approval = await cases.getApproval(approvalId);
      if (approval === undefined) return fail('not_found', `no approval ${approvalId}`);
      if (approval.status !== 'pending') {
        return fail('approval.decided', `approval ${approvalId} was already ${approval.status}`);
      }
      const withdrawing = verdict === 'rejected' && actor.name === approval.requestedBy;
      if (!withdrawing) {
        if (actor.name === approval.requestedBy) {
          return fail(
            'four_eyes.same_user',
            'you asked for this: a second person must approve it (双人复核)',
          );
        }
        if (actor.unit === undefined || approval.requesterUnit === undefined) {
          return fail(
            'four_eyes.no_unit',
            'four-eyes needs both people to belong to a unit; ask an admin to set yours',
          );
        }
        if (actor.unit === approval.requesterUnit) {
          return fail(
            'four_eyes.same_unit',
            `the second person must be of another unit than ${approval.requesterUnit}`,
          );
        }
        const subjects = await approvalSubjects(approval);
        if (!subjects.ok) return subjects;
        const conflict = await conflictOf(actor, subjects.value.beneficiaryIds, subjects.value.handlerIds);
        if (!conflict.ok) return conflict;
      }
      // Decided first (compare-and-set), so that two approvers at once carry the action out once.
      const decided = await cases.decideApproval(approvalId, {
        status: verdict,
        by: actor.name,
        at: clock(),
        note,
      });
      if (!decided)
        return fail('approval.decided', `approval ${approvalId} was decided by someone else meanwhile`);
      if (verdict === 'approved') {
        const done = await execute(approval, actor);
        if (!done.ok) return done;
      }
      return ok({ approval: (await cases.getApproval(approvalId))! });
    },
  };
}

export type CaseService = ReturnType<typeof createCaseService>;

function splitTarget(target: string): [string, string | undefined] {
  const at = target.indexOf(':');
  return at < 0 ? [target, undefined] : [target.slice(0, at), target.slice(at + 1)];
}

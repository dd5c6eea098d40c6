import { z } from 'zod';
import { APPROVAL_STATUSES } from '../../cases/approval.js';
import {
  CASE_STATUSES,
  DISPOSITIONS,
  EVIDENCE_KINDS,
  maskSubject,
  RECOVERY_ENTRY_KINDS,
  RECOVERY_ROUTES,
  recoveryTotals,
  SUBJECT_TYPES,
} from '../../cases/case.js';
import { CASE_SORTS } from '../../cases/ports.js';
import { maskText } from '../../core/mask.js';
import type { Result } from '../../core/result.js';
import type { ApiEnv } from '../context.js';
import { errorFromIssues } from '../http-error.js';
import { route } from '../route.js';
import { approvalId, caseId, fen, freeText, identifier, pageOf, pageQuery, userName } from '../schemas.js';
import { approvalView, caseSummaryView, defined, toApprovalView, toCaseSummaryView } from './views.js';

const READERS = ['supervisor', 'investigator', 'analyst', 'auditor'] as const;
const WORKERS = ['supervisor', 'investigator'] as const;

const unwrap = <T>(result: Result<T>): T => {
  if (!result.ok) throw errorFromIssues(result.issues);
  return result.value;
};

// The response schemas are exported so that src/api/web-types.check.ts holds the dashboard's types to them.
export const caseOpenedView = z.object({ caseId: z.string(), created: z.boolean() });
const caseParams = z.object({ caseId });

export const caseDetailView = caseSummaryView.extend({
  closedAt: z.number().int().optional(),
  links: z.array(
    z.object({
      kind: z.string(),
      ref: z.string(),
      amountFen: z.number().int(),
      at: z.number().int(),
      by: z.string(),
    }),
  ),
  events: z.array(z.looseObject({ kind: z.string(), at: z.number().int(), by: z.string() })),
  recovery: z.array(
    z.object({
      entryId: z.string(),
      at: z.number().int(),
      by: z.string(),
      kind: z.enum(RECOVERY_ENTRY_KINDS),
      route: z.enum(RECOVERY_ROUTES).optional(),
      amountFen: z.number().int(),
      note: z.string(),
    }),
  ),
  recoveryTotals: z.object({
    dueFen: z.number().int(),
    demandedFen: z.number().int(),
    recoveredFen: z.number().int(),
    outstandingFen: z.number().int(),
    recoveredByRoute: z.record(z.enum(RECOVERY_ROUTES), z.number().int()),
  }),
  accountability: z.array(
    z.object({
      recordId: z.string(),
      at: z.number().int(),
      by: z.string(),
      handlerId: z.string(),
      disposition: z.enum(DISPOSITIONS),
      note: z.string(),
    }),
  ),
});

export const casePageView = pageOf(caseSummaryView);
export const approvalPageView = pageOf(approvalView);
export const caseTransitionView = z.object({
  status: z.enum(CASE_STATUSES),
  approval: approvalView.optional(),
});

/** Cases: open (by hand, from a finding, from an alert), read, assign, move on, notes, evidence, recovery, accountability; approvals. */
export function caseRoutes(env: ApiEnv) {
  const { store } = env.deps;
  const { cases } = env;

  return [
    route({
      method: 'get',
      path: '/api/cases',
      summary: 'List cases',
      tag: 'cases',
      access: READERS,
      query: pageQuery(CASE_SORTS, 'opened_at').extend({
        status: z.enum(CASE_STATUSES).optional(),
        assignee: userName.optional(),
        beneficiaryId: identifier().optional(),
      }),
      response: casePageView,
      audit: 'cases.list',
      async handler({ query }) {
        const page = await store.cases.listCases(query);
        return { ...page, items: page.items.map(toCaseSummaryView) };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases',
      summary: 'Open a case by hand (or join the subject’s open case)',
      tag: 'cases',
      access: WORKERS,
      body: z.object({
        subjectType: z.enum(SUBJECT_TYPES),
        subjectId: identifier(),
        title: freeText(200),
        beneficiaryIds: z.array(identifier()).max(1000).default([]),
        amountAtRiskFen: fen.default(0),
        reference: freeText(200),
      }),
      example: {
        subjectType: 'beneficiary',
        subjectId: 'B0017',
        title: 'Tip-off: pension still collected for a villager who died in 2019',
        beneficiaryIds: ['B0017'],
        amountAtRiskFen: 480000,
        reference: 'letter 2021-017',
      },
      status: 201,
      response: caseOpenedView,
      audit: 'case.open',
      async handler(ctx) {
        const { body, actor, audit } = ctx;
        const outcome = unwrap(await cases.openManual(actor, body));
        audit.target = `case:${outcome.caseId}`;
        audit.detail = {
          subject: `${body.subjectType}:${maskSubject(body.subjectType, body.subjectId)}`,
          created: outcome.created,
        };
        if (!outcome.created) ctx.status = 200;
        return outcome;
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/from-suspect',
      summary: 'Open (or join) the case of a death-matching finding',
      tag: 'cases',
      access: WORKERS,
      body: z.object({ beneficiaryId: identifier() }),
      example: { beneficiaryId: 'B0017' },
      status: 201,
      response: caseOpenedView,
      audit: 'case.open',
      async handler(ctx) {
        const { body, actor, audit } = ctx;
        audit.detail = { suspect: body.beneficiaryId };
        const outcome = unwrap(await cases.openFromSuspect(actor, body.beneficiaryId));
        audit.target = `case:${outcome.caseId}`;
        if (!outcome.created) ctx.status = 200;
        return outcome;
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/from-alert',
      summary: 'Open (or join) the case of an alert',
      tag: 'cases',
      access: WORKERS,
      body: z.object({ alertId: identifier() }),
      example: { alertId: 'AL-3f9c0a1b2c3d4e5f60718293' },
      status: 201,
      response: caseOpenedView,
      audit: 'case.open',
      async handler(ctx) {
        const { body, actor, audit } = ctx;
        audit.detail = { alert: body.alertId };
        const outcome = unwrap(await cases.openFromAlert(actor, body.alertId));
        audit.target = `case:${outcome.caseId}`;
        if (!outcome.created) ctx.status = 200;
        return outcome;
      },
    }),
    route({
      method: 'get',
      path: '/api/cases/{caseId}',
      summary: 'Read a case: timeline, recovery ledger, accountability',
      tag: 'cases',
      access: READERS,
      params: caseParams,
      response: caseDetailView,
      audit: 'case.read',
      async handler({ params, audit }) {
        audit.target = `case:${params.caseId}`;
        const detail = unwrap(await cases.get(params.caseId));
        return {
          ...toCaseSummaryView(detail),
          ...(detail.closedAt === undefined ? {} : { closedAt: detail.closedAt }),
          links: detail.links.map((l) => ({ ...l, ref: maskText(l.ref) })),
          events: detail.events.map((e) => JSON.parse(maskText(JSON.stringify(defined(e))))),
          recovery: detail.recovery.map((r) => defined({ ...r, note: maskText(r.note) })),
          recoveryTotals: recoveryTotals(detail.recovery),
          accountability: detail.accountability.map((a) => ({ ...a, note: maskText(a.note) })),
        };
      },
    }),
    route({
      method: 'patch',
      path: '/api/cases/{caseId}',
      summary: 'Assign a case',
      tag: 'cases',
      access: ['supervisor'],
      params: caseParams,
      body: z.object({ assignee: userName }),
      example: { assignee: 'li.wei' },
      response: z.object({ caseId: z.string(), assignee: z.string() }),
      audit: 'case.assign',
      async handler({ params, body, actor, audit }) {
        audit.target = `case:${params.caseId}`;
        audit.detail = { assignee: body.assignee };
        unwrap(await cases.assign(actor, params.caseId, body.assignee));
        return { caseId: params.caseId, assignee: body.assignee };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/{caseId}/transitions',
      summary: 'Move a case on (closing with money at stake waits for a second person)',
      tag: 'cases',
      access: WORKERS,
      params: caseParams,
      body: z.object({ to: z.enum(CASE_STATUSES), reason: freeText(1000) }),
      example: { to: 'investigating', reason: 'two death sources agree; visiting the family' },
      response: caseTransitionView,
      audit: 'case.transition',
      async handler(ctx) {
        const { params, body, actor, audit } = ctx;
        audit.target = `case:${params.caseId}`;
        audit.detail = { to: body.to };
        const outcome = unwrap(await cases.transition(actor, params.caseId, body.to, body.reason));
        if (outcome.kind === 'done') return { status: outcome.status };
        ctx.status = 202;
        audit.outcome = 'pending';
        audit.detail = { to: body.to, approval: outcome.approval.approvalId };
        const current = unwrap(await cases.get(params.caseId));
        return { status: current.status, approval: toApprovalView(outcome.approval) };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/{caseId}/notes',
      summary: 'Add a note to a case',
      tag: 'cases',
      access: WORKERS,
      params: caseParams,
      body: z.object({ text: freeText(4000) }),
      example: { text: 'Called the village committee: the holder died in March 2019.' },
      status: 201,
      response: z.object({ ok: z.literal(true) }),
      audit: 'case.note',
      async handler({ params, body, actor, audit }) {
        audit.target = `case:${params.caseId}`;
        unwrap(await cases.addNote(actor, params.caseId, body.text));
        return { ok: true as const };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/{caseId}/evidence',
      summary: 'Add evidence to a case',
      tag: 'cases',
      access: WORKERS,
      params: caseParams,
      body: z.object({ kind: z.enum(EVIDENCE_KINDS), reference: freeText(200), description: freeText(2000) }),
      example: {
        kind: 'document',
        reference: 'cremation certificate 2019-0312',
        description: 'copy obtained from the crematorium',
      },
      status: 201,
      response: z.object({ ok: z.literal(true) }),
      audit: 'case.evidence',
      async handler({ params, body, actor, audit }) {
        audit.target = `case:${params.caseId}`;
        audit.detail = { kind: body.kind, reference: body.reference };
        unwrap(
          await cases.addEvidence(actor, params.caseId, {
            evidenceKind: body.kind,
            reference: body.reference,
            description: body.description,
          }),
        );
        return { ok: true as const };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/{caseId}/recovery',
      summary: 'Record money due, demanded or recovered',
      tag: 'cases',
      access: WORKERS,
      params: caseParams,
      body: z.object({
        kind: z.enum(RECOVERY_ENTRY_KINDS),
        route: z.enum(RECOVERY_ROUTES).optional(),
        amountFen: fen.refine((n) => n > 0, { error: 'must be more than 0 fen' }),
        note: freeText(1000),
      }),
      example: {
        kind: 'recovered',
        route: 'bank_reclamation',
        amountFen: 240000,
        note: 'reclaimed by the card issuer',
      },
      status: 201,
      response: z.object({ entryId: z.string() }),
      audit: 'case.recovery',
      async handler({ params, body, actor, audit }) {
        audit.target = `case:${params.caseId}`;
        audit.detail = { kind: body.kind, route: body.route, amountFen: body.amountFen };
        const entryId = unwrap(
          await cases.addRecovery(actor, params.caseId, {
            kind: body.kind,
            route: body.route,
            amountFen: body.amountFen,
            note: body.note,
          }),
        );
        return { entryId };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/{caseId}/accountability',
      summary: 'Record what happened to a handler (warning, demerit, dismissal, referred to the judiciary)',
      tag: 'cases',
      access: WORKERS,
      params: caseParams,
      body: z.object({ handlerId: identifier(), disposition: z.enum(DISPOSITIONS), note: freeText(2000) }),
      example: {
        handlerId: 'H-STATION-07',
        disposition: 'referred',
        note: '移送司法机关: vouched for 40 dead villagers',
      },
      status: 201,
      response: z.object({ recordId: z.string() }),
      audit: 'case.accountability',
      async handler({ params, body, actor, audit }) {
        audit.target = `case:${params.caseId}`;
        audit.detail = { handlerId: body.handlerId, disposition: body.disposition };
        const recordId = unwrap(await cases.addAccountability(actor, params.caseId, body));
        return { recordId };
      },
    }),
    route({
      method: 'get',
      path: '/api/approvals',
      summary: 'List four-eyes approvals',
      tag: 'approvals',
      access: ['supervisor', 'investigator', 'auditor'],
      query: pageQuery(['requested_at'] as const, 'requested_at').extend({
        status: z.enum(APPROVAL_STATUSES).optional(),
      }),
      response: approvalPageView,
      audit: 'approvals.list',
      async handler({ query }) {
        const page = await store.cases.listApprovals(query);
        return { ...page, items: page.items.map(toApprovalView) };
      },
    }),
    route({
      method: 'post',
      path: '/api/approvals',
      summary: 'Ask to suspend or reactivate a benefit (a second person of another unit approves)',
      tag: 'approvals',
      access: WORKERS,
      body: z.object({
        action: z.enum(['benefit.suspend', 'benefit.reactivate']),
        beneficiaryId: identifier(),
        reason: freeText(1000),
      }),
      example: {
        action: 'benefit.suspend',
        beneficiaryId: 'B0017',
        reason: 'cremation and household-register records agree',
      },
      status: 202,
      response: approvalView,
      audit: 'approval.request',
      async handler({ body, actor, audit }) {
        audit.target = `beneficiary:${body.beneficiaryId}`;
        audit.outcome = 'pending';
        const approval = unwrap(
          await cases.requestBenefitAction(
            actor,
            body.beneficiaryId,
            body.action === 'benefit.suspend' ? 'suspend' : 'reactivate',
            body.reason,
          ),
        );
        audit.detail = { action: body.action, approval: approval.approvalId };
        return toApprovalView(approval);
      },
    }),
    route({
      method: 'post',
      path: '/api/approvals/{approvalId}/approve',
      summary: 'Approve a request (not the requester, not the same unit) and carry it out',
      tag: 'approvals',
      access: ['supervisor'],
      params: z.object({ approvalId }),
      body: z.object({ note: freeText(1000) }),
      example: { note: 'checked the two death records' },
      response: approvalView,
      audit: 'approval.approve',
      async handler({ params, body, actor, audit }) {
        audit.target = `approval:${params.approvalId}`;
        const { approval } = unwrap(await cases.decide(actor, params.approvalId, 'approved', body.note));
        audit.detail = { action: approval.action, target: approval.target };
        return toApprovalView(approval);
      },
    }),
    route({
      method: 'post',
      path: '/api/approvals/{approvalId}/reject',
      summary: 'Reject a request (or withdraw one’s own)',
      tag: 'approvals',
      access: WORKERS,
      params: z.object({ approvalId }),
      body: z.object({ note: freeText(1000) }),
      example: { note: 'the family showed the holder alive' },
      response: approvalView,
      audit: 'approval.reject',
      async handler({ params, body, actor, audit }) {
        audit.target = `approval:${params.approvalId}`;
        const { approval } = unwrap(await cases.decide(actor, params.approvalId, 'rejected', body.note));
        return toApprovalView(approval);
      },
    }),
  ];
}

import { z } from 'zod';
import { ALERT_SORTS, SUSPECT_SORTS } from '../../cases/ports.js';
import { maskCardNumber } from '../../core/card-number.js';
import { maskIdNumber } from '../../core/id-number.js';
import { maskName, maskText } from '../../core/mask.js';
import { RECORD_KINDS } from '../../records/enums.js';
import type { ApiEnv } from '../context.js';
import { ApiError, errorFromIssues } from '../http-error.js';
import { route } from '../route.js';
import { fen, freeText, identifier, pageOf, pageQuery } from '../schemas.js';

const READERS = ['supervisor', 'investigator', 'analyst', 'auditor'] as const;
const DECIDERS = ['supervisor', 'investigator'] as const;

// The response schemas are exported so that src/api/web-types.check.ts holds the dashboard's types to them.
export const suspectView = z.object({
  beneficiaryId: z.string(),
  nameMasked: z.string(),
  handlerId: z.string().optional(),
  deathDate: z.string(),
  matchProbability: z.number(),
  decision: z.string(),
  firstUnentitledPeriod: z.string(),
  overpaidFen: z.number().int(),
  statusAfter: z.string(),
  evidence: z.array(z.string()),
});

export const alertView = z.object({
  alertId: z.string(),
  rule: z.string(),
  severity: z.string(),
  score: z.number(),
  firstTs: z.number().int(),
  lastTs: z.number().int(),
  entityType: z.string(),
  entityId: z.string(),
  beneficiaryIds: z.array(z.string()),
  explanation: z.string(),
  evidence: z.array(z.string()),
  assignee: z.string().optional(),
  /** `open`, or `closed` once idle for its typology's period. */
  status: z.enum(['open', 'closed']),
});

export const suspectPageView = pageOf(suspectView);
export const alertPageView = pageOf(alertView);
export const revealedAlertView = z.object({
  alertId: z.string(),
  entityType: z.string(),
  entityId: z.string(),
});

export const statusView = z.object({
  store: z.object({
    dialect: z.enum(['sqlite', 'postgres']),
    location: z.string(),
    schemaVersion: z.number().int(),
  }),
  rows: z.record(z.enum(RECORD_KINDS), z.number().int()),
  quarantine: z.array(
    z.object({
      file: z.string(),
      kind: z.string(),
      rows: z.number().int(),
      loadedBy: z.enum(['ingest', 'monitor --replay']),
    }),
  ),
  dataQualityFlags: z.number().int(),
  jobs: z.array(z.object({ job: z.string(), outcome: z.string(), finishedAt: z.number().int() })),
  cases: z.object({ total: z.number().int(), notClosed: z.number().int() }),
});

export const quarantinePageView = z.object({
  items: z.array(
    z.object({
      file: z.string(),
      kind: z.string(),
      line: z.number().int(),
      column: z.string().optional(),
      code: z.string(),
      reason: z.string(),
      raw: z.string(),
    }),
  ),
  /** How many rows are quarantined (in `file` when given): the page shows "N rows quarantined". */
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
});

export const suspectDetailView = z.object({
  suspect: suspectView,
  links: z.array(
    z.object({
      source: z.string(),
      recordId: z.string(),
      deathDate: z.string(),
      matchWeight: z.number(),
      matchProbability: z.number(),
      explanation: z
        .object({
          priorWeight: z.number(),
          terms: z.array(
            z.object({
              comparison: z.string(),
              level: z.number(),
              label: z.string(),
              weight: z.number(),
              tfAdjustment: z.number(),
            }),
          ),
        })
        .optional(),
    }),
  ),
  decisions: z.array(
    z.object({
      decisionId: z.string(),
      decidedAt: z.number().int(),
      decision: z.string(),
      action: z.string(),
      reason: z.string(),
      statusBefore: z.string(),
      statusAfter: z.string(),
      reversed: z.boolean(),
    }),
  ),
  caseIds: z.array(z.string()),
});

export const beneficiaryView = z.object({
  beneficiaryId: z.string(),
  nameMasked: z.string(),
  idNumberMasked: z.string().optional(),
  bankCardMasked: z.string().optional(),
  regionCode: z.string().optional(),
  status: z.string(),
  handlerId: z.string().optional(),
  monthlyAmountFen: z.number().int().optional(),
  benefitOrders: z.array(
    z.object({ orderId: z.string(), action: z.string(), at: z.number().int(), approvedBy: z.string() }),
  ),
});

export const revealedBeneficiaryView = z.object({
  beneficiaryId: z.string(),
  name: z.string(),
  idNumber: z.string().optional(),
  bankCard: z.string().optional(),
  phone: z.string().optional(),
  address: z.string().optional(),
});

export const handlerRiskView = z.object({
  handlerId: z.string(),
  rank: z.number().int(),
  riskScore: z.number(),
  beneficiaries: z.number().int(),
  deceasedLinked: z.number().int(),
  expectedDeceased: z.number(),
  pValue: z.number(),
  reasons: z.array(z.string()),
});
export const handlerRiskPageView = pageOf(handlerRiskView);

export const ringSummaryView = z.object({
  ringId: z.string(),
  cardsMasked: z.array(z.string()),
  beneficiaryIds: z.array(z.string()),
  sweeps: z.number().int(),
  terminals: z.array(z.string()),
  firstTs: z.number().int(),
  lastTs: z.number().int(),
  withdrawnFen: fen,
  deceasedBeneficiaries: z.number().int(),
  score: z.number(),
  explanation: z.string(),
});
export const ringPageView = pageOf(ringSummaryView);

const reason = z.object({ reason: freeText(500) });

/** Status, quarantine, death-matching findings, alerts, handler ranking, rings, and revealing masked numbers. */
export function findingRoutes(env: ApiEnv) {
  const { store } = env.deps;

  const maskAlert = (
    a: Awaited<ReturnType<typeof store.cases.getAlert>> & object,
    assignee: string | undefined,
    status: 'open' | 'closed',
  ) => ({
    alertId: a.alertId,
    rule: a.rule,
    severity: a.severity,
    score: a.score,
    firstTs: a.firstTs,
    lastTs: a.lastTs,
    entityType: a.entityType,
    entityId: a.entityType === 'card' ? maskCardNumber(a.entityId) : maskText(a.entityId),
    beneficiaryIds: [...a.beneficiaryIds],
    explanation: maskText(a.explanation),
    evidence: [...a.evidence],
    ...(assignee === undefined ? {} : { assignee }),
    status,
  });

  const suspect = (s: Awaited<ReturnType<typeof store.cases.getSuspect>> & object) => ({
    beneficiaryId: s.beneficiaryId,
    nameMasked: maskName(s.name),
    ...(s.handlerId === undefined ? {} : { handlerId: s.handlerId }),
    deathDate: s.deathDate,
    matchProbability: s.matchProbability,
    decision: s.decision,
    firstUnentitledPeriod: s.firstUnentitledPeriod,
    overpaidFen: s.overpaidFen,
    statusAfter: s.statusAfter,
    evidence: [...s.evidence],
  });

  return [
    route({
      method: 'get',
      path: '/api/status',
      summary: 'See what the store holds',
      tag: 'status',
      access: ['admin', ...READERS],
      response: statusView,
      async handler() {
        const status = await store.status();
        const query = { offset: 0, limit: 1, sort: 'opened_at', order: 'desc' } as const;
        const total = (await store.cases.listCases(query)).total;
        const closed = (await store.cases.listCases({ ...query, status: 'closed' })).total;
        return {
          store: {
            ...status.store,
            location: status.store.dialect === 'sqlite' ? status.store.location : 'postgres',
          },
          rows: status.rows,
          quarantine: status.quarantine.map((q) => ({
            file: q.file,
            kind: q.kind,
            rows: q.rows,
            loadedBy: q.loadedBy,
          })),
          dataQualityFlags: status.dataQualityFlags,
          jobs: status.jobs.map((j) => ({ job: j.job, outcome: j.outcome, finishedAt: j.finishedAt })),
          cases: { total, notClosed: total - closed },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/quarantine',
      summary: 'List quarantined rows',
      tag: 'status',
      access: ['admin', 'supervisor', 'analyst'],
      query: z.object({
        file: z.string().max(500).optional(),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      response: quarantinePageView,
      audit: 'quarantine.read',
      async handler({ query }) {
        // Paged and counted in SQL, so that a deep page does not read every row before it.
        const page = await store.dashboard.quarantinePage(query);
        return {
          total: page.total,
          items: page.items.map((q) => ({
            file: q.file,
            kind: q.kind,
            line: q.line,
            ...(q.column === undefined ? {} : { column: q.column }),
            code: q.code,
            reason: maskText(q.reason),
            raw: maskText(q.raw),
          })),
          offset: query.offset,
          limit: query.limit,
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/suspects',
      summary: 'List death-matching findings (suspected deceased still paid)',
      tag: 'findings',
      access: READERS,
      query: pageQuery(SUSPECT_SORTS, 'overpaid').extend({
        decision: z.enum(['confirmed', 'review']).optional(),
      }),
      response: suspectPageView,
      audit: 'suspects.list',
      async handler({ query }) {
        const page = await store.cases.listSuspects(query);
        return { ...page, items: page.items.map(suspect) };
      },
    }),
    route({
      method: 'get',
      path: '/api/suspects/{beneficiaryId}',
      summary: 'Read one finding with its explanation',
      tag: 'findings',
      access: READERS,
      params: z.object({ beneficiaryId: identifier() }),
      response: suspectDetailView,
      audit: 'suspect.read',
      async handler({ params, audit }) {
        audit.target = `beneficiary:${params.beneficiaryId}`;
        const found = await store.cases.getSuspect(params.beneficiaryId);
        if (found === undefined)
          throw new ApiError(404, 'not_found', `no finding for beneficiary ${params.beneficiaryId}`);
        const links = await store.linksOf([params.beneficiaryId]);
        const decisions = await store.decisionHistory(params.beneficiaryId);
        const cases = await store.cases.listCases({
          offset: 0,
          limit: 100,
          sort: 'opened_at',
          order: 'desc',
          beneficiaryId: params.beneficiaryId,
        });
        return {
          suspect: suspect(found),
          links: links.map((l) => ({
            source: l.source,
            recordId: l.recordId,
            deathDate: l.deathDate,
            matchWeight: l.matchWeight,
            matchProbability: l.matchProbability,
            ...(l.explanation === undefined
              ? {}
              : {
                  explanation: {
                    priorWeight: l.explanation.priorWeight,
                    terms: l.explanation.terms.map((t) => ({ ...t })),
                  },
                }),
          })),
          decisions: decisions.map((d) => ({
            decisionId: d.decisionId,
            decidedAt: d.decidedAt,
            decision: d.decision,
            action: d.action,
            reason: maskText(d.reason),
            statusBefore: d.statusBefore,
            statusAfter: d.statusAfter,
            reversed: d.reversal !== undefined,
          })),
          caseIds: cases.items.map((c) => c.caseId),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/beneficiaries/{beneficiaryId}',
      summary: 'Read a beneficiary (identity and card numbers masked)',
      tag: 'findings',
      access: READERS,
      params: z.object({ beneficiaryId: identifier() }),
      response: beneficiaryView,
      audit: 'beneficiary.read',
      async handler({ params, audit }) {
        audit.target = `beneficiary:${params.beneficiaryId}`;
        const b = await store.findRecord('beneficiaries', { beneficiaryId: params.beneficiaryId });
        if (b === undefined) throw new ApiError(404, 'not_found', `no beneficiary ${params.beneficiaryId}`);
        const orders = await store.cases.listBenefitOrders(params.beneficiaryId);
        return {
          beneficiaryId: b.beneficiaryId,
          nameMasked: maskName(b.name),
          ...(b.idNumber === undefined ? {} : { idNumberMasked: maskIdNumber(b.idNumber) }),
          ...(b.bankCard === undefined ? {} : { bankCardMasked: maskCardNumber(b.bankCard) }),
          ...(b.regionCode === undefined ? {} : { regionCode: b.regionCode }),
          status: b.status,
          ...(b.handlerId === undefined ? {} : { handlerId: b.handlerId }),
          ...(b.monthlyAmountFen === undefined ? {} : { monthlyAmountFen: b.monthlyAmountFen }),
          benefitOrders: orders.map((o) => ({
            orderId: o.orderId,
            action: o.action,
            at: o.at,
            approvedBy: o.approvedBy,
          })),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/beneficiaries/{beneficiaryId}/reveal',
      summary: 'Reveal a beneficiary’s identity and card numbers (with a reason; audited)',
      tag: 'findings',
      access: DECIDERS,
      params: z.object({ beneficiaryId: identifier() }),
      body: reason,
      example: { reason: 'bank reclamation request to the card issuer' },
      response: revealedBeneficiaryView,
      audit: 'beneficiary.reveal',
      async handler({ params, body, actor, audit }) {
        audit.target = `beneficiary:${params.beneficiaryId}`;
        audit.detail = { reason: body.reason };
        const conflict = await env.cases.conflictOf(actor, [params.beneficiaryId]);
        if (!conflict.ok) throw errorFromIssues(conflict.issues);
        const b = await store.findRecord('beneficiaries', { beneficiaryId: params.beneficiaryId });
        if (b === undefined) throw new ApiError(404, 'not_found', `no beneficiary ${params.beneficiaryId}`);
        return {
          beneficiaryId: b.beneficiaryId,
          name: b.name,
          ...(b.idNumber === undefined ? {} : { idNumber: b.idNumber }),
          ...(b.bankCard === undefined ? {} : { bankCard: b.bankCard }),
          ...(b.phone === undefined ? {} : { phone: b.phone }),
          ...(b.address === undefined ? {} : { address: b.address }),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/alerts',
      summary: 'List card-monitor alerts',
      tag: 'alerts',
      access: READERS,
      query: pageQuery(ALERT_SORTS, 'last_ts').extend({
        severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
        status: z.enum(['open', 'closed']).optional(),
      }),
      response: alertPageView,
      audit: 'alerts.list',
      async handler({ query }) {
        const page = await store.dashboard.listAlerts(query);
        const assignees = await store.cases.alertAssignees(page.items.map((a) => a.alertId));
        return {
          total: page.total,
          offset: query.offset,
          limit: query.limit,
          items: page.items.map((a) => maskAlert(a, assignees.get(a.alertId), a.status)),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/alerts/{alertId}',
      summary: 'Read one alert with its explanation',
      tag: 'alerts',
      access: READERS,
      params: z.object({ alertId: identifier() }),
      response: alertView,
      audit: 'alert.read',
      async handler({ params, audit }) {
        audit.target = `alert:${params.alertId}`;
        const alert = await store.cases.getAlert(params.alertId);
        if (alert === undefined) throw new ApiError(404, 'not_found', `no alert ${params.alertId}`);
        const assignees = await store.cases.alertAssignees([alert.alertId]);
        const status = (await store.dashboard.alertStatus(alert.alertId)) ?? 'open';
        return maskAlert(alert, assignees.get(alert.alertId), status);
      },
    }),
    route({
      method: 'post',
      path: '/api/alerts/{alertId}/assign',
      summary: 'Assign an alert to a person',
      tag: 'alerts',
      access: ['supervisor'],
      params: z.object({ alertId: identifier() }),
      body: z.object({ assignee: identifier() }),
      example: { assignee: 'li.wei' },
      response: z.object({ alertId: z.string(), assignee: z.string() }),
      audit: 'alert.assign',
      async handler({ params, body, actor, audit }) {
        audit.target = `alert:${params.alertId}`;
        audit.detail = { assignee: body.assignee };
        const alert = await store.cases.getAlert(params.alertId);
        if (alert === undefined) throw new ApiError(404, 'not_found', `no alert ${params.alertId}`);
        const conflict = await env.cases.conflictOf(actor, alert.beneficiaryIds);
        if (!conflict.ok) throw errorFromIssues(conflict.issues);
        await store.cases.assignAlert(params.alertId, body.assignee, actor.name, env.deps.clock());
        return { alertId: params.alertId, assignee: body.assignee };
      },
    }),
    route({
      method: 'post',
      path: '/api/alerts/{alertId}/reveal',
      summary: 'Reveal an alert’s card number (with a reason; audited)',
      tag: 'alerts',
      access: DECIDERS,
      params: z.object({ alertId: identifier() }),
      body: reason,
      example: { reason: 'ask the issuing bank to block the card' },
      response: revealedAlertView,
      audit: 'alert.reveal',
      async handler({ params, body, actor, audit }) {
        audit.target = `alert:${params.alertId}`;
        audit.detail = { reason: body.reason };
        const alert = await store.cases.getAlert(params.alertId);
        if (alert === undefined) throw new ApiError(404, 'not_found', `no alert ${params.alertId}`);
        const conflict = await env.cases.conflictOf(actor, alert.beneficiaryIds);
        if (!conflict.ok) throw errorFromIssues(conflict.issues);
        return { alertId: alert.alertId, entityType: alert.entityType, entityId: alert.entityId };
      },
    }),
    route({
      method: 'get',
      path: '/api/handlers',
      summary: 'Rank handlers by risk',
      tag: 'analytics',
      access: READERS,
      query: pageQuery(['rank', 'deceased_linked'] as const, 'rank').extend({
        order: z.enum(['asc', 'desc']).default('asc'),
      }),
      response: handlerRiskPageView,
      audit: 'handlers.list',
      async handler({ query }) {
        const all = [...((await (env.deps.analytics ?? store.analytics).listHandlerRisk()) ?? [])];
        const key =
          query.sort === 'rank'
            ? (h: (typeof all)[number]) => h.rank
            : (h: (typeof all)[number]) => h.deceasedLinked;
        all.sort((a, b) => (query.order === 'asc' ? key(a) - key(b) : key(b) - key(a)));
        return {
          items: all.slice(query.offset, query.offset + query.limit).map((h) => ({
            handlerId: h.handlerId,
            rank: h.rank,
            riskScore: h.riskScore,
            beneficiaries: h.beneficiaries,
            deceasedLinked: h.deceasedLinked,
            expectedDeceased: h.expectedDeceased,
            pValue: h.pValue,
            reasons: h.reasons.map(maskText),
          })),
          total: all.length,
          offset: query.offset,
          limit: query.limit,
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/rings',
      summary: 'List rings of cards used together',
      tag: 'analytics',
      access: READERS,
      query: pageQuery(['score', 'withdrawn', 'sweeps'] as const, 'score'),
      response: ringPageView,
      audit: 'rings.list',
      async handler({ query }) {
        const all = [...((await (env.deps.analytics ?? store.analytics).listRings()) ?? [])];
        const key = (r: (typeof all)[number]) =>
          query.sort === 'score' ? r.score : query.sort === 'withdrawn' ? r.withdrawnFen : r.sweeps;
        all.sort((a, b) => (query.order === 'asc' ? key(a) - key(b) : key(b) - key(a)));
        return {
          items: all.slice(query.offset, query.offset + query.limit).map((r) => ({
            ringId: r.ringId,
            cardsMasked: r.members.map((m) => maskCardNumber(m.card)),
            beneficiaryIds: [...new Set(r.members.flatMap((m) => m.beneficiaryIds))],
            sweeps: r.sweeps,
            terminals: [...r.terminals],
            firstTs: r.firstTs,
            lastTs: r.lastTs,
            withdrawnFen: r.withdrawnFen,
            deceasedBeneficiaries: r.deceasedBeneficiaries,
            score: r.score,
            explanation: maskText(r.explanation),
          })),
          total: all.length,
          offset: query.offset,
          limit: query.limit,
        };
      },
    }),
  ];
}

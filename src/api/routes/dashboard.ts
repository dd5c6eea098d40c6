import { z } from 'zod';
import { maskCardNumber } from '../../core/card-number.js';
import { maskText } from '../../core/mask.js';
import {
  type EpochMs,
  parseDate,
  parseTimestamp,
  shanghaiDate,
  startOfShanghaiDay,
} from '../../core/time.js';
import { backtest } from '../../monitor/backtest.js';
import { defaultRules } from '../../monitor/default-rules.js';
import type { CardEvent } from '../../records/schemas.js';
import { mostActiveCards, type TimelineRow } from '../../store/dashboard-sql.js';
import type { ApiEnv } from '../context.js';
import { ApiError } from '../http-error.js';
import { route } from '../route.js';
import { fen, identifier } from '../schemas.js';

const READERS = ['supervisor', 'investigator', 'analyst', 'auditor'] as const;
const DAY = 86_400_000;
/** Lines of a beneficiary's timeline returned at most (newest first). */
export const TIMELINE_LIMIT = 500;
/** The longest range a back-test over the API may cover (days): it runs in the request. */
export const BACKTEST_MAX_DAYS = 366;

const count = z.number().int().min(0);
// The response schemas are exported so that src/api/web-types.check.ts holds the dashboard's types to them.
export const overviewView = z.object({
  beneficiaries: count,
  suspects: count,
  /** Overpayment claimed (the total `ghostwatch match` prints). */
  overpaidFen: fen,
  /** Overpayment set aside: contested by a life sign, or no death record about the beneficiary. */
  overpaidSetAsideFen: fen,
  recoveredFen: fen,
  openAlerts: count,
  openCases: count,
  months: z.array(
    z.object({
      month: z.string().regex(/^\d{4}-\d{2}$/),
      deaths: count,
      overpaidFen: fen,
      alerts: count,
      recoveredFen: fen,
    }),
  ),
});

const TIMELINE_KINDS = [
  'payment',
  'death_reported',
  'certification',
  'status_change',
  'card_activity',
] as const;
export const timelineView = z.object({
  items: z.array(
    z.object({
      kind: z.enum(TIMELINE_KINDS),
      at: z.number().int(),
      text: z.string(),
      amountFen: fen.optional(),
    }),
  ),
  /** True when some lines were left out (more than the cap). */
  truncated: z.boolean(),
});

const NODE_KINDS = ['card', 'beneficiary', 'handler', 'terminal'] as const;
export const ringGraphView = z.object({
  nodes: z.array(z.object({ id: z.string(), kind: z.enum(NODE_KINDS), label: z.string() })),
  edges: z.array(z.object({ source: z.string(), target: z.string(), kind: z.string() })),
  /** How many of the ring's cards the graph draws (all of them unless `?maxCards=` cut it). */
  cards: z.object({ drawn: count, total: count }),
});
const ringView = z.object({
  ringId: z.string(),
  cardsMasked: z.array(z.string()),
  beneficiaryIds: z.array(z.string()),
  handlers: z.array(z.object({ handlerId: z.string(), vouchedAfterDeath: count })),
  sweeps: count,
  terminals: z.array(z.string()),
  firstTs: z.number().int(),
  lastTs: z.number().int(),
  withdrawnFen: fen,
  deceasedBeneficiaries: count,
  score: z.number(),
  explanation: z.string(),
});

export const rulesView = z.object({
  version: z.string(),
  detectors: z.array(
    z.object({ id: z.string(), kind: z.string(), params: z.record(z.string(), z.unknown()) }),
  ),
  typologies: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      entityType: z.string(),
      threshold: z.number(),
      severity: z.record(z.string(), z.number()),
      detectors: z.array(z.object({ detector: z.string(), weight: z.number() })),
    }),
  ),
});

const date = z
  .string()
  .max(10)
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'is not a date (YYYY-MM-DD)' });
export const backtestView = z.object({
  ruleVersion: z.string(),
  from: z.string(),
  to: z.string(),
  events: count,
  alerts: count,
  months: z.array(
    z.object({
      month: z.string(),
      alerts: count,
      byRule: z.record(z.string(), count),
    }),
  ),
});

export const alertMonthsView = z.object({
  months: z.array(z.object({ month: z.string(), alerts: count, byRule: z.record(z.string(), count) })),
});

/** A stored date (`YYYY-MM-DD`) or timestamp as epoch ms (midnight in Asia/Shanghai for a date). */
function instantOf(text: string): EpochMs {
  const day = parseDate(text);
  if (day.ok) return startOfShanghaiDay(day.value);
  const moment = parseTimestamp(text);
  return moment.ok ? moment.value : 0;
}

const fenText = (amountFen: number) => `¥${(amountFen / 100).toFixed(2)}`;

/** One timeline line as shown: card numbers masked, free text masked. */
function timelineItem(row: TimelineRow) {
  switch (row.kind) {
    case 'payment':
      return {
        kind: row.kind,
        at: instantOf(row.at),
        text: `paid ${fenText(row.amountFen)} for ${row.period}${row.card === undefined ? '' : ` to card ${maskCardNumber(row.card)}`}`,
        amountFen: row.amountFen,
      };
    case 'death_reported':
      return {
        kind: row.kind,
        at: instantOf(row.at),
        text: maskText(
          `death on ${row.deathDate} reported by ${row.source} (record ${row.recordId})${
            row.matchProbability === undefined ? '' : `, match probability ${row.matchProbability.toFixed(3)}`
          }`,
        ),
      };
    case 'certification':
      return {
        kind: row.kind,
        at: instantOf(row.at),
        text: `certified alive (${row.channel})${row.handlerId === undefined ? '' : ` by handler ${row.handlerId}`}`,
      };
    case 'status_change':
      return {
        kind: row.kind,
        at: instantOf(row.at),
        text: maskText(
          `status ${row.fromStatus ?? '?'} → ${row.toStatus}${row.reason === undefined ? '' : ` (${row.reason})`}${
            row.handlerId === undefined ? '' : ` by handler ${row.handlerId}`
          }`,
        ),
      };
    case 'card_activity':
      return {
        kind: row.kind,
        at: row.ts,
        text: `${row.type} ${row.result} on card ${maskCardNumber(row.card)} (${row.channel}${
          row.terminalId === undefined ? '' : ` at ${maskText(row.terminalId)}`
        })`,
        ...(row.amountFen === undefined ? {} : { amountFen: row.amountFen }),
      };
    default: {
      const never: never = row;
      throw new Error(`unknown timeline row ${JSON.stringify(never)}`);
    }
  }
}

async function* eventsBetween(
  history: ApiEnv['deps']['store']['monitor'],
  from: EpochMs,
  to: EpochMs,
): AsyncGenerator<CardEvent> {
  for await (const batch of history.readCardEvents({ from, to })) yield* batch;
}

/** The overview, a beneficiary's timeline, one ring and its graph, the rules in force and a back-test of them. */
export function dashboardRoutes(env: ApiEnv) {
  const { store } = env.deps;
  const rules = () => env.deps.rules ?? defaultRules();

  const ringOf = async (ringId: string, maxCards?: number) => {
    const ring = await store.dashboard.getRing(ringId, maxCards === undefined ? {} : { maxCards });
    if (ring === undefined) throw new ApiError(404, 'not_found', `no ring ${ringId}`);
    return ring;
  };

  return [
    route({
      method: 'get',
      path: '/api/overview',
      summary: 'See totals and monthly trends',
      tag: 'overview',
      access: READERS,
      response: overviewView,
      async handler() {
        const overview = await store.dashboard.overview();
        return { ...overview, months: overview.months.map((m) => ({ ...m })) };
      },
    }),
    route({
      method: 'get',
      path: '/api/beneficiaries/{beneficiaryId}/timeline',
      summary: 'Read a beneficiary’s history (payments, deaths reported, certifications, status, card use)',
      tag: 'findings',
      access: READERS,
      params: z.object({ beneficiaryId: identifier() }),
      response: timelineView,
      audit: 'beneficiary.timeline',
      async handler({ params, audit }) {
        audit.target = `beneficiary:${params.beneficiaryId}`;
        const b = await store.findRecord('beneficiaries', { beneficiaryId: params.beneficiaryId });
        if (b === undefined) throw new ApiError(404, 'not_found', `no beneficiary ${params.beneficiaryId}`);
        const rows = await store.dashboard.timeline(params.beneficiaryId, TIMELINE_LIMIT);
        const items = rows.map(timelineItem).sort((x, y) => y.at - x.at);
        return { items: items.slice(0, TIMELINE_LIMIT), truncated: items.length > TIMELINE_LIMIT };
      },
    }),
    route({
      method: 'get',
      path: '/api/rings/{ringId}',
      summary: 'Read one ring of cards used together',
      tag: 'analytics',
      access: READERS,
      params: z.object({ ringId: identifier() }),
      response: ringView,
      audit: 'ring.read',
      async handler({ params, audit }) {
        audit.target = `ring:${params.ringId}`;
        const r = await ringOf(params.ringId);
        return {
          ringId: r.ringId,
          cardsMasked: r.members.map((m) => maskCardNumber(m.card)),
          beneficiaryIds: [...new Set(r.members.flatMap((m) => m.beneficiaryIds))],
          handlers: r.handlers.map((h) => ({ ...h })),
          sweeps: r.sweeps,
          terminals: [...r.terminals],
          firstTs: r.firstTs,
          lastTs: r.lastTs,
          withdrawnFen: r.withdrawnFen,
          deceasedBeneficiaries: r.deceasedBeneficiaries,
          score: r.score,
          explanation: maskText(r.explanation),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/rings/{ringId}/graph',
      summary: 'Read a ring as a graph of cards, beneficiaries, handlers and terminals',
      tag: 'analytics',
      access: READERS,
      params: z.object({ ringId: identifier() }),
      query: z.object({
        /** Draw only the ring's most active cards (by sweeps): a ring of thousands of cards is not drawable. */
        maxCards: z.coerce.number().int().min(1).max(100_000).optional(),
      }),
      response: ringGraphView,
      audit: 'ring.graph',
      async handler({ params, query, audit }) {
        audit.target = `ring:${params.ringId}`;
        const r = await ringOf(params.ringId, query.maxCards);
        const drawn = new Set(mostActiveCards(r.members, query.maxCards).map((m) => m.card));
        type Node = { id: string; kind: (typeof NODE_KINDS)[number]; label: string };
        const nodes = new Map<string, Node>();
        const edges: { source: string; target: string; kind: string }[] = [];
        const node = (kind: Node['kind'], key: string, label: string) => {
          const id = `${kind}:${key}`;
          if (!nodes.has(id)) nodes.set(id, { id, kind, label });
          return id;
        };
        // Cards are keyed by position, so that no node id carries a card number.
        r.members.forEach((m, index) => {
          if (!drawn.has(m.card)) return;
          const card = node('card', String(index + 1), maskCardNumber(m.card));
          for (const beneficiaryId of m.beneficiaryIds) {
            const holder = node('beneficiary', beneficiaryId, beneficiaryId);
            edges.push({ source: card, target: holder, kind: 'card_of' });
            const handlerId = r.managedBy.get(beneficiaryId);
            if (handlerId !== undefined) {
              edges.push({ source: node('handler', handlerId, handlerId), target: holder, kind: 'manages' });
            }
          }
          for (const terminal of r.cardTerminals.get(m.card) ?? []) {
            edges.push({
              source: card,
              target: node('terminal', terminal, maskText(terminal)),
              kind: 'used_at',
            });
          }
        });
        for (const h of r.handlers) node('handler', h.handlerId, h.handlerId);
        for (const terminal of r.terminals) node('terminal', terminal, maskText(terminal));
        const seen = new Set<string>();
        const unique = edges.filter((e) => {
          const key = `${e.source}|${e.target}|${e.kind}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        return {
          nodes: [...nodes.values()],
          edges: unique,
          cards: { drawn: drawn.size, total: r.members.length },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/rules',
      summary: 'See the card-monitoring rule set in force',
      tag: 'monitor',
      access: READERS,
      response: rulesView,
      async handler() {
        const r = rules();
        return {
          version: r.version,
          detectors: r.detectors.map((d) => ({
            id: d.id,
            kind: d.kind,
            params: (typeof d.params === 'object' && d.params !== null ? d.params : {}) as Record<
              string,
              unknown
            >,
          })),
          typologies: r.typologies.map((t) => ({
            id: t.id,
            title: t.title,
            entityType: t.entityType,
            threshold: t.threshold,
            severity: { ...t.severity },
            detectors: t.detectors.map((d) => ({ detector: d.detector, weight: d.weight })),
          })),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/alert-months',
      summary:
        'See the stored alerts counted by month and rule (the rules page’s chart; cheap, unlike a back-test)',
      tag: 'monitor',
      access: READERS,
      response: alertMonthsView,
      async handler() {
        const months = new Map<string, Record<string, number>>();
        for (const row of await store.dashboard.alertMonths()) {
          const entry = months.get(row.month) ?? {};
          entry[row.rule] = row.alerts;
          months.set(row.month, entry);
        }
        return {
          months: [...months.entries()].map(([month, byRule]) => ({
            month,
            alerts: Object.values(byRule).reduce((a, b) => a + b, 0),
            byRule,
          })),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/backtest',
      summary: 'See what the rules in force would have raised per month and rule over stored events',
      tag: 'monitor',
      access: READERS,
      query: z.object({ from: date.optional(), to: date.optional() }),
      response: backtestView,
      async handler({ query }) {
        const parse = (text: string, name: string) => {
          const parsed = parseDate(text);
          if (!parsed.ok) throw new ApiError(400, 'invalid_request', `${name}: ${parsed.issues[0]?.message}`);
          return startOfShanghaiDay(parsed.value);
        };
        // The range defaults to the year before the last stored event; `to` is inclusive (the whole day).
        const span = await store.dashboard.cardEventSpan();
        const lastDay = span === undefined ? env.deps.clock() : span.last;
        const to =
          query.to === undefined
            ? startOfShanghaiDay(shanghaiDate(lastDay)) + DAY
            : parse(query.to, 'query.to') + DAY;
        const from =
          query.from === undefined ? to - BACKTEST_MAX_DAYS * DAY : parse(query.from, 'query.from');
        if (to <= from) throw new ApiError(400, 'invalid_request', 'query.to: must not be before from');
        if (to - from > BACKTEST_MAX_DAYS * DAY) {
          throw new ApiError(
            400,
            'invalid_request',
            `query: the range may cover at most ${BACKTEST_MAX_DAYS} days; back-test longer ranges with ghostwatch backtest`,
          );
        }
        const inForce = rules();
        const report = await backtest({
          rules: inForce,
          reference: await store.monitor.loadReferenceData(),
          events: eventsBetween(store.monitor, from, to),
          from,
          to,
        });
        const months = new Map<string, Record<string, number>>();
        for (const [rule, perMonth] of Object.entries(report.byTypology)) {
          for (const [month, n] of Object.entries(perMonth)) {
            const entry = months.get(month) ?? {};
            entry[rule] = n;
            months.set(month, entry);
          }
        }
        return {
          ruleVersion: report.ruleVersion,
          from: shanghaiDate(from),
          to: shanghaiDate(to - DAY),
          events: report.events,
          alerts: report.alerts.length,
          months: [...months.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([month, byRule]) => ({
              month,
              alerts: Object.values(byRule).reduce((a, b) => a + b, 0),
              byRule,
            })),
        };
      },
    }),
  ];
}

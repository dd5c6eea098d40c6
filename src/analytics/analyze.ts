import { formatYuan } from '../core/money.js';
import { type CalendarDate, type EpochMs, shanghaiDate } from '../core/time.js';
import { type CoUseOptions, createCoUseDetector, type DetectedRing } from './co-use.js';
import { createEntityGraph, type EntityGraph, nodeKey } from './entity-graph.js';
import { type HandlerRiskOptions, rankHandlers } from './handler-risk.js';
import {
  createHistoryAnalysis,
  type HistoryAnalysisOptions,
  type RingBeneficiary,
  type RingCardInfo,
} from './history-analysis.js';
import type {
  AnalyticsStore,
  AnomalyKind,
  HandlerRisk,
  RingFinding,
  RingHandlerLink,
  RingMember,
} from './ports.js';

/**
 * `ghostwatch analyze`: card co-use → rings; one pass over the roll → certification, reactivation and account
 * anomalies and each handler's acts; the entity graph of everything a ring or an anomaly touches; handler risk
 * against peers; all of it stored, replacing the previous run.
 */

export interface AnalyzeOptions {
  /** Only what was known on this day (records dated after it are left out). */
  readonly asOf?: CalendarDate;
  readonly batchSize?: number;
  readonly coUse?: Partial<CoUseOptions>;
  readonly history?: Partial<HistoryAnalysisOptions>;
  readonly risk?: Partial<HandlerRiskOptions>;
}

export type AnalyzeStage = 'card use' | 'roll' | 'scoring' | 'saving';

export interface AnalyzeProgress {
  readonly stage: AnalyzeStage;
  readonly done: number;
  readonly total?: number;
}

export interface AnalyzeSummary {
  readonly asOf: CalendarDate | null;
  readonly deathEvidence: 'matching' | 'exact_id';
  readonly terminalUses: number;
  readonly multiCardSweeps: number;
  readonly rings: number;
  readonly ringCards: number;
  readonly beneficiaries: number;
  readonly believedDead: number;
  readonly handlers: number;
  readonly handlersSignificant: number;
  readonly fdr: number;
  readonly anomalies: Readonly<Partial<Record<AnomalyKind, number>>>;
  readonly graph: { readonly nodes: number; readonly links: number };
  readonly topHandlers: readonly {
    readonly handlerId: string;
    readonly riskScore: number;
    readonly qValue: number;
    readonly reason: string;
  }[];
}

export interface Analyzer {
  run(options?: AnalyzeOptions): Promise<AnalyzeSummary>;
}

/**
 * @example
 * const analyzer = createAnalyzer({ store, clock: Date.now });
 * const summary = await analyzer.run({ asOf: '2021-06-30' as CalendarDate });
 */
export function createAnalyzer(deps: {
  readonly store: AnalyticsStore;
  readonly clock: () => EpochMs;
  readonly onProgress?: (progress: AnalyzeProgress) => void;
}): Analyzer {
  const { store, clock } = deps;
  const progress = deps.onProgress ?? (() => {});
  return {
    async run(options = {}) {
      const batchSize = options.batchSize ?? 20_000;
      const handlers = new Map((await store.readHandlers()).map((h) => [h.handlerId, h]));
      const deathEvidence = await store.deathEvidenceBasis();

      // 1. Card co-use → rings.
      const detector = createCoUseDetector(options.coUse);
      let uses = 0;
      for await (const batch of store.readTerminalUse({
        batchSize,
        ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
      })) {
        detector.add(batch);
        uses += batch.length;
        progress({ stage: 'card use', done: uses });
      }
      const coUse = detector.finish();
      const ringCards = new Map<string, RingCardInfo>();
      for (const ring of coUse.rings) {
        const first = new Map<string, number>();
        for (const sweep of ring.sweeps)
          for (const card of sweep.cards)
            if (!first.has(card) || sweep.start < first.get(card)!) first.set(card, sweep.start);
        for (const card of ring.cards.keys())
          ringCards.set(card, { ringId: ring.ringId, firstTs: first.get(card) ?? ring.firstTs });
      }

      // 2. The roll, beneficiary by beneficiary.
      const graph = createEntityGraph();
      for (const h of handlers.values()) graph.addHandler(h.handlerId, h.role);
      for (const ring of coUse.rings) graph.addRing(ring);
      const analysis = createHistoryAnalysis({
        handlers,
        ringCards,
        graph,
        ...(options.history === undefined ? {} : { options: options.history }),
      });
      let done = 0;
      for await (const batch of store.readHistories({
        batchSize,
        ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
      })) {
        for (const history of batch) analysis.add(history);
        done += batch.length;
        progress({ stage: 'roll', done });
      }
      const result = analysis.finish();

      // 3. Rings with their beneficiaries and handlers; handler risk with the rings in its reasons.
      progress({ stage: 'scoring', done: 0 });
      const rings = coUse.rings
        .map((ring) => ringFinding(ring, result.ringBeneficiaries.get(ring.ringId) ?? [], graph))
        .sort((a, b) => b.score - a.score || a.ringId.localeCompare(b.ringId));
      const ringNotes = new Map<string, string[]>();
      for (const ring of rings) {
        for (const link of ring.handlers) {
          if (link.vouchedAfterDeath === 0) continue;
          const list = ringNotes.get(link.handlerId) ?? [];
          list.push(
            `vouched after death for ${link.vouchedAfterDeath} beneficiaries of ring ${ring.ringId} (${ring.members.length} cards swept together)`,
          );
          ringNotes.set(link.handlerId, list);
        }
      }
      const tallies = result.tallies.map((t) => ({
        ...t,
        notes: [...(ringNotes.get(t.handlerId) ?? []), ...t.notes],
      }));
      const ranking: HandlerRisk[] = rankHandlers(tallies, options.risk);
      const fdr = options.risk?.fdr ?? 0.05;

      // 4. Store.
      progress({ stage: 'saving', done: 0 });
      await store.replaceAnalytics({
        analyzedAt: clock(),
        asOf: options.asOf,
        handlers: ranking,
        rings,
        anomalies: result.anomalies,
      });
      const anomalies: Partial<Record<AnomalyKind, number>> = {};
      for (const a of result.anomalies) anomalies[a.kind] = (anomalies[a.kind] ?? 0) + 1;
      return {
        asOf: options.asOf ?? null,
        deathEvidence,
        terminalUses: coUse.uses,
        multiCardSweeps: coUse.multiCardSweeps,
        rings: rings.length,
        ringCards: rings.reduce((s, r) => s + r.members.length, 0),
        beneficiaries: result.beneficiaries,
        believedDead: result.believedDead,
        handlers: ranking.length,
        handlersSignificant: ranking.filter((h) => h.significant).length,
        fdr,
        anomalies,
        graph: { nodes: graph.graph.order, links: graph.graph.size },
        topHandlers: ranking.slice(0, 5).map((h) => ({
          handlerId: h.handlerId,
          riskScore: h.riskScore,
          qValue: h.qValue,
          reason: h.reasons[0] ?? '',
        })),
      };
    },
  };
}

const VOUCHING = ['certified_by', 'reactivated_by', 'approved_by'] as const;

function ringFinding(
  ring: DetectedRing,
  beneficiaries: readonly RingBeneficiary[],
  graph: EntityGraph,
): RingFinding {
  const holders = new Map<string, string[]>();
  for (const b of beneficiaries) {
    for (const card of b.cards) {
      const list = holders.get(card) ?? [];
      list.push(b.beneficiaryId);
      holders.set(card, list);
    }
  }
  const members: RingMember[] = [...ring.cards]
    .map(([card, info]) => ({
      card,
      beneficiaryIds: holders.get(card) ?? [],
      sweeps: info.sweeps,
      membership: info.membership,
    }))
    .sort((a, b) => (a.card < b.card ? -1 : 1));

  // Handlers linked to the ring's beneficiaries, through the entity graph.
  const links = new Map<string, { role: string | undefined; vouched: Set<string>; manages: Set<string> }>();
  const contacts = new Map<string, Set<string>>();
  for (const b of beneficiaries) {
    const key = nodeKey('beneficiary', b.beneficiaryId);
    for (const { node, link } of graph.linked(key, [...VOUCHING, 'managed_by'])) {
      if (node.type !== 'handler') continue;
      const entry = links.get(node.id) ?? { role: node.label, vouched: new Set(), manages: new Set() };
      if (link.type === 'managed_by') entry.manages.add(b.beneficiaryId);
      else if (link.afterDeath > 0) entry.vouched.add(b.beneficiaryId);
      links.set(node.id, entry);
    }
    for (const { key: contact } of graph.linked(key, ['phone', 'address'])) {
      const set = contacts.get(contact) ?? new Set();
      set.add(b.beneficiaryId);
      contacts.set(contact, set);
    }
  }
  const handlers: RingHandlerLink[] = [...links]
    .map(([handlerId, e]) => ({
      handlerId,
      role: e.role,
      vouchedAfterDeath: e.vouched.size,
      manages: e.manages.size,
    }))
    .filter((h) => h.vouchedAfterDeath > 0 || h.manages > 0)
    .sort(
      (a, b) =>
        b.vouchedAfterDeath - a.vouchedAfterDeath ||
        b.manages - a.manages ||
        (a.handlerId < b.handlerId ? -1 : 1),
    );
  const sharedContacts = [...contacts.values()].filter((s) => s.size >= 2).length;
  const dead = beneficiaries.filter((b) => b.dead).length;
  const days = new Set(ring.sweeps.map((s) => shanghaiDate(s.start))).size;
  const coUses = members.reduce((s, m) => s + m.sweeps, 0);
  const vouchers = handlers.filter((h) => h.vouchedAfterDeath > 0).slice(0, 5);
  const explanation = [
    `${members.length} cards used one after another, minutes apart, at ${ring.terminals.length} terminal${ring.terminals.length === 1 ? '' : 's'} on ${days} days`,
    `(${ring.nightSweeps} of ${ring.sweeps.length} sweeps at night), ¥${formatYuan(ring.withdrawnFen)} withdrawn`,
    `${dead} of ${beneficiaries.length} card holders with a recorded death`,
    vouchers.length === 0
      ? 'no handler vouched for them after death'
      : `vouched for after death by ${vouchers.map((h) => `${h.handlerId}${h.role === undefined ? '' : ` (${h.role})`} ×${h.vouchedAfterDeath}`).join(', ')}`,
  ].join('; ');
  return {
    ringId: ring.ringId,
    members,
    sweeps: ring.sweeps.length,
    terminals: ring.terminals,
    firstTs: ring.firstTs,
    lastTs: ring.lastTs,
    nightSweeps: ring.nightSweeps,
    withdrawnFen: ring.withdrawnFen,
    deceasedBeneficiaries: dead,
    handlers,
    sharedContacts,
    score: coUses,
    explanation,
  };
}

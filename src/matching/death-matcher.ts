import type { Fen } from '../core/money.js';
import type { CalendarDate, EpochMs } from '../core/time.js';
import {
  contradictingLifeSign,
  DEFAULT_ENTITLEMENT_POLICY,
  type Decision,
  decide,
  type EntitlementPolicy,
  type LifeSign,
  needsNewDecision,
  overpayment,
  statusAfter,
} from '../entitlement/entitlement.js';
import { trainFromAnchors } from '../linkage/anchor-training.js';
import { createBlockingIndex, generateCandidatePairs, storedBlockingLookup } from '../linkage/blocking.js';
import { blockingKeyHash } from '../linkage/blocking-key-hash.js';
import { chinaColumnarPairs } from '../linkage/china-columns.js';
import {
  type ChinaPerson,
  chinaAnchors,
  chinaBlockingRules,
  chinaComparisons,
  createPersonNormaliser,
  personFromBeneficiary,
  personFromDeathRecord,
} from '../linkage/china-preset.js';
import { IdLevel } from '../linkage/comparisons/id-number.js';
import { DEFAULT_SOURCE_RELIABILITY, fuseDeathFindings } from '../linkage/fusion.js';
import { createModel, type Model, type ModelParameters, weightFromProbability } from '../linkage/model.js';
import {
  applyTermFrequencies,
  createRecordPreparer,
  type PreparedRecord,
  termFrequencySlots,
} from '../linkage/prepare-records.js';
import { countTermFrequencies, termFrequencyTablesFromCounts } from '../linkage/term-frequency-counts.js';
import type { BenefitStatus } from '../records/enums.js';
import type { Beneficiary, DeathRecord } from '../records/schemas.js';
import type { DeathMatch, Finding, MatchingStore, StoredLink, StoredModel } from './ports.js';

/**
 * Death matching over a store: the batch (roll × every death record, training the model the first time) and the
 * incremental path (death records matched on arrival through the stored blocking keys and the stored model).
 * Both score a death record against exactly the same candidates with the same model and term frequencies, so
 * they give the same links. Findings, overpayment and decisions follow for the beneficiaries touched.
 */

export const CHINA_PRESET = 'china';

export interface DeathMatcherOptions {
  readonly store: MatchingStore;
  readonly clock: () => EpochMs;
  readonly policy?: EntitlementPolicy;
  /** Match probability at or above which a death record links (default 0.5). */
  readonly threshold?: number;
  /** Random pairs for u when training (default 1,000,000). */
  readonly uSamplePairs?: number;
  /** Stage and counts, for a progress line. */
  readonly onProgress?: (progress: MatchProgress) => void;
}

export interface MatchProgress {
  readonly stage: string;
  readonly done: number;
  readonly total?: number;
}

export interface MatchSummary {
  readonly mode: 'batch' | 'incremental';
  readonly model: { readonly modelId: string; readonly trained: boolean } | undefined;
  readonly beneficiaries: number;
  readonly deathRecords: number;
  readonly candidatePairs: number;
  readonly links: number;
  readonly findings: number;
  readonly confirmed: number;
  readonly review: number;
  /** Findings contested by a life sign after the death (reviews; docs/entitlement.md). */
  readonly contested: number;
  readonly newDecisions: number;
  /** Overpaid according to the uncontested findings. */
  readonly overpaidFen: Fen;
  /** Overpaid according to the contested findings: reported apart, not claimed until a review confirms the death. */
  readonly contestedOverpaidFen: Fen;
  readonly timings: Readonly<Record<string, number>>;
}

export interface BatchOptions {
  /** Payments paid and death records reported after this date are left out (default: today). */
  readonly asOf?: CalendarDate;
  /** Train a new model even when one is stored. */
  readonly retrain?: boolean;
}

export interface DeathMatcher {
  /**
   * Links every death record to the roll, rebuilds the blocking keys and findings, trains the model once.
   * @example const summary = await matcher.runBatch({ asOf: '2021-06-30' });
   */
  runBatch(options?: BatchOptions): Promise<MatchSummary>;
  /**
   * Matches death records as they arrive, through the stored keys and model; undefined when no model exists yet
   * (the next batch run covers them).
   */
  matchDeathRecords(
    records: readonly DeathRecord[],
    options?: { readonly asOf?: CalendarDate },
  ): Promise<MatchSummary | undefined>;
  /** The incremental path over the stored death records that have no match yet. */
  matchUnmatched(options?: { readonly asOf?: CalendarDate }): Promise<MatchSummary | undefined>;
  /** Adds the blocking keys of beneficiaries loaded after the batch (no-op before the first batch). */
  indexBeneficiaries(beneficiaries: readonly Beneficiary[]): Promise<number>;
}

/** Scores with the China preset: comparisons, rules and the record preparer, built once. */
function createChinaScoring() {
  const comparisons = chinaComparisons();
  const rules = chinaBlockingRules();
  const slots = termFrequencySlots(comparisons);
  const normalise = createPersonNormaliser();
  const prepare = createRecordPreparer(comparisons, (p: ChinaPerson) => p.id);
  const idComparison = comparisons.findIndex((c) => c.name === 'id_number');
  const keyHashes = (person: ChinaPerson): number[] => {
    const out: number[] = [];
    rules.forEach((rule, r) => {
      const key = rule.key(person);
      if (key !== undefined && key !== '') out.push(blockingKeyHash(r, key));
    });
    return out;
  };
  return { comparisons, rules, slots, normalise, prepare, idComparison, keyHashes };
}

/** Best candidate wins; equal weights go to the smaller beneficiary id, so both paths choose alike. */
const better = (weight: number, id: string, bestWeight: number, bestId: string | undefined): boolean =>
  weight > bestWeight || (weight === bestWeight && bestId !== undefined && id < bestId);

const idIsExact = (match: Pick<DeathMatch, 'explanation'>): boolean => {
  const term = match.explanation?.terms.find((t) => t.comparison === 'id_number');
  return term !== undefined && (term.level === IdLevel.exact || term.level === IdLevel.converted);
};

/** The record's ID number is another person's (not a typo of the beneficiary's): see `DecisionEvidence`. */
const idConflicts = (match: Pick<DeathMatch, 'explanation'>): boolean => {
  const term = match.explanation?.terms.find((t) => t.comparison === 'id_number');
  return term !== undefined && (term.level === IdLevel.different || term.level === IdLevel.birthDatePart);
};

/**
 * Creates the matcher.
 * @example const matcher = createDeathMatcher({ store, clock: Date.now }); await matcher.runBatch();
 */
export function createDeathMatcher(options: DeathMatcherOptions): DeathMatcher {
  const { store, clock } = options;
  const policy = options.policy ?? DEFAULT_ENTITLEMENT_POLICY;
  const threshold = options.threshold ?? 0.5;
  const minimumWeight = weightFromProbability(Math.min(Math.max(threshold, 1e-12), 1 - 1e-12));
  const scoring = createChinaScoring();
  const progress = options.onProgress ?? (() => {});
  const today = (): CalendarDate =>
    new Date(clock() + 8 * 3_600_000).toISOString().slice(0, 10) as CalendarDate;

  const matchOf = (
    death: DeathRecord,
    modelId: string,
    model: Model,
    pair: { weight: number; beneficiaryId: string; a: PreparedRecord; b: PreparedRecord } | undefined,
    at: EpochMs,
  ): DeathMatch => {
    if (pair === undefined) {
      return {
        source: death.source,
        recordId: death.recordId,
        beneficiaryId: undefined,
        matchWeight: undefined,
        matchProbability: undefined,
        explanation: undefined,
        modelId,
        matchedAt: at,
      };
    }
    const score = model.scorePair(pair.a, pair.b);
    return {
      source: death.source,
      recordId: death.recordId,
      beneficiaryId: pair.beneficiaryId,
      matchWeight: pair.weight,
      matchProbability: score.matchProbability,
      explanation: score.explanation,
      modelId,
      matchedAt: at,
    };
  };

  /** Fuses each beneficiary's links, prices the overpayment and decides; records only the new decisions. */
  async function findingsFor(
    links: readonly StoredLink[],
    statusOf: ReadonlyMap<string, BenefitStatus>,
    asOf: CalendarDate,
    at: EpochMs,
  ): Promise<{ findings: Finding[]; newDecisions: number }> {
    const idExact = new Map(links.map((l) => [`${l.source}:${l.recordId}`, idIsExact(l)]));
    const idConflict = new Map(links.map((l) => [`${l.source}:${l.recordId}`, idConflicts(l)]));
    const fused = fuseDeathFindings(
      links.map((l) => ({
        beneficiaryId: l.beneficiaryId,
        evidence: {
          recordId: l.recordId,
          source: l.source,
          deathDate: l.deathDate,
          matchWeight: l.matchWeight,
          matchProbability: l.matchProbability,
        },
      })),
      DEFAULT_SOURCE_RELIABILITY,
    );
    const ids = fused.map((f) => f.beneficiaryId);
    const payments = await store.paymentsOf(ids, asOf);
    const paymentsOf = new Map<string, { period: (typeof payments)[number]['period']; amountFen: Fen }[]>();
    for (const p of payments) {
      const list = paymentsOf.get(p.beneficiaryId) ?? [];
      list.push(p);
      paymentsOf.set(p.beneficiaryId, list);
    }
    // Life signs: certifications through a channel insiders cannot fake, dated after the fused death date.
    const signsOf = new Map<string, LifeSign[]>();
    for (const c of await store.certificationsOf(ids, asOf)) {
      const list = signsOf.get(c.beneficiaryId) ?? [];
      list.push({ certificationId: c.certificationId, date: c.certifiedAt, channel: c.channel });
      signsOf.set(c.beneficiaryId, list);
    }
    const lifeSigns = fused.map((f) =>
      contradictingLifeSign(signsOf.get(f.beneficiaryId) ?? [], f.deathDate, policy),
    );
    const latest = await store.latestDecisions(ids);
    const pending: { index: number; proposal: Parameters<MatchingStore['recordDecisions']>[0][number] }[] =
      [];
    const decisions: (Decision | undefined)[] = [];
    const proposals = fused.map((f, index) => {
      const proposal = decide(
        f.evidence.map((e) => ({
          source: e.source,
          recordId: e.recordId,
          matchProbability: e.matchProbability,
          idExact: idExact.get(`${e.source}:${e.recordId}`) ?? false,
          idConflict: idConflict.get(`${e.source}:${e.recordId}`) ?? false,
        })),
        policy,
        lifeSigns[index],
      );
      const current = latest.get(f.beneficiaryId);
      const rollStatus = statusOf.get(f.beneficiaryId) ?? 'active';
      if (needsNewDecision(current, proposal)) {
        pending.push({
          index,
          proposal: {
            ...proposal,
            beneficiaryId: f.beneficiaryId,
            decidedAt: at,
            statusBefore: rollStatus,
            statusAfter: statusAfter(rollStatus, proposal.action),
          },
        });
        decisions.push(undefined);
      } else {
        decisions.push(current);
      }
      return proposal;
    });
    const recorded = await store.recordDecisions(pending.map((p) => p.proposal));
    pending.forEach((p, i) => {
      decisions[p.index] = recorded[i];
    });
    const findings = fused.map((f, index): Finding => {
      const decision = decisions[index]!;
      const rollStatus = statusOf.get(f.beneficiaryId) ?? 'active';
      const owed = overpayment(paymentsOf.get(f.beneficiaryId) ?? [], f.deathDate, policy);
      return {
        beneficiaryId: f.beneficiaryId,
        deathDate: f.deathDate,
        dateSupport: f.dateSupport,
        evidence: f.evidence.map((e) => `${e.source}:${e.recordId}`),
        matchProbability: f.bestMatchProbability,
        decision: proposals[index]!.decision,
        firstUnentitledPeriod: owed.firstUnentitledPeriod,
        overpaidFen: owed.overpaidFen,
        overpaidPayments: owed.payments,
        rollStatus,
        statusAfter: decision.reversal === undefined ? statusAfter(rollStatus, decision.action) : rollStatus,
        decisionId: decision.decisionId,
        updatedAt: at,
        ...(lifeSigns[index] === undefined ? {} : { lifeSign: lifeSigns[index] }),
      };
    });
    return { findings, newDecisions: pending.length };
  }

  const tally = (findings: readonly Finding[]) => ({
    findings: findings.length,
    confirmed: findings.filter((f) => f.decision === 'confirmed').length,
    review: findings.filter((f) => f.decision === 'review').length,
    contested: findings.filter((f) => f.lifeSign !== undefined).length,
    overpaidFen: findings.reduce((sum, f) => sum + (f.lifeSign === undefined ? f.overpaidFen : 0), 0),
    contestedOverpaidFen: findings.reduce(
      (sum, f) => sum + (f.lifeSign === undefined ? 0 : f.overpaidFen),
      0,
    ),
  });

  async function matchIncrementally(
    records: readonly DeathRecord[],
    stored: StoredModel,
    asOf: CalendarDate,
  ): Promise<MatchSummary> {
    const started = performance.now();
    const at = clock();
    const model = createModel(scoring.comparisons, stored.parameters);
    const deaths = records.map((d) => scoring.normalise(personFromDeathRecord(d)));
    // Oversized blocks of a capped rule (roll-wide counts from the stored keys) are skipped, as the batch skips them.
    const lookup = await storedBlockingLookup(scoring.rules, deaths, (h, n) => store.blockingKeyCounts(h, n));
    const candidateIds = await store.beneficiariesByBlockingKeys(lookup.hashes);
    const candidates = await store.findBeneficiaries(candidateIds);
    const statusOf = new Map(candidates.map((b) => [b.beneficiaryId, b.status]));
    const roll = candidates.map((b) => scoring.normalise(personFromBeneficiary(b)));
    // The stored keys are a superset (hash collisions, keys of a beneficiary's older version): the rules decide.
    const index = createBlockingIndex(scoring.rules, roll, lookup.blockSize);
    const rollPrepared = roll.map(scoring.prepare);
    const deathPrepared = deaths.map(scoring.prepare);
    const counts = await Promise.all(
      scoring.slots.map(async (_, s) => {
        const values = new Set<string>();
        for (const r of [...rollPrepared, ...deathPrepared]) {
          const v = r.tfValues[s];
          if (v !== undefined) values.add(v);
        }
        return store.termFrequencyCounts(s, [...values]);
      }),
    );
    const tables = termFrequencyTablesFromCounts(scoring.slots, {
      counts,
      totals: stored.settings.termFrequencyTotals,
    });
    applyTermFrequencies(tables, rollPrepared);
    applyTermFrequencies(tables, deathPrepared);
    let pairs = 0;
    const matches = records.map((death, i) => {
      let best: { weight: number; beneficiaryId: string; a: PreparedRecord; b: PreparedRecord } | undefined;
      const a = deathPrepared[i]!;
      index.candidates(deaths[i]!, (j) => {
        pairs++;
        const b = rollPrepared[j]!;
        const weight = model.matchWeight(a, b);
        if (weight < minimumWeight) return;
        if (best === undefined || better(weight, b.id, best.weight, best.beneficiaryId)) {
          best = { weight, beneficiaryId: b.id, a, b };
        }
      });
      return matchOf(death, stored.modelId, model, best, at);
    });
    // A record loaded again (corrected) may leave the beneficiary it linked to: that one is refreshed too.
    const before = await store.deathMatchesOf(records);
    await store.upsertDeathMatches(matches);
    const linkedTo = (ms: readonly DeathMatch[]) =>
      ms.flatMap((m) => (m.beneficiaryId === undefined ? [] : [m.beneficiaryId]));
    const affected = [...new Set([...linkedTo(matches), ...linkedTo(before)])];
    const left = affected.filter((id) => !statusOf.has(id));
    for (const b of await store.findBeneficiaries(left)) statusOf.set(b.beneficiaryId, b.status);
    const links = await store.linksOf(affected);
    const { findings, newDecisions } = await findingsFor(links, statusOf, asOf, at);
    const withFinding = new Set(findings.map((f) => f.beneficiaryId));
    await store.deleteFindings(affected.filter((id) => !withFinding.has(id)));
    await store.upsertFindings(findings);
    return {
      mode: 'incremental',
      model: { modelId: stored.modelId, trained: false },
      beneficiaries: candidates.length,
      deathRecords: records.length,
      candidatePairs: pairs,
      links: matches.filter((m) => m.beneficiaryId !== undefined).length,
      ...tally(findings),
      newDecisions,
      timings: { total: performance.now() - started },
    };
  }

  return {
    async runBatch(batchOptions = {}) {
      const asOf = batchOptions.asOf ?? today();
      const timings: Record<string, number> = {};
      let t = performance.now();
      const lap = (name: string) => {
        const now = performance.now();
        timings[name] = now - t;
        t = now;
      };
      const roll: ChinaPerson[] = [];
      const statusOf = new Map<string, BenefitStatus>();
      for await (const batch of store.readBeneficiaries({ batchSize: 20_000 })) {
        for (const b of batch) {
          roll.push(scoring.normalise(personFromBeneficiary(b)));
          statusOf.set(b.beneficiaryId, b.status);
        }
        progress({ stage: 'reading the roll', done: roll.length });
      }
      const deathRecords: DeathRecord[] = [];
      const deaths: ChinaPerson[] = [];
      for await (const batch of store.readDeathRecords({ through: asOf, batchSize: 20_000 })) {
        for (const d of batch) {
          deathRecords.push(d);
          deaths.push(scoring.normalise(personFromDeathRecord(d)));
        }
        progress({ stage: 'reading death records', done: deaths.length });
      }
      lap('read');
      const rollPrepared = roll.map(scoring.prepare);
      const deathPrepared = deaths.map(scoring.prepare);
      const tfCounts = countTermFrequencies(rollPrepared, scoring.slots.length);
      const tables = termFrequencyTablesFromCounts(scoring.slots, tfCounts);
      applyTermFrequencies(tables, rollPrepared);
      applyTermFrequencies(tables, deathPrepared);
      lap('prepare');
      progress({ stage: 'blocking', done: 0, total: deaths.length });
      const candidates = generateCandidatePairs(scoring.rules, deaths, roll);
      lap('blocking');
      progress({ stage: 'comparing candidate pairs', done: 0, total: candidates.count });
      // From integer columns (linkage/china-columns.ts): the comparisons' own levels, without objects per pair.
      const columnar = chinaColumnarPairs(scoring.comparisons, deaths, roll, candidates);
      const compared = columnar.compared;
      lap('compare');
      const existing = batchOptions.retrain ? undefined : await store.loadModel();
      let parameters: ModelParameters;
      let trained = false;
      if (existing !== undefined && existing.preset === CHINA_PRESET) {
        parameters = existing.parameters;
      } else {
        progress({ stage: 'training the model', done: 0 });
        // m from anchor pairs, not EM: the birth date and the ID's birth-date part are correlated (docs/linkage.md).
        const exactId = candidates.report.rules[0]!.pairs;
        // Random pairs for u are drawn over the columns too (the same levels, far cheaper than objects).
        const over = columnar.training();
        parameters = trainFromAnchors(over.comparisons, over.left, over.right, compared, {
          anchors: chinaAnchors(),
          prior: { matches: exactId, comparison: scoring.idComparison, level: IdLevel.exact },
          u: { pairs: options.uSamplePairs ?? 1_000_000, seed: 1 },
        });
        trained = true;
      }
      const model = createModel(scoring.comparisons, parameters);
      lap('training');
      const weight = columnar.score(parameters);
      const bestPair = new Int32Array(deaths.length).fill(-1);
      for (let i = 0; i < candidates.count; i++) {
        const w = weight[i]!;
        if (w < minimumWeight) continue;
        const l = candidates.left[i]!;
        const current = bestPair[l]!;
        if (
          current < 0 ||
          better(w, roll[candidates.right[i]!]!.id, weight[current]!, roll[candidates.right[current]!]!.id)
        ) {
          bestPair[l] = i;
        }
      }
      lap('scoring');
      progress({ stage: 'saving blocking keys', done: 0, total: roll.length });
      const at = clock();
      await store.replaceBlockingKeys(
        (function* () {
          let batch: { hash: number; beneficiaryId: string }[] = [];
          for (const person of roll) {
            for (const hash of scoring.keyHashes(person)) batch.push({ hash, beneficiaryId: person.id });
            if (batch.length >= 50_000) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length > 0) yield batch;
        })(),
      );
      const tfRows = function* () {
        for (let s = 0; s < tfCounts.counts.length; s++) {
          for (const [value, count] of tfCounts.counts[s]!) yield { slot: s, value, count };
        }
      };
      const modelId = await store.saveModel(
        {
          createdAt: at,
          preset: CHINA_PRESET,
          parameters,
          settings: { threshold, termFrequencyTotals: tfCounts.totals, rollSize: roll.length },
        },
        tfRows(),
      );
      lap('saveIndex');
      const matches = deathRecords.map((death, l) => {
        const i = bestPair[l]!;
        if (i < 0) return matchOf(death, modelId, model, undefined, at);
        const r = candidates.right[i]!;
        return matchOf(
          death,
          modelId,
          model,
          { weight: weight[i]!, beneficiaryId: roll[r]!.id, a: deathPrepared[l]!, b: rollPrepared[r]! },
          at,
        );
      });
      progress({ stage: 'saving links', done: 0, total: matches.length });
      await store.replaceDeathMatches(matches);
      lap('saveLinks');
      const deathDate = new Map(deathRecords.map((d) => [`${d.source}:${d.recordId}`, d.deathDate]));
      const byBeneficiary = new Map<string, StoredLink[]>();
      for (const m of matches) {
        if (m.beneficiaryId === undefined) continue;
        const link: StoredLink = {
          ...m,
          beneficiaryId: m.beneficiaryId,
          matchWeight: m.matchWeight!,
          matchProbability: m.matchProbability!,
          deathDate: deathDate.get(`${m.source}:${m.recordId}`) as CalendarDate,
        };
        const list = byBeneficiary.get(m.beneficiaryId) ?? [];
        list.push(link);
        byBeneficiary.set(m.beneficiaryId, list);
      }
      const ids = [...byBeneficiary.keys()].sort();
      const findings: Finding[] = [];
      let newDecisions = 0;
      for (let i = 0; i < ids.length; i += 2000) {
        const chunk = ids.slice(i, i + 2000).flatMap((id) => byBeneficiary.get(id)!);
        const result = await findingsFor(chunk, statusOf, asOf, at);
        findings.push(...result.findings);
        newDecisions += result.newDecisions;
        progress({
          stage: 'findings and decisions',
          done: Math.min(i + 2000, ids.length),
          total: ids.length,
        });
      }
      await store.replaceFindings(findings);
      lap('findings');
      return {
        mode: 'batch',
        model: { modelId, trained },
        beneficiaries: roll.length,
        deathRecords: deaths.length,
        candidatePairs: candidates.count,
        links: matches.filter((m) => m.beneficiaryId !== undefined).length,
        ...tally(findings),
        newDecisions,
        timings,
      };
    },

    async matchDeathRecords(records, incrementalOptions = {}) {
      const stored = await store.loadModel();
      if (stored === undefined || stored.preset !== CHINA_PRESET) return undefined;
      return matchIncrementally(records, stored, incrementalOptions.asOf ?? today());
    },

    async matchUnmatched(incrementalOptions = {}) {
      const stored = await store.loadModel();
      if (stored === undefined || stored.preset !== CHINA_PRESET) return undefined;
      const asOf = incrementalOptions.asOf ?? today();
      const pending: DeathRecord[] = [];
      for await (const batch of store.readDeathRecords({ through: asOf, unmatchedOnly: true })) {
        pending.push(...batch);
      }
      const summaries: MatchSummary[] = [];
      for (let i = 0; i < pending.length; i += 5000) {
        summaries.push(await matchIncrementally(pending.slice(i, i + 5000), stored, asOf));
        progress({
          stage: 'matching new death records',
          done: Math.min(i + 5000, pending.length),
          total: pending.length,
        });
      }
      return mergeSummaries(summaries, stored.modelId);
    },

    async indexBeneficiaries(beneficiaries) {
      const stored = await store.loadModel();
      if (stored === undefined) return 0;
      const rows = beneficiaries.flatMap((b) => {
        const person = scoring.normalise(personFromBeneficiary(b));
        return scoring.keyHashes(person).map((hash) => ({ hash, beneficiaryId: b.beneficiaryId }));
      });
      await store.addBlockingKeys(rows);
      return rows.length;
    },
  };
}

function mergeSummaries(summaries: readonly MatchSummary[], modelId: string): MatchSummary {
  const sum = (f: (s: MatchSummary) => number) => summaries.reduce((total, s) => total + f(s), 0);
  return {
    mode: 'incremental',
    model: { modelId, trained: false },
    beneficiaries: sum((s) => s.beneficiaries),
    deathRecords: sum((s) => s.deathRecords),
    candidatePairs: sum((s) => s.candidatePairs),
    links: sum((s) => s.links),
    findings: sum((s) => s.findings),
    confirmed: sum((s) => s.confirmed),
    review: sum((s) => s.review),
    contested: sum((s) => s.contested),
    newDecisions: sum((s) => s.newDecisions),
    overpaidFen: sum((s) => s.overpaidFen),
    contestedOverpaidFen: sum((s) => s.contestedOverpaidFen),
    timings: { total: sum((s) => s.timings.total ?? 0) },
  };
}

import type { Fen } from '../core/money.js';
import type { CalendarDate, EpochMs } from '../core/time.js';
import {
  contradictingLifeSign,
  DEFAULT_ENTITLEMENT_POLICY,
  type Decision,
  decide,
  type EntitlementPolicy,
  isSupporting,
  type LifeSign,
  needsNewDecision,
  overpaidClaim,
  overpayment,
  statusAfter,
  supportingEvidence,
} from '../entitlement/entitlement.js';
import { trainFromAnchors } from '../linkage/anchor-training.js';
import {
  createBlockingIndex,
  forEachCandidate,
  generateCandidatePairs,
  storedBlockingLookup,
} from '../linkage/blocking.js';
import { candidateRows, decodeCandidate } from '../linkage/blocking-candidates.js';
import { blockingKeyHash } from '../linkage/blocking-key-hash.js';
import { chinaColumnarPairs } from '../linkage/china-columns.js';
import {
  type ChinaPerson,
  chinaAnchors,
  chinaBlockingRules,
  chinaComparisons,
  createPersonNormaliser,
  idLevelConflicts,
  personFromBeneficiary,
  personFromDeathRecord,
} from '../linkage/china-preset.js';
import { IdLevel } from '../linkage/comparisons/id-number.js';
import { DEFAULT_SOURCE_RELIABILITY, fuseDeathFindings } from '../linkage/fusion.js';
import { createModel, type Model, type ModelParameters, weightFromProbability } from '../linkage/model.js';
import { chinaColumnarPairsInWorkers, scoringWorkersAvailable } from '../linkage/parallel-scoring.js';
import {
  applyTermFrequencies,
  createRecordPreparer,
  type PreparedRecord,
  termFrequencySlots,
} from '../linkage/prepare-records.js';
import { countTermFrequencies, termFrequencyTablesFromCounts } from '../linkage/term-frequency-counts.js';
import type { BenefitStatus } from '../records/enums.js';
import type { Beneficiary, DeathRecord } from '../records/schemas.js';
import { boundedCache } from './bounded-cache.js';
import type { DeathMatch, Finding, MatchingStore, StoredLink, StoredModel } from './ports.js';
import { twinConflict } from './twins.js';

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
  /**
   * Worker threads comparing the batch's candidate pairs (default 1: this thread). Used when the scoring worker can
   * start (compiled beside parallel-scoring, or its source through tsx); the links are the same either way.
   */
  readonly threads?: number;
  /** Fewer candidate pairs than this are compared on this thread whatever `threads` says (default 200,000). */
  readonly workerMinPairs?: number;
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
  /** Uncontested findings none of whose records is about the beneficiary (reviews with no action). */
  readonly unsupported: number;
  readonly newDecisions: number;
  /** Overpaid according to the findings neither contested nor unsupported: what the run claims. */
  readonly overpaidFen: Fen;
  /** Overpaid according to the contested findings: reported apart, not claimed until a review confirms the death. */
  readonly contestedOverpaidFen: Fen;
  /** Overpaid according to the unsupported findings: reported apart, not claimed. */
  readonly unsupportedOverpaidFen: Fen;
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
  // Candidate rows are stored clustered by the keys of the clustering rules: their blocks are the largest.
  const { blocksOf, rows: candidateRows_ } = candidateRows(rules);
  const keyHashes = (person: ChinaPerson): number[] => {
    const out: number[] = [];
    rules.forEach((rule, r) => {
      const key = rule.key(person);
      if (key !== undefined && key !== '') out.push(blockingKeyHash(r, key));
    });
    return out;
  };
  return {
    comparisons,
    rules,
    slots,
    normalise,
    prepare,
    idComparison,
    keyHashes,
    blocksOf,
    candidateRows: candidateRows_,
  };
}

/** Best candidate wins; equal weights go to the smaller beneficiary id, so both paths choose alike. */
const better = (weight: number, id: string, bestWeight: number, bestId: string | undefined): boolean =>
  weight > bestWeight || (weight === bestWeight && bestId !== undefined && id < bestId);

/** The link's ID level (`IdLevel`), or undefined without an explanation. */
const idTermLevel = (match: Pick<DeathMatch, 'explanation'>): number | undefined =>
  match.explanation?.terms.find((t) => t.comparison === 'id_number')?.level;

const idIsExact = (match: Pick<DeathMatch, 'explanation'>): boolean => {
  const level = idTermLevel(match);
  return level === IdLevel.exact || level === IdLevel.converted;
};

/** The record's ID number is another person's (not a typo of the beneficiary's): see `DecisionEvidence`. */
const idConflicts = (match: Pick<DeathMatch, 'explanation'>): boolean => {
  const level = idTermLevel(match);
  return level !== undefined && idLevelConflicts(level);
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

  // In-process caches of the incremental path, bounded: the model by id (parsed and built once) and term-frequency
  // counts by model and value. Decoded candidates are not kept: measured on the 10M roll, a cache of them (even of a
  // few thousand) cost more in garbage collection than decoding a short JSON array saves.
  const models = boundedCache<string, { stored: StoredModel; model: Model }>(4);
  const tfCounts = boundedCache<string, number>(500_000);

  /** The latest stored model, built once per model id; undefined before the first batch (or another preset). */
  async function currentModel(): Promise<{ stored: StoredModel; model: Model } | undefined> {
    const id = await store.latestModelId();
    if (id === undefined) return undefined;
    const cached = models.get(id);
    if (cached !== undefined) return cached;
    const stored = await store.loadModel();
    if (stored === undefined || stored.preset !== CHINA_PRESET) return undefined;
    const entry = { stored, model: createModel(scoring.comparisons, stored.parameters) };
    models.set(stored.modelId, entry);
    return entry;
  }

  /**
   * The candidates behind some key hashes, normalised and prepared: decoded from their stored rows, or, for a
   * beneficiary without a row (or a row of another format), normalised from the roll.
   */
  async function candidatesOf(hashes: readonly number[], clustered: readonly number[]) {
    const found = await store.blockingCandidates(hashes, clustered);
    const persons: ChinaPerson[] = [];
    const fromRoll: string[] = [];
    for (const { beneficiaryId, candidate } of found) {
      const person = candidate === undefined ? undefined : decodeCandidate(beneficiaryId, candidate);
      if (person === undefined) fromRoll.push(beneficiaryId);
      else persons.push(person);
    }
    for (const b of await store.findBeneficiaries(fromRoll)) {
      persons.push(scoring.normalise(personFromBeneficiary(b)));
    }
    return { persons, prepared: persons.map(scoring.prepare) };
  }

  /** Fills the records' term frequencies from the stored counts (cached by model and value). */
  async function applyStoredTermFrequencies(stored: StoredModel, records: readonly PreparedRecord[]) {
    const counts = await Promise.all(
      scoring.slots.map(async (_, s) => {
        const known = new Map<string, number>();
        const missing = new Set<string>();
        for (const r of records) {
          const v = r.tfValues[s];
          if (v === undefined || known.has(v) || missing.has(v)) continue;
          const count = tfCounts.get(`${stored.modelId}\u0001${s}\u0001${v}`);
          if (count === undefined) missing.add(v);
          else if (count > 0) known.set(v, count);
        }
        if (missing.size > 0) {
          const looked = await store.termFrequencyCounts(s, [...missing]);
          for (const v of missing) {
            const count = looked.get(v) ?? 0;
            tfCounts.set(`${stored.modelId}\u0001${s}\u0001${v}`, count);
            if (count > 0) known.set(v, count);
          }
        }
        return known;
      }),
    );
    const tables = termFrequencyTablesFromCounts(scoring.slots, {
      counts,
      totals: stored.settings.termFrequencyTotals,
    });
    applyTermFrequencies(tables, records);
  }

  const matchOf = (
    death: DeathRecord,
    modelId: string,
    model: Model,
    pair:
      | { weight: number; beneficiaryId: string; a: PreparedRecord; b: PreparedRecord; ties?: number }
      | undefined,
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
      // Other roll members scoring exactly as well: the link is a tie, no source (docs/entitlement.md).
      explanation:
        (pair.ties ?? 0) > 0 ? { ...score.explanation, tiedCandidates: pair.ties! } : score.explanation,
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
    // A tie between roll members, and an ID-less record that other reports of the same death give another person's
    // ID: neither is a source about this beneficiary (docs/entitlement.md, "The death feed grouped by person").
    const ambiguous = new Set(
      links.filter((l) => (l.explanation?.tiedCandidates ?? 0) > 0).map((l) => `${l.source}:${l.recordId}`),
    );
    const twinConflicting = await twinConflicts(links, asOf);
    const evidenceOf = (l: { readonly source: string; readonly recordId: string }) => {
      const key = `${l.source}:${l.recordId}`;
      return {
        idExact: idExact.get(key) ?? false,
        idConflict: idConflict.get(key) ?? false,
        twinConflict: twinConflicting.has(key),
        ambiguous: ambiguous.has(key),
      };
    };
    const asEvidence = (l: StoredLink) => ({
      beneficiaryId: l.beneficiaryId,
      evidence: {
        recordId: l.recordId,
        source: l.source,
        deathDate: l.deathDate,
        matchWeight: l.matchWeight,
        matchProbability: l.matchProbability,
      },
    });
    const all = fuseDeathFindings(links.map(asEvidence), DEFAULT_SOURCE_RELIABILITY);
    // The death date comes from the records about the beneficiary when there are any: another person's death date
    // never moves it (the decision still sees every record).
    const about = new Map(
      fuseDeathFindings(
        links.filter((l) => isSupporting(evidenceOf(l))).map(asEvidence),
        DEFAULT_SOURCE_RELIABILITY,
      ).map((f) => [f.beneficiaryId, f]),
    );
    const fused = all.map((f) => {
      const dated = about.get(f.beneficiaryId);
      return dated === undefined
        ? f
        : {
            ...f,
            deathDate: dated.deathDate,
            dateSupport: dated.dateSupport,
            dateSpreadDays: dated.dateSpreadDays,
          };
    });
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
    const unsupported = new Set<string>();
    const proposals = fused.map((f, index) => {
      const evidence = f.evidence.map((e) => ({
        source: e.source,
        recordId: e.recordId,
        matchProbability: e.matchProbability,
        ...evidenceOf(e),
      }));
      if (supportingEvidence(evidence).length === 0) unsupported.add(f.beneficiaryId);
      const proposal = decide(evidence, policy, lifeSigns[index]);
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
        ...(unsupported.has(f.beneficiaryId) ? { unsupported: true as const } : {}),
      };
    });
    return { findings, newDecisions: pending.length };
  }

  /**
   * The links (`source:record_id`) whose record carries no ID number while another report of the same death (same
   * death date and name, `twins.ts`) carries another person's: the death feed grouped by person says it is someone
   * else's death.
   */
  async function twinConflicts(links: readonly StoredLink[], asOf: CalendarDate): Promise<Set<string>> {
    const out = new Set<string>();
    const idless = links.filter((l) => idTermLevel(l) === IdLevel.missing);
    if (idless.length === 0) return out;
    const reports = new Map<string, DeathRecord[]>();
    for (const { source, recordId, twin } of await store.deathTwins(idless, asOf)) {
      const key = `${source}:${recordId}`;
      const known = reports.get(key);
      if (known === undefined) reports.set(key, [twin]);
      else known.push(twin);
    }
    const withOthers = idless.filter((l) =>
      (reports.get(`${l.source}:${l.recordId}`) ?? []).some((r) => r.idNumber !== undefined),
    );
    if (withOthers.length === 0) return out;
    const beneficiaries = new Map(
      (await store.findBeneficiaries([...new Set(withOthers.map((l) => l.beneficiaryId))])).map((b) => [
        b.beneficiaryId,
        scoring.normalise(personFromBeneficiary(b)),
      ]),
    );
    for (const l of withOthers) {
      const key = `${l.source}:${l.recordId}`;
      const persons = reports.get(key)!.map((r) => scoring.normalise(personFromDeathRecord(r)));
      const self = persons.find((p) => p.id === `${l.source}|${l.recordId}`);
      const beneficiary = beneficiaries.get(l.beneficiaryId);
      if (self === undefined || beneficiary === undefined) continue;
      if (twinConflict(self, persons, beneficiary)) out.add(key);
    }
    return out;
  }

  const tally = (findings: readonly Finding[]) => ({
    findings: findings.length,
    confirmed: findings.filter((f) => f.decision === 'confirmed').length,
    review: findings.filter((f) => f.decision === 'review').length,
    contested: findings.filter((f) => overpaidClaim(f) === 'contested').length,
    unsupported: findings.filter((f) => overpaidClaim(f) === 'unsupported').length,
    overpaidFen: overpaidWhere(findings, 'claimed'),
    contestedOverpaidFen: overpaidWhere(findings, 'contested'),
    unsupportedOverpaidFen: overpaidWhere(findings, 'unsupported'),
  });

  async function matchIncrementally(
    records: readonly DeathRecord[],
    current: { stored: StoredModel; model: Model },
    asOf: CalendarDate,
  ): Promise<MatchSummary> {
    const started = performance.now();
    const timings: Record<string, number> = {};
    let t = started;
    const lap = (name: string) => {
      const now = performance.now();
      timings[name] = now - t;
      t = now;
    };
    const at = clock();
    const { stored, model } = current;
    const deaths = records.map((d) => scoring.normalise(personFromDeathRecord(d)));
    // Oversized blocks of a capped rule (roll-wide counts from the stored keys) are skipped, as the batch skips them.
    const lookup = await storedBlockingLookup(scoring.rules, deaths, (h, n) => store.blockingKeyCounts(h, n));
    lap('blocking');
    // The clustering rules' blocks that are kept (not oversized) are read as clusters of candidate rows.
    const kept = new Set(lookup.hashes);
    const clustered = deaths.flatMap(scoring.blocksOf).filter((h) => kept.has(h));
    const candidates = await candidatesOf(lookup.hashes, clustered);
    lap('candidates');
    const roll = candidates.persons;
    // The stored keys are a superset (hash collisions, keys of a beneficiary's older version): the rules decide. One
    // record (a death on arrival) checks its candidates in place; several share an index of them.
    const index =
      records.length === 1
        ? {
            candidates: (death: ChinaPerson, visit: (j: number) => void) =>
              forEachCandidate(scoring.rules, death, roll, visit, lookup.blockSize),
          }
        : createBlockingIndex(scoring.rules, roll, lookup.blockSize);
    const rollPrepared = candidates.prepared;
    const deathPrepared = deaths.map(scoring.prepare);
    await applyStoredTermFrequencies(stored, [...rollPrepared, ...deathPrepared]);
    let pairs = 0;
    const matches = records.map((death, i) => {
      let best: { weight: number; beneficiaryId: string; a: PreparedRecord; b: PreparedRecord } | undefined;
      let ties = 0;
      const a = deathPrepared[i]!;
      index.candidates(deaths[i]!, (j) => {
        pairs++;
        const b = rollPrepared[j]!;
        const weight = model.matchWeight(a, b);
        if (weight < minimumWeight) return;
        if (best !== undefined && weight === best.weight) ties++;
        else if (best === undefined || weight > best.weight) ties = 0;
        if (best === undefined || better(weight, b.id, best.weight, best.beneficiaryId)) {
          best = { weight, beneficiaryId: b.id, a, b };
        }
      });
      return matchOf(death, stored.modelId, model, best === undefined ? undefined : { ...best, ties }, at);
    });
    lap('scoring');
    // A record loaded again (corrected) may leave the beneficiary it linked to: that one is refreshed too.
    const before = await store.deathMatchesOf(records);
    await store.upsertDeathMatches(matches);
    lap('links');
    const linkedTo = (ms: readonly DeathMatch[]) =>
      ms.flatMap((m) => (m.beneficiaryId === undefined ? [] : [m.beneficiaryId]));
    // Other reports of the same deaths say whose death an ID-less record is: the beneficiaries they link to are
    // decided again too (an arriving report with another person's ID turns a linked twin into someone else's).
    const arriving = new Set(records.map((r) => `${r.source}:${r.recordId}`));
    const twins = (await store.deathTwins(records, asOf))
      .map((t) => t.twin)
      .filter((t) => !arriving.has(`${t.source}:${t.recordId}`));
    const twinLinks = twins.length === 0 ? [] : await store.deathMatchesOf(twins);
    const affected = [...new Set([...linkedTo(matches), ...linkedTo(before), ...linkedTo(twinLinks)])];
    // Roll statuses as loaded, of the beneficiaries whose findings change (candidates carry no status).
    const statusOf = new Map<string, BenefitStatus>();
    for (const b of await store.findBeneficiaries(affected)) statusOf.set(b.beneficiaryId, b.status);
    const links = await store.linksOf(affected);
    const { findings, newDecisions } = await findingsFor(links, statusOf, asOf, at);
    const withFinding = new Set(findings.map((f) => f.beneficiaryId));
    await store.deleteFindings(affected.filter((id) => !withFinding.has(id)));
    await store.upsertFindings(findings);
    lap('findings');
    return {
      mode: 'incremental',
      model: { modelId: stored.modelId, trained: false },
      beneficiaries: roll.length,
      deathRecords: records.length,
      candidatePairs: pairs,
      links: matches.filter((m) => m.beneficiaryId !== undefined).length,
      ...tally(findings),
      newDecisions,
      timings: { ...timings, total: performance.now() - started },
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
      const threads =
        (options.threads ?? 1) > 1 &&
        candidates.count >= (options.workerMinPairs ?? 200_000) &&
        scoringWorkersAvailable()
          ? (options.threads ?? 1)
          : 1;
      progress({
        stage: threads > 1 ? `comparing candidate pairs on ${threads} threads` : 'comparing candidate pairs',
        done: 0,
        total: candidates.count,
      });
      // From integer columns (linkage/china-columns.ts): the comparisons' own levels, without objects per pair;
      // on worker threads the same levels, pattern keys written to shared memory (parallel-scoring.ts).
      const columnar =
        threads > 1
          ? await chinaColumnarPairsInWorkers(deaths, roll, candidates, threads)
          : chinaColumnarPairs(scoring.comparisons, deaths, roll, candidates);
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
      // Other candidates at exactly the best weight (a tie between roll members: the link counts as no source).
      const ties = new Uint16Array(deaths.length);
      for (let i = 0; i < candidates.count; i++) {
        const w = weight[i]!;
        if (w < minimumWeight) continue;
        const l = candidates.left[i]!;
        const current = bestPair[l]!;
        if (current >= 0 && w === weight[current]!) ties[l] = Math.min(ties[l]! + 1, 65_535);
        else if (current < 0 || w > weight[current]!) ties[l] = 0;
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
      // Each beneficiary's normalised person beside its keys: a candidate on arrival is read, not normalised.
      await store.replaceCandidateRows(
        (function* () {
          for (let i = 0; i < roll.length; i += 20_000) {
            yield roll.slice(i, i + 20_000).flatMap(scoring.candidateRows);
          }
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
          {
            weight: weight[i]!,
            beneficiaryId: roll[r]!.id,
            a: deathPrepared[l]!,
            b: rollPrepared[r]!,
            ties: ties[l]!,
          },
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
      const current = await currentModel();
      if (current === undefined) return undefined;
      return matchIncrementally(records, current, incrementalOptions.asOf ?? today());
    },

    async matchUnmatched(incrementalOptions = {}) {
      const current = await currentModel();
      if (current === undefined) return undefined;
      const { stored } = current;
      const asOf = incrementalOptions.asOf ?? today();
      const pending: DeathRecord[] = [];
      for await (const batch of store.readDeathRecords({ through: asOf, unmatchedOnly: true })) {
        pending.push(...batch);
      }
      const summaries: MatchSummary[] = [];
      for (let i = 0; i < pending.length; i += 5000) {
        summaries.push(await matchIncrementally(pending.slice(i, i + 5000), current, asOf));
        progress({
          stage: 'matching new death records',
          done: Math.min(i + 5000, pending.length),
          total: pending.length,
        });
      }
      return mergeSummaries(summaries, stored.modelId);
    },

    async indexBeneficiaries(beneficiaries) {
      if ((await store.latestModelId()) === undefined) return 0;
      const persons = beneficiaries.map((b) => scoring.normalise(personFromBeneficiary(b)));
      const rows = persons.flatMap((person) =>
        scoring.keyHashes(person).map((hash) => ({ hash, beneficiaryId: person.id })),
      );
      // The rows replace a re-loaded beneficiary's: its older keys then lead to the new rows, which the rules reject.
      await store.upsertCandidateRows(persons.flatMap(scoring.candidateRows), rows);
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
    unsupported: sum((s) => s.unsupported),
    newDecisions: sum((s) => s.newDecisions),
    overpaidFen: sum((s) => s.overpaidFen),
    contestedOverpaidFen: sum((s) => s.contestedOverpaidFen),
    unsupportedOverpaidFen: sum((s) => s.unsupportedOverpaidFen),
    timings: Object.fromEntries(
      [...new Set(summaries.flatMap((s) => Object.keys(s.timings)))].map((k) => [
        k,
        sum((s) => s.timings[k] ?? 0),
      ]),
    ),
  };
}

/** The overpayment of the findings whose claim is `claim` (integer fen). */
function overpaidWhere(findings: readonly Finding[], claim: ReturnType<typeof overpaidClaim>): Fen {
  return findings.reduce((sum, f) => sum + (overpaidClaim(f) === claim ? f.overpaidFen : 0), 0) as Fen;
}

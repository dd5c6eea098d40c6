import { readTruth, type Truth } from './read-truth.js';

/**
 * Scores what a pipeline found against a simulator's truth. `observed` is plain data (the CLI reads it from the
 * store); a section whose input is absent is `unavailable`, never 0, so a capability not built yet cannot look
 * like one that fails.
 */
export interface ObservedSuspect {
  readonly beneficiaryId: string;
  readonly overpaidFen: number;
  readonly decision: string;
  /**
   * The pipeline itself holds evidence against the death (a life sign after it): the suspect stays a suspect
   * (under review) but its overpayment is reported apart, not claimed.
   */
  readonly contested?: boolean;
  /**
   * None of the suspect's records is about the beneficiary (each names another person or fits another roll member
   * as well): a lead for review, its overpayment reported apart, not claimed.
   */
  readonly unsupported?: boolean;
  /** The decision in force suspended an active benefit. */
  readonly suspended?: boolean;
}

export interface ObservedAlert {
  readonly alertId: string;
  /** Epoch ms of the alert's first event. */
  readonly firstTs: number;
  readonly beneficiaryIds: readonly string[];
  readonly cards: readonly string[];
  readonly entityType: string;
  readonly rule: string;
}

/** A handler's risk, in rank order (highest risk first; ties keep the given order). */
export interface ObservedHandler {
  readonly handlerId: string;
  readonly riskScore: number;
  readonly pValue: number | undefined;
}

export interface ObservedQuarantine {
  readonly file: string;
  readonly line: number;
}

export interface Observed {
  readonly suspects?: readonly ObservedSuspect[];
  readonly alerts?: readonly ObservedAlert[];
  readonly handlers?: readonly ObservedHandler[];
  readonly quarantine?: readonly ObservedQuarantine[];
}

export interface Unavailable {
  readonly kind: 'unavailable';
  readonly reason: string;
}

/** A ratio is `null` when its denominator is zero (e.g. precision of no suspects). */
export type Ratio = number | null;

export interface SuspectMetrics {
  readonly kind: 'measured';
  readonly suspects: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  /** Precision over every suspect: a suspect is right when the beneficiary is dead. */
  readonly precision: Ratio;
  /** Precision of the `confirmed` decisions alone. */
  readonly confirmedPrecision: Ratio;
  /** The dead who have at least one loadable death record: the ones a matcher can find. */
  readonly deadWithRecord: number;
  readonly found: number;
  readonly recall: Ratio;
  /** Recall over the dead still collected by fraud (ring, relatives, card switch). */
  readonly fraudRecall: Ratio;
  /**
   * What the pipeline claims as overpaid: the overpayment of every suspect neither contested nor unsupported, i.e.
   * of the confirmed deaths and of the uncontested reviews (a single unconfirmed source is not enough to stop a
   * pension but is the pipeline's estimate all the same; split below). docs/entitlement.md, "Overpaid claimed".
   */
  readonly overpaidObservedFen: number;
  /** The claimed total split by decision: confirmed, and review (soft stop, awaiting a second source or a visit). */
  readonly overpaidConfirmedFen: number;
  readonly overpaidReviewFen: number;
  /** Living suspects whose benefit the decision in force suspended (needs `suspended` in the observation). */
  readonly livingSuspended: number;
  /** Suspects none of whose records is about them, how many are alive, and their overpayment (apart). */
  readonly unsupported: number;
  readonly unsupportedLiving: number;
  readonly overpaidUnsupportedFen: number;
  /** Suspects contested by a life sign, how many of them are really alive, and the overpayment reported apart. */
  readonly contested: number;
  readonly contestedLiving: number;
  readonly overpaidContestedFen: number;
  /** Truth: overpayment (payments for periods after the death month) of the dead with a record. */
  readonly overpaidTruthFen: number;
  /** Truth overpayment of the dead the pipeline found, and what the pipeline claimed for them (uncontested). */
  readonly overpaidTruthFoundFen: number;
  readonly overpaidObservedFoundFen: number;
}

export interface AlertMetrics {
  readonly kind: 'measured';
  readonly alerts: number;
  readonly ringCards: number;
  readonly ringCardsCovered: number;
  readonly ringCoverage: Ratio;
  /** Cards of any fraud (ring, relatives, card switch) and how many an alert covers. */
  readonly fraudCards: number;
  readonly fraudCardsCovered: number;
  /** Median hours from a ring card's first fraudulent withdrawal to the first alert covering it (negative → 0). */
  readonly medianDelayHours: number | null;
  /** Alerts touching no fraud card and no dead beneficiary. */
  readonly falseAlerts: number;
  readonly livingCards: number;
  readonly falseAlertsPer1000LivingCards: Ratio;
}

export interface HandlerMetrics {
  readonly kind: 'measured';
  readonly handlers: number;
  readonly colluders: number;
  /** k = number of colluders. */
  readonly precisionAtK: Ratio;
  /** 1-based rank of the first colluder; null when none is ranked. */
  readonly firstColluderRank: number | null;
  /** Colluders and others with p < 0.05, where p-values were given. */
  readonly significantColluders: number;
  readonly significantOthers: number;
}

export interface QuarantineMetrics {
  readonly kind: 'measured';
  readonly injected: number;
  readonly found: number;
  readonly recall: Ratio;
  /** Quarantined rows that were not injected (good rows refused). */
  readonly unexpected: number;
  /** Injected rows that were not quarantined, first few, for fixing. */
  readonly missedExamples: readonly string[];
  readonly byFile: Readonly<Record<string, { readonly injected: number; readonly found: number }>>;
}

export interface EvaluationResult {
  readonly truth: { readonly seed: unknown; readonly size: unknown; readonly asOf: unknown };
  readonly suspects: SuspectMetrics | Unavailable;
  readonly alerts: AlertMetrics | Unavailable;
  readonly handlers: HandlerMetrics | Unavailable;
  readonly quarantine: QuarantineMetrics | Unavailable;
}

const ratio = (a: number, b: number): Ratio => (b === 0 ? null : a / b);
const baseName = (file: string) => file.replace(/\\/g, '/').split('/').pop() ?? file;

/**
 * Scores `observed` against the truth in `truth` (a directory, or truth already read).
 * @example const result = await evaluate('county', { suspects, quarantine }); console.log(formatEvaluation(result))
 */
export async function evaluate(truth: string | Truth, observed: Observed): Promise<EvaluationResult> {
  const t = typeof truth === 'string' ? await readTruth(truth) : truth;
  return {
    truth: { seed: t.meta.seed, size: t.meta.size, asOf: t.meta.asOf },
    suspects: observed.suspects ? scoreSuspects(t, observed.suspects) : unavailable('no suspects were given'),
    alerts: observed.alerts ? scoreAlerts(t, observed.alerts) : unavailable('no alerts were given'),
    handlers: observed.handlers
      ? scoreHandlers(t, observed.handlers)
      : unavailable('no handler risk was given'),
    quarantine: observed.quarantine
      ? scoreQuarantine(t, observed.quarantine)
      : unavailable('no quarantine was given'),
  };
}

const unavailable = (reason: string): Unavailable => ({ kind: 'unavailable', reason });

function scoreSuspects(t: Truth, suspects: readonly ObservedSuspect[]): SuspectMetrics {
  const seen = new Set<string>();
  let truePositives = 0;
  let confirmed = 0;
  let confirmedTrue = 0;
  let overpaidObservedFen = 0;
  let overpaidTruthFoundFen = 0;
  let overpaidObservedFoundFen = 0;
  let found = 0;
  let fraudFound = 0;
  let contested = 0;
  let contestedLiving = 0;
  let overpaidContestedFen = 0;
  let overpaidConfirmedFen = 0;
  let livingSuspended = 0;
  let unsupported = 0;
  let unsupportedLiving = 0;
  let overpaidUnsupportedFen = 0;
  for (const s of suspects) {
    if (seen.has(s.beneficiaryId)) continue;
    seen.add(s.beneficiaryId);
    const b = t.beneficiaries.get(s.beneficiaryId);
    const right = b?.dead === true;
    const claimedFen = s.contested === true || s.unsupported === true ? 0 : s.overpaidFen;
    overpaidObservedFen += claimedFen;
    if (s.decision === 'confirmed') overpaidConfirmedFen += claimedFen;
    if (s.contested === true) {
      contested++;
      if (!right) contestedLiving++;
      overpaidContestedFen += s.overpaidFen;
    } else if (s.unsupported === true) {
      unsupported++;
      if (!right) unsupportedLiving++;
      overpaidUnsupportedFen += s.overpaidFen;
    }
    if (s.suspended === true && b?.dead !== true) livingSuspended++;
    if (right) truePositives++;
    if (s.decision === 'confirmed') {
      confirmed++;
      if (right) confirmedTrue++;
    }
    if (b?.dead && b.deathRecords > 0) {
      found++;
      if (b.fraudScheme !== 'none') fraudFound++;
      overpaidTruthFoundFen += b.overpaidFen;
      overpaidObservedFoundFen += claimedFen;
    }
  }
  let deadWithRecord = 0;
  let fraudWithRecord = 0;
  let overpaidTruthFen = 0;
  for (const b of t.beneficiaries.values()) {
    if (!b.dead || b.deathRecords === 0) continue;
    deadWithRecord++;
    if (b.fraudScheme !== 'none') fraudWithRecord++;
    overpaidTruthFen += b.overpaidFen;
  }
  return {
    kind: 'measured',
    suspects: seen.size,
    truePositives,
    falsePositives: seen.size - truePositives,
    precision: ratio(truePositives, seen.size),
    confirmedPrecision: ratio(confirmedTrue, confirmed),
    deadWithRecord,
    found,
    recall: ratio(found, deadWithRecord),
    fraudRecall: ratio(fraudFound, fraudWithRecord),
    overpaidObservedFen,
    overpaidConfirmedFen,
    overpaidReviewFen: overpaidObservedFen - overpaidConfirmedFen,
    livingSuspended,
    unsupported,
    unsupportedLiving,
    overpaidUnsupportedFen,
    contested,
    contestedLiving,
    overpaidContestedFen,
    overpaidTruthFen,
    overpaidTruthFoundFen,
    overpaidObservedFoundFen,
  };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function scoreAlerts(t: Truth, alerts: readonly ObservedAlert[]): AlertMetrics {
  const firstByCard = new Map<string, number>();
  const firstByBeneficiary = new Map<string, number>();
  const keepFirst = (map: Map<string, number>, key: string, ts: number) => {
    const current = map.get(key);
    if (current === undefined || ts < current) map.set(key, ts);
  };
  for (const a of alerts) {
    for (const c of a.cards) keepFirst(firstByCard, c, a.firstTs);
    for (const b of a.beneficiaryIds) keepFirst(firstByBeneficiary, b, a.firstTs);
  }
  const fraudCards = new Set<string>();
  const deadOrFraud = new Set<string>();
  let ringCards = 0;
  let ringCardsCovered = 0;
  let livingCards = 0;
  const delays: number[] = [];
  for (const b of t.beneficiaries.values()) {
    if (b.fraudCard) fraudCards.add(b.fraudCard);
    if (b.ringCard) fraudCards.add(b.ringCard);
    if (b.dead || b.fraudScheme !== 'none') deadOrFraud.add(b.beneficiaryId);
    if (!b.dead && b.card) livingCards++;
    if (!b.ringCard) continue;
    ringCards++;
    const byCard = firstByCard.get(b.ringCard);
    const byBeneficiary = firstByBeneficiary.get(b.beneficiaryId);
    const first =
      byCard === undefined
        ? byBeneficiary
        : byBeneficiary === undefined
          ? byCard
          : Math.min(byCard, byBeneficiary);
    if (first === undefined) continue;
    ringCardsCovered++;
    if (b.firstFraudulentWithdrawal !== undefined) {
      delays.push(Math.max(0, first - b.firstFraudulentWithdrawal) / 3_600_000);
    }
  }
  let fraudCardsCovered = 0;
  for (const c of fraudCards) if (firstByCard.has(c)) fraudCardsCovered++;
  let falseAlerts = 0;
  for (const a of alerts) {
    const touches =
      a.cards.some((c) => fraudCards.has(c)) || a.beneficiaryIds.some((id) => deadOrFraud.has(id));
    if (!touches) falseAlerts++;
  }
  return {
    kind: 'measured',
    alerts: alerts.length,
    ringCards,
    ringCardsCovered,
    ringCoverage: ratio(ringCardsCovered, ringCards),
    fraudCards: fraudCards.size,
    fraudCardsCovered,
    medianDelayHours: median(delays),
    falseAlerts,
    livingCards,
    falseAlertsPer1000LivingCards: livingCards === 0 ? null : (falseAlerts * 1000) / livingCards,
  };
}

function scoreHandlers(t: Truth, handlers: readonly ObservedHandler[]): HandlerMetrics {
  const colluders = new Set(t.handlers.filter((h) => h.colluding).map((h) => h.handlerId));
  const ranked = handlers
    .map((h, i) => ({ h, i }))
    .sort((a, b) => b.h.riskScore - a.h.riskScore || a.i - b.i)
    .map(({ h }) => h);
  const k = colluders.size;
  const topK = ranked.slice(0, k).filter((h) => colluders.has(h.handlerId)).length;
  const firstIndex = ranked.findIndex((h) => colluders.has(h.handlerId));
  const significant = ranked.filter((h) => h.pValue !== undefined && h.pValue < 0.05);
  return {
    kind: 'measured',
    handlers: ranked.length,
    colluders: k,
    precisionAtK: ratio(topK, k),
    firstColluderRank: firstIndex < 0 ? null : firstIndex + 1,
    significantColluders: significant.filter((h) => colluders.has(h.handlerId)).length,
    significantOthers: significant.filter((h) => !colluders.has(h.handlerId)).length,
  };
}

function scoreQuarantine(t: Truth, quarantine: readonly ObservedQuarantine[]): QuarantineMetrics {
  const key = (file: string, line: number) => `${baseName(file)}:${line}`;
  const injected = new Map(t.badRows.map((r) => [key(r.file, r.line), r] as const));
  const observed = new Set(quarantine.map((q) => key(q.file, q.line)));
  const byFile: Record<string, { injected: number; found: number }> = {};
  let found = 0;
  const missed: string[] = [];
  for (const [k, r] of injected) {
    const name = baseName(r.file);
    const entry = byFile[name] ?? { injected: 0, found: 0 };
    byFile[name] = entry;
    entry.injected++;
    if (observed.has(k)) {
      found++;
      entry.found++;
    } else if (missed.length < 10) missed.push(`${k} (${r.defect})`);
  }
  let unexpected = 0;
  for (const k of observed) if (!injected.has(k)) unexpected++;
  return {
    kind: 'measured',
    injected: injected.size,
    found,
    recall: ratio(found, injected.size),
    unexpected,
    missedExamples: missed,
    byFile,
  };
}

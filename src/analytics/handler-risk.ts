import { HANDLER_ACTS, type HandlerAct, type HandlerActStats, type HandlerRisk } from './ports.js';
import { benjaminiHochberg, poissonUpperTail } from './stats.js';

/**
 * Handler risk: each handler against the peers of the same role and region.
 *
 * For each kind of act (certifying, reactivating, approving a reactivation, changing a card) a handler did it to
 * `n` distinct beneficiaries, `x` of whom were already believed dead at the time. Peers' rate for that act is
 * their pooled x / n (the handler left out), shrunk towards the whole county's rate by `peerPrior` beneficiaries so
 * that a role with two members or none still has a rate. A handler's expected count is Σ n × peer rate over the
 * acts; the one-sided Poisson p-value of the observed total against it says how surprising the handler is. Being
 * large raises n and the expectation together, so size alone is never a signal. Benjamini–Hochberg over every
 * handler that did anything controls the false-discovery rate.
 */

export interface HandlerTally {
  readonly handlerId: string;
  readonly role: string | undefined;
  readonly regionCode: string | undefined;
  /** Distinct beneficiaries the handler manages or acted on. */
  readonly beneficiaries: number;
  readonly acts: Readonly<Record<HandlerAct, { readonly n: number; readonly x: number }>>;
  /** Context in words appended to the reasons (rings, reactivations without approval …). */
  readonly notes: readonly string[];
}

export interface HandlerRiskOptions {
  /** False-discovery rate for `significant` (default 0.05). */
  readonly fdr: number;
  /** Strength, in beneficiaries, of the pull of a peer rate towards the county rate (default 20). */
  readonly peerPrior: number;
  /** Acts that enter the test; the others are reported only. */
  readonly tested: readonly HandlerAct[];
  /**
   * The lowest rate a peer group is assumed to have (default 0.001): death records are sometimes misdated or
   * wrong, so no group is expected to be perfect, and one act alone never looks like a one-in-a-million event.
   */
  readonly minRate: number;
  /** Acts vouching for the dead a handler needs to be significant at all (default 2): one is a lead, not a pattern. */
  readonly minDeceased: number;
}

/**
 * Acts in the test. Managing a beneficiary who is dead and still paid is reported but not tested: a clerk who
 * inherits the ring's victims on the roll did nothing, and what betrays an insider is an act of vouching.
 */
export const TESTED_ACTS: readonly HandlerAct[] = [
  'certified',
  'reactivated',
  'approved_reactivation',
  'changed_card',
];

export const DEFAULT_HANDLER_RISK_OPTIONS: HandlerRiskOptions = {
  fdr: 0.05,
  peerPrior: 20,
  tested: TESTED_ACTS,
  minRate: 0.001,
  minDeceased: 2,
};

const ACT_WORDS: Readonly<Record<HandlerAct, (x: number) => string>> = {
  certified: (x) => `certified ${x} beneficiar${x === 1 ? 'y' : 'ies'} as alive after their death`,
  reactivated: (x) =>
    `reactivated the suspended benefit of ${x} beneficiar${x === 1 ? 'y' : 'ies'} believed dead`,
  approved_reactivation: (x) =>
    `approved the reactivation of ${x} beneficiar${x === 1 ? 'y' : 'ies'} believed dead`,
  changed_card: (x) => `changed the card of ${x} beneficiar${x === 1 ? 'y' : 'ies'} after their death`,
  manages_paid_dead: (x) => `manages ${x} beneficiar${x === 1 ? 'y' : 'ies'} dead and still paid`,
};

const peerKey = (t: Pick<HandlerTally, 'role' | 'regionCode'>) => `${t.role ?? '?'}|${t.regionCode ?? '?'}`;
const fmt = (value: number) => (value >= 10 ? value.toFixed(1) : value.toPrecision(2));

/** −log10 p, capped: the risk score. */
export function riskScoreOf(pValue: number): number {
  if (pValue >= 1) return 0;
  return Math.round(Math.min(300, -Math.log10(Math.max(pValue, 1e-300))) * 1000) / 1000;
}

/**
 * Ranks handlers by risk (highest first), with p-values, q-values and reasons.
 * @example const ranking = rankHandlers(tallies); ranking[0]?.reasons[0]
 */
export function rankHandlers(
  tallies: readonly HandlerTally[],
  options: Partial<HandlerRiskOptions> = {},
): HandlerRisk[] {
  const o: HandlerRiskOptions = { ...DEFAULT_HANDLER_RISK_OPTIONS, ...options };
  const tested = new Set<HandlerAct>(o.tested);
  // Peers flagged in one round are left out of the rates of the next, so that two colluders of one role do not
  // hide each other; a few rounds settle it.
  let outliers = new Set<number>();
  let round = score(tallies, o, tested, outliers);
  for (let i = 0; i < 4; i++) {
    const next = new Set(round.flatMap((s, index) => (s.significant ? [index] : [])));
    if (next.size === outliers.size && [...next].every((index) => outliers.has(index))) break;
    outliers = next;
    round = score(tallies, o, tested, outliers);
  }
  const scored = round;

  const ranked = scored
    .map((s) => {
      const reasons = reasonsOf(s.t, s.acts, tested, s.expected, s.observed);
      return {
        handlerId: s.t.handlerId,
        rank: 0,
        role: s.t.role,
        regionCode: s.t.regionCode,
        riskScore: riskScoreOf(s.pValue),
        beneficiaries: s.t.beneficiaries,
        deceasedLinked: s.observed,
        expectedDeceased: s.expected,
        pValue: s.pValue,
        qValue: s.qValue,
        significant: s.significant,
        reasons,
        acts: s.acts,
      } satisfies HandlerRisk;
    })
    .sort(
      (a, b) =>
        b.riskScore - a.riskScore ||
        b.deceasedLinked - a.deceasedLinked ||
        a.handlerId.localeCompare(b.handlerId),
    );
  return ranked.map((h, i) => ({ ...h, rank: i + 1 }));
}

interface Scored {
  readonly t: HandlerTally;
  readonly acts: HandlerActStats[];
  readonly observed: number;
  readonly expected: number;
  readonly pValue: number;
  readonly qValue: number;
  readonly significant: boolean;
}

/** One round of the test, with the handlers at `outliers` left out of every rate. */
function score(
  tallies: readonly HandlerTally[],
  o: HandlerRiskOptions,
  tested: ReadonlySet<HandlerAct>,
  outliers: ReadonlySet<number>,
): Scored[] {
  const county = new Map<HandlerAct, { n: number; x: number }>();
  const groups = new Map<string, Map<HandlerAct, { n: number; x: number }>>();
  tallies.forEach((t, index) => {
    let group = groups.get(peerKey(t));
    if (group === undefined) {
      group = new Map(HANDLER_ACTS.map((act) => [act, { n: 0, x: 0 }]));
      groups.set(peerKey(t), group);
    }
    for (const act of HANDLER_ACTS) {
      if (!county.has(act)) county.set(act, { n: 0, x: 0 });
      if (outliers.has(index)) continue;
      const { n, x } = t.acts[act];
      const c = county.get(act)!;
      c.n += n;
      c.x += x;
      const g = group.get(act)!;
      g.n += n;
      g.x += x;
    }
  });

  const rows = tallies.map((t, index) => {
    const group = groups.get(peerKey(t))!;
    // Leave the handler out of both rates, so that a handler never raises its own expectation.
    const self = outliers.has(index) ? 0 : 1;
    let observed = 0;
    let expected = 0;
    let active = false;
    const acts: HandlerActStats[] = HANDLER_ACTS.map((act) => {
      const own = t.acts[act];
      const all = county.get(act)!;
      const peers = group.get(act)!;
      const countyRate = (all.x - self * own.x + 0.5) / (all.n - self * own.n + 1);
      const peerRate = Math.max(
        o.minRate,
        (peers.x - self * own.x + o.peerPrior * countyRate) / (peers.n - self * own.n + o.peerPrior),
      );
      const actExpected = own.n * peerRate;
      if (tested.has(act)) {
        observed += own.x;
        expected += actExpected;
        if (own.n > 0) active = true;
      }
      return { act, beneficiaries: own.n, deceased: own.x, expected: actExpected, peerRate };
    });
    const pValue = observed === 0 ? 1 : poissonUpperTail(observed, expected);
    return { t, acts, observed, expected, pValue, active };
  });
  const activeIndexes = rows.flatMap((r, i) => (r.active ? [i] : []));
  const qValues = benjaminiHochberg(activeIndexes.map((i) => rows[i]!.pValue));
  const qOf = new Map(activeIndexes.map((i, k) => [i, qValues[k]!]));
  return rows.map((r, i) => {
    const qValue = qOf.get(i) ?? 1;
    return { ...r, qValue, significant: r.active && r.observed >= o.minDeceased && qValue <= o.fdr };
  });
}

function reasonsOf(
  t: HandlerTally,
  acts: readonly HandlerActStats[],
  tested: ReadonlySet<HandlerAct>,
  expected: number,
  observed: number,
): string[] {
  const peers = `${t.role ?? 'unknown role'} in ${t.regionCode ?? 'unknown region'}`;
  const reasons = acts
    .filter((a) => a.deceased > 0)
    .sort((a, b) => b.deceased - b.expected - (a.deceased - a.expected))
    .map((a) => {
      const base = `${ACT_WORDS[a.act](a.deceased)} (of ${a.beneficiaries}; peers (${peers}) would have ${fmt(a.expected)})`;
      return tested.has(a.act) ? base : `${base}; reported, not tested`;
    });
  if (observed === 0) reasons.push('no act vouched for a beneficiary believed dead');
  else reasons.push(`${observed} such acts where peers would have ${fmt(expected)}`);
  return [...reasons, ...t.notes];
}

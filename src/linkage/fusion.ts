import { type CalendarDate, daysBetween } from '../core/time.js';

/** One death record linked to a beneficiary. */
export interface DeathEvidence {
  readonly recordId: string;
  readonly source: string;
  readonly deathDate: CalendarDate;
  readonly matchWeight: number;
  readonly matchProbability: number;
}

/** Every death record about one beneficiary, fused. */
export interface DeathFinding {
  readonly beneficiaryId: string;
  /** Heaviest first. */
  readonly evidence: readonly DeathEvidence[];
  /** The best estimate of the death date (see `fuseDeathFindings`). */
  readonly deathDate: CalendarDate;
  /** Share of the vote behind `deathDate`, in (0, 1]. */
  readonly dateSupport: number;
  /** Days between the earliest and the latest reported death date (0 when all agree). */
  readonly dateSpreadDays: number;
  /** Distinct sources, sorted. */
  readonly sources: readonly string[];
  readonly bestMatchProbability: number;
}

/**
 * How far each source is trusted on the death date, in (0, 1]. Civil-affairs death registrations and household
 * deregistration are official acts; cremation records are reliable on the date but weaker on identity; hospital
 * records are often keyed later; anything else counts half.
 */
export const DEFAULT_SOURCE_RELIABILITY: Readonly<Record<string, number>> = {
  civil_affairs: 0.95,
  household_register: 0.9,
  cremation: 0.9,
  hospital: 0.8,
  other: 0.5,
};

/**
 * Groups linked death records by beneficiary and estimates each death date by a weighted vote: a record votes for
 * its date with weight reliability(source) × match probability; a source repeating a date counts once (its best
 * record), so one feed loaded twice is not two witnesses. The date with the largest vote wins; a tie goes to the
 * date backed by the most reliable single record, then to the later date (the conservative choice: it never
 * claims more overpaid months than the evidence supports).
 * @example fuseDeathFindings([{ beneficiaryId: 'B1', evidence: { recordId: 'c1', source: 'cremation', … } }])
 */
export function fuseDeathFindings(
  links: Iterable<{ readonly beneficiaryId: string; readonly evidence: DeathEvidence }>,
  reliability: Readonly<Record<string, number>> = DEFAULT_SOURCE_RELIABILITY,
): DeathFinding[] {
  const byBeneficiary = new Map<string, DeathEvidence[]>();
  for (const { beneficiaryId, evidence } of links) {
    const list = byBeneficiary.get(beneficiaryId);
    if (list === undefined) byBeneficiary.set(beneficiaryId, [evidence]);
    else list.push(evidence);
  }
  const findings: DeathFinding[] = [];
  for (const [beneficiaryId, evidenceList] of byBeneficiary) {
    const evidence = [...evidenceList].sort(
      (a, b) => b.matchWeight - a.matchWeight || a.recordId.localeCompare(b.recordId),
    );
    // vote per (source, date): the best record of that source for that date.
    const bySourceDate = new Map<string, { date: CalendarDate; vote: number }>();
    for (const e of evidence) {
      const vote = (reliability[e.source] ?? 0.5) * e.matchProbability;
      const key = `${e.source}\u0001${e.deathDate}`;
      const current = bySourceDate.get(key);
      if (current === undefined || vote > current.vote) bySourceDate.set(key, { date: e.deathDate, vote });
    }
    const tally = new Map<CalendarDate, { total: number; best: number }>();
    let all = 0;
    for (const { date, vote } of bySourceDate.values()) {
      const t = tally.get(date) ?? { total: 0, best: 0 };
      tally.set(date, { total: t.total + vote, best: Math.max(t.best, vote) });
      all += vote;
    }
    const ranked = [...tally.entries()].sort(
      ([dateA, a], [dateB, b]) =>
        b.total - a.total || b.best - a.best || (dateA < dateB ? 1 : dateA > dateB ? -1 : 0),
    );
    const [deathDate, winner] = ranked[0]!;
    const dates = [...tally.keys()].sort();
    findings.push({
      beneficiaryId,
      evidence,
      deathDate,
      dateSupport: all > 0 ? winner.total / all : 1,
      dateSpreadDays: daysBetween(dates[0]!, dates[dates.length - 1]!),
      sources: [...new Set(evidence.map((e) => e.source))].sort(),
      bestMatchProbability: Math.max(...evidence.map((e) => e.matchProbability)),
    });
  }
  return findings.sort((a, b) => a.beneficiaryId.localeCompare(b.beneficiaryId));
}

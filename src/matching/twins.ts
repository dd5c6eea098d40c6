import { type ChinaPerson, chinaIdLevel, idLevelConflicts } from '../linkage/china-preset.js';
import { IdLevel } from '../linkage/comparisons/id-number.js';

/**
 * The death feed grouped by person, as far as one linked record needs it: a death is reported by several sources,
 * and a report without an ID number is about whoever the other reports of the same death name. Reports of the same
 * death share the death date and the name (the store finds them by both: `deathTwins`) and do not contradict each
 * other on the birth date or the sex.
 */

/**
 * Whether two reports (same death date and name) can be of one death: the birth date (from the column, else the
 * one the ID number embeds, even a number failing its check), the sex and the prefecture (first four digits of the
 * region code) agree where both are known. A report of another prefecture's death on the same day under the same
 * name is more likely a second death than the same one, and calling it the same would take a real death away from a
 * beneficiary; when in doubt, reports are not grouped.
 * @example sameDeath(cremationWithoutId, householdRecordWithId) // true when nothing contradicts
 */
export function sameDeath(a: ChinaPerson, b: ChinaPerson): boolean {
  const birthA = birthDateOf(a);
  const birthB = birthDateOf(b);
  if (birthA >= 0 && birthB >= 0 && birthA !== birthB) return false;
  if (a.sex !== undefined && b.sex !== undefined && a.sex !== b.sex) return false;
  return (
    a.regionCode === undefined ||
    b.regionCode === undefined ||
    a.regionCode.slice(0, 4) === b.regionCode.slice(0, 4)
  );
}

/** The packed birth date of a report: its own, else the YYYYMMDD an 18-character ID number embeds; -1 unknown. */
function birthDateOf(p: ChinaPerson): number {
  if (p.birthDate >= 0) return p.birthDate;
  const full = p.idNumber?.full;
  if (full === undefined || full.length !== 18) return -1;
  const packed = Number(full.slice(6, 14));
  const month = Math.floor(packed / 100) % 100;
  const day = packed % 100;
  return Number.isInteger(packed) && month >= 1 && month <= 12 && day >= 1 && day <= 31 ? packed : -1;
}

/**
 * Whether an ID-less record linked to `beneficiary` is really someone else's death: another report of the same
 * death carries an ID number that is another person's (`idLevelConflicts` against the beneficiary's), and none
 * carries the beneficiary's (exactly or mistyped). A record that carries its own ID number is judged by it, never
 * by its twins; a beneficiary without an ID number on the roll cannot be told apart, so nothing conflicts.
 * @example twinConflict(cremationRecord, [cremationRecord, hospitalRecordWithOtherId], beneficiary) // true
 */
export function twinConflict(
  record: ChinaPerson,
  reports: readonly ChinaPerson[],
  beneficiary: ChinaPerson,
): boolean {
  if (record.idNumber !== undefined || beneficiary.idNumber === undefined) return false;
  let conflict = false;
  for (const other of reports) {
    if (other === record || other.id === record.id || other.idNumber === undefined) continue;
    if (!sameDeath(record, other)) continue;
    const level = chinaIdLevel(other.idNumber, beneficiary.idNumber);
    if (idLevelConflicts(level)) conflict = true;
    else if (level !== IdLevel.missing) return false;
  }
  return conflict;
}

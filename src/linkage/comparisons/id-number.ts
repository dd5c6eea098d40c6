import { convert15To18, normaliseIdText } from '../../core/id-number.js';
import { type Comparison, levelsOf } from '../comparison.js';

/** An ID number ready to compare: the text as written (folded) and its 18-character form. */
export interface PreparedIdNumber {
  readonly text: string;
  readonly full: string;
}

/**
 * Folds full-width digits, spaces and a lower-case x, and converts a legacy 15-digit number to 18 characters.
 * A number of another length is kept as written (it can still agree exactly). Empty gives undefined.
 * @example prepareIdNumber('430422500315123') // { text: '430422500315123', full: '430422195003151237' }
 */
export function prepareIdNumber(raw: string | undefined): PreparedIdNumber | undefined {
  if (raw === undefined) return undefined;
  const text = normaliseIdText(raw).toUpperCase();
  if (text === '') return undefined;
  if (text.length === 15 && /^\d{15}$/.test(text)) return { text, full: convert15To18(text) };
  return { text, full: text };
}

export const ID_NUMBER_LEVELS = [
  'exact',
  'same after 15 to 18 conversion',
  'first 17 equal',
  'one substitution',
  'adjacent transposition',
  'birth-date part equal',
  'different',
] as const;

/** Level indexes of `idNumberComparison`, by name. */
export const IdLevel = {
  exact: 0,
  converted: 1,
  first17: 2,
  substitution: 3,
  transposition: 4,
  birthDatePart: 5,
  different: 6,
  missing: 7,
} as const;

/**
 * Compares two prepared ID numbers into the levels of `ID_NUMBER_LEVELS` (7 = missing).
 * @example compareIdNumbers(prepareIdNumber('11010519491231002X'), prepareIdNumber('11010519491231020X')) // 4
 */
export function compareIdNumbers(a: PreparedIdNumber | undefined, b: PreparedIdNumber | undefined): number {
  if (a === undefined || b === undefined) return IdLevel.missing;
  if (a.text === b.text) return IdLevel.exact;
  const x = a.full;
  const y = b.full;
  if (x === y) return IdLevel.converted;
  if (x.length !== 18 || y.length !== 18) return IdLevel.different;
  let differences = 0;
  let first = -1;
  let second = -1;
  for (let i = 0; i < 18; i++) {
    if (x.charCodeAt(i) !== y.charCodeAt(i)) {
      differences++;
      if (differences === 1) first = i;
      else if (differences === 2) second = i;
      else break;
    }
  }
  if (differences === 1) return first === 17 ? IdLevel.first17 : IdLevel.substitution;
  if (
    differences === 2 &&
    second === first + 1 &&
    x.charCodeAt(first) === y.charCodeAt(second) &&
    x.charCodeAt(second) === y.charCodeAt(first)
  ) {
    return IdLevel.transposition;
  }
  for (let i = 6; i < 14; i++) if (x.charCodeAt(i) !== y.charCodeAt(i)) return IdLevel.different;
  return IdLevel.birthDatePart;
}

export type IdNumberOptions<T> =
  | { readonly name: string; readonly value: (record: T) => string | undefined }
  /** For records normalised beforehand (see `prepareIdNumber`). */
  | { readonly name: string; readonly prepared: (record: T) => PreparedIdNumber | undefined };

/**
 * The Chinese resident ID number. Levels: exact, same after 15→18, first 17 equal, one substitution, adjacent
 * transposition, birth-date part equal, different, missing.
 * @example idNumberComparison<Row>({ name: 'id_number', value: (r) => r.id_number })
 */
export function idNumberComparison<T>(
  options: IdNumberOptions<T>,
): Comparison<T, PreparedIdNumber | undefined> {
  return {
    name: options.name,
    levels: levelsOf(ID_NUMBER_LEVELS),
    prepare: 'prepared' in options ? options.prepared : (record) => prepareIdNumber(options.value(record)),
    compare: compareIdNumbers,
  };
}

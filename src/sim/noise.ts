import { checkCharacter } from '../core/id-number.js';
import type { Rng } from './prng.js';

/**
 * The damage agencies' files really carry. A *defect* makes the row fail its record schema (the ingest must
 * quarantine it); a *flag* leaves it loadable but wrong in a way the ingest reports as a data-quality finding.
 * Each function edits a row (column name → cell) in place and returns what it did, or undefined when the row
 * offers nothing to damage that way.
 */
export type Row = Record<string, string | undefined>;

export interface Damage {
  readonly column: string;
  readonly defect: string;
}

type Damager = (row: Row, rng: Rng) => Damage | undefined;

/** A date made impossible: 30 February, 31 of a 30-day month, month 13. */
function impossibleDate(column: string): Damager {
  return (row, rng) => {
    const value = row[column];
    const match = value === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!match) return undefined;
    const year = match[1];
    const choice = rng.int(0, 2);
    row[column] =
      choice === 0
        ? `${year}-02-30`
        : choice === 1
          ? `${year}-${rng.pick(['04', '06', '09', '11'])}-31`
          : `${year}-13-${match[3]}`;
    return { column, defect: 'impossible_date' };
  };
}

function emptied(column: string): Damager {
  return (row) => {
    if (row[column] === undefined) return undefined;
    row[column] = undefined;
    return { column, defect: 'missing_required' };
  };
}

function replaced(column: string, defect: string, values: readonly string[], onlyIfPresent = true): Damager {
  return (row, rng) => {
    if (onlyIfPresent && row[column] === undefined) return undefined;
    row[column] = rng.pick(values);
    return { column, defect };
  };
}

/** `128.50` → `128.505`: three decimals, as a spreadsheet's float leaks into an export. */
function threeDecimals(column: string): Damager {
  return (row, rng) => {
    const value = row[column];
    if (value === undefined || !/^\d+\.\d{2}$/.test(value)) return undefined;
    row[column] = `${value}${rng.int(1, 9)}`;
    return { column, defect: 'amount_three_decimals' };
  };
}

function notAnIdNumber(column: string): Damager {
  return (row, rng) => {
    const value = row[column];
    if (value === undefined) return undefined;
    const choice = rng.int(0, 2);
    row[column] =
      choice === 0 ? value.slice(0, -1) : choice === 1 ? `${value.slice(0, 16)}A${value.slice(17)}` : '不详';
    return {
      column,
      defect: choice === 2 ? 'id_not_a_number' : choice === 0 ? 'id_wrong_length' : 'id_letters',
    };
  };
}

function badCard(column: string): Damager {
  return (row) => {
    const value = row[column];
    if (value === undefined) return undefined;
    row[column] = `${value.slice(0, 6)}O${value.slice(7)}`;
    return { column, defect: 'card_letters' };
  };
}

function badRegion(column: string): Damager {
  return (row) => {
    const value = row[column];
    if (value === undefined) return undefined;
    row[column] = value.slice(0, 5);
    return { column, defect: 'region_code_short' };
  };
}

/** The damage each file can suffer (quarantinable), by contract file name. */
export const DEFECTS: Readonly<Record<string, readonly Damager[]>> = {
  'handlers.csv': [emptied('name'), badRegion('region_code')],
  'beneficiaries.csv': [
    notAnIdNumber('id_number'),
    impossibleDate('birth_date'),
    threeDecimals('monthly_amount'),
    replaced('sex', 'sex_not_m_f', ['男', '女', '1', '2']),
    replaced('status', 'status_unknown', ['停发', '正常', 'normal']),
    badCard('bank_card'),
    emptied('name'),
  ],
  'account_changes.csv': [impossibleDate('changed_at'), badCard('new_card'), emptied('new_card')],
  'status_changes.csv': [
    replaced('to_status', 'status_unknown', ['暂停', '恢复', 'stopped']),
    impossibleDate('changed_at'),
  ],
  'payments.csv': [
    threeDecimals('amount'),
    replaced('amount', 'amount_not_a_number', ['一百二十', '¥128', 'N/A']),
    emptied('amount'),
    replaced('period', 'period_impossible', ['2019-13', '2020-00', '2018/7']),
    impossibleDate('paid_at'),
  ],
  'deaths.csv': [
    impossibleDate('death_date'),
    emptied('death_date'),
    notAnIdNumber('id_number'),
    replaced('source', 'source_unknown', ['police', '公安', 'funeral_home']),
  ],
  'certifications.csv': [
    replaced('channel', 'channel_unknown', ['wechat', '人脸', 'phone']),
    impossibleDate('certified_at'),
  ],
};

/** Damages a row with one of its file's defects (tries each in a random order); undefined when none applies. */
export function damageRow(file: string, row: Row, rng: Rng): Damage | undefined {
  const damagers = rng.shuffle([...(DEFECTS[file] ?? [])]);
  for (const damager of damagers) {
    const done = damager(row, rng);
    if (done) return done;
  }
  return undefined;
}

/**
 * Flags on the roll: the row loads, but the ID's check character is wrong, or the birth date or sex contradict
 * the ID (the codes are the ones the record schema reports).
 */
export function flagRollRow(row: Row, rng: Rng): Damage | undefined {
  const id = row.id_number;
  if (id === undefined || id.length !== 18) return undefined;
  const choice = rng.int(0, 2);
  if (choice === 0) {
    const right = checkCharacter(id.slice(0, 17));
    const wrong = rng.pick('0123456789X'.split('').filter((c) => c !== right));
    row.id_number = id.slice(0, 17) + wrong;
    return { column: 'id_number', defect: 'id.check_character' };
  }
  if (choice === 1 && row.birth_date !== undefined) {
    const day = Number(row.birth_date.slice(8, 10));
    row.birth_date = `${row.birth_date.slice(0, 8)}${String(day === 1 ? 2 : day - 1).padStart(2, '0')}`;
    return { column: 'birth_date', defect: 'id.birth_date_mismatch' };
  }
  if (row.sex !== undefined) {
    row.sex = row.sex === 'M' ? 'F' : 'M';
    return { column: 'sex', defect: 'id.sex_mismatch' };
  }
  return undefined;
}

/** Card-event damage, on the JSON object before it is written; `invalid_json` truncates the line instead. */
export function damageEvent(event: Record<string, unknown>, rng: Rng): Damage | 'invalid_json' {
  const choice = rng.int(0, 4);
  if (choice === 0 && typeof event.ts === 'string') {
    event.ts = event.ts.slice(0, 19);
    return { column: 'ts', defect: 'timestamp_without_offset' };
  }
  if (choice === 1 && typeof event.amount === 'string' && /^\d+\.\d{2}$/.test(event.amount)) {
    event.amount = `${event.amount}${rng.int(1, 9)}`;
    return { column: 'amount', defect: 'amount_three_decimals' };
  }
  if (choice === 2 && event.amount !== undefined) {
    delete event.amount;
    return { column: 'amount', defect: 'missing_amount' };
  }
  if (choice === 3) {
    event.channel = rng.pick(['ATM ', 'kiosk', 'mobile']);
    return { column: 'channel', defect: 'channel_unknown' };
  }
  return 'invalid_json';
}

/**
 * The malformed line every damaged CSV file ends with: a row whose quoted cell is never closed. It is the last line
 * so that a parser reaching the end of the file inside the quote loses nothing else.
 */
export function unbalancedQuoteLine(cells: readonly (string | undefined)[]): string {
  const texts = cells.map((c) => c ?? '');
  const at = Math.min(1, texts.length - 1);
  texts[at] = `"${texts[at]}`;
  return texts.join(',');
}

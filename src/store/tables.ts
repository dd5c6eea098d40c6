import type { CardNumber } from '../core/card-number.js';
import type { CalendarDate, Period } from '../core/time.js';
import type {
  BenefitStatus,
  CertificationChannel,
  DeathSource,
  EventChannel,
  EventResult,
  EventType,
  RecordKind,
  Scheme,
} from '../records/enums.js';
import type { RecordOf } from '../records/schemas.js';
import type { RecordKeyOf } from './record-key.js';

/**
 * The record tables as both dialects see them: one spec per kind, with the one translation from a domain record
 * to row values (`toRow`) and back (`fromRow`). The DDL itself lives in migrations.ts, written out by hand.
 */

/** A value bound to or read from SQL: text, an integer (fen, epoch ms) or NULL. */
export type SqlValue = string | number | null;
/** A row as both drivers return it: column name → value. */
export type Row = Readonly<Record<string, unknown>>;

export interface Column {
  readonly name: string;
  readonly type: 'text' | 'integer';
  /** Kept once a load has set it: a later load neither overwrites it nor counts it as a change. */
  readonly keptFromFirstLoad?: true;
}

export interface TableSpec<K extends RecordKind> {
  readonly kind: K;
  readonly table: string;
  /** Every column, in the order `toRow` returns the values. */
  readonly columns: readonly Column[];
  /** The natural key, the table's primary key. */
  readonly keyColumns: readonly string[];
  /** `replace`: a re-loaded key replaces the row (the later one wins); `ignore`: the first one stays. */
  readonly onConflict: 'replace' | 'ignore';
  readonly toRow: (record: RecordOf[K]) => SqlValue[];
  readonly fromRow: (row: Row) => RecordOf[K];
  readonly keyValues: (key: RecordKeyOf[K]) => SqlValue[];
}

const text = (name: string): Column => ({ name, type: 'text' });
const integer = (name: string): Column => ({ name, type: 'integer' });
const firstLoadText = (name: string): Column => ({ name, type: 'text', keptFromFirstLoad: true });

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
const str = <T extends string = string>(value: unknown): T => value as T;
const optStr = <T extends string = string>(value: unknown): T | undefined =>
  value === null || value === undefined ? undefined : (value as T);
const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const optNum = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : num(value);

const handlers: TableSpec<'handlers'> = {
  kind: 'handlers',
  table: 'handlers',
  columns: [text('handler_id'), text('name'), text('role'), text('unit'), text('region_code')],
  keyColumns: ['handler_id'],
  onConflict: 'replace',
  toRow: (r) => [r.handlerId, r.name, orNull(r.role), orNull(r.unit), orNull(r.regionCode)],
  fromRow: (row) => ({
    handlerId: str(row.handler_id),
    name: str(row.name),
    role: optStr(row.role),
    unit: optStr(row.unit),
    regionCode: optStr(row.region_code),
  }),
  keyValues: (k) => [k.handlerId],
};

const beneficiaries: TableSpec<'beneficiaries'> = {
  kind: 'beneficiaries',
  table: 'beneficiaries',
  columns: [
    text('beneficiary_id'),
    text('name'),
    text('id_number'),
    text('sex'),
    text('birth_date'),
    text('region_code'),
    text('address'),
    text('phone'),
    text('bank_card'),
    text('scheme'),
    integer('monthly_amount_fen'),
    text('enrolled_at'),
    text('handler_id'),
    text('status'),
  ],
  keyColumns: ['beneficiary_id'],
  onConflict: 'replace',
  toRow: (r) => [
    r.beneficiaryId,
    r.name,
    orNull(r.idNumber),
    orNull(r.sex),
    orNull(r.birthDate),
    orNull(r.regionCode),
    orNull(r.address),
    orNull(r.phone),
    orNull(r.bankCard),
    orNull(r.scheme),
    orNull(r.monthlyAmountFen),
    orNull(r.enrolledAt),
    orNull(r.handlerId),
    r.status,
  ],
  fromRow: (row) => ({
    beneficiaryId: str(row.beneficiary_id),
    name: str(row.name),
    idNumber: optStr(row.id_number),
    sex: optStr<'M' | 'F'>(row.sex),
    birthDate: optStr<CalendarDate>(row.birth_date),
    regionCode: optStr(row.region_code),
    address: optStr(row.address),
    phone: optStr(row.phone),
    bankCard: optStr<CardNumber>(row.bank_card),
    scheme: optStr<Scheme>(row.scheme),
    monthlyAmountFen: optNum(row.monthly_amount_fen),
    enrolledAt: optStr<CalendarDate>(row.enrolled_at),
    handlerId: optStr(row.handler_id),
    status: str<BenefitStatus>(row.status),
    flags: [],
  }),
  keyValues: (k) => [k.beneficiaryId],
};

const accountChanges: TableSpec<'account-changes'> = {
  kind: 'account-changes',
  table: 'account_changes',
  columns: [
    text('beneficiary_id'),
    text('changed_at'),
    text('old_card'),
    text('new_card'),
    text('handler_id'),
  ],
  keyColumns: ['beneficiary_id', 'changed_at', 'new_card'],
  onConflict: 'replace',
  toRow: (r) => [r.beneficiaryId, r.changedAt, orNull(r.oldCard), r.newCard, orNull(r.handlerId)],
  fromRow: (row) => ({
    beneficiaryId: str(row.beneficiary_id),
    changedAt: str<CalendarDate>(row.changed_at),
    oldCard: optStr<CardNumber>(row.old_card),
    newCard: str<CardNumber>(row.new_card),
    handlerId: optStr(row.handler_id),
  }),
  keyValues: (k) => [k.beneficiaryId, k.changedAt, k.newCard],
};

const statusChanges: TableSpec<'status-changes'> = {
  kind: 'status-changes',
  table: 'status_changes',
  columns: [
    text('beneficiary_id'),
    text('changed_at'),
    text('from_status'),
    text('to_status'),
    text('reason'),
    text('handler_id'),
    text('approved_by'),
  ],
  keyColumns: ['beneficiary_id', 'changed_at', 'to_status'],
  onConflict: 'replace',
  toRow: (r) => [
    r.beneficiaryId,
    r.changedAt,
    orNull(r.fromStatus),
    r.toStatus,
    orNull(r.reason),
    orNull(r.handlerId),
    orNull(r.approvedBy),
  ],
  fromRow: (row) => ({
    beneficiaryId: str(row.beneficiary_id),
    changedAt: str<CalendarDate>(row.changed_at),
    fromStatus: optStr<BenefitStatus>(row.from_status),
    toStatus: str<BenefitStatus>(row.to_status),
    reason: optStr(row.reason),
    handlerId: optStr(row.handler_id),
    approvedBy: optStr(row.approved_by),
  }),
  keyValues: (k) => [k.beneficiaryId, k.changedAt, k.toStatus],
};

const payments: TableSpec<'payments'> = {
  kind: 'payments',
  table: 'payments',
  columns: [
    text('payment_id'),
    text('beneficiary_id'),
    text('period'),
    text('paid_at'),
    integer('amount_fen'),
    text('bank_card'),
  ],
  keyColumns: ['payment_id'],
  onConflict: 'replace',
  toRow: (r) => [r.paymentId, r.beneficiaryId, r.period, r.paidAt, r.amountFen, orNull(r.bankCard)],
  fromRow: (row) => ({
    paymentId: str(row.payment_id),
    beneficiaryId: str(row.beneficiary_id),
    period: str<Period>(row.period),
    paidAt: str<CalendarDate>(row.paid_at),
    amountFen: num(row.amount_fen),
    bankCard: optStr<CardNumber>(row.bank_card),
  }),
  keyValues: (k) => [k.paymentId],
};

const deaths: TableSpec<'deaths'> = {
  kind: 'deaths',
  table: 'deaths',
  columns: [
    text('source'),
    text('record_id'),
    text('name'),
    text('id_number'),
    text('sex'),
    text('birth_date'),
    text('death_date'),
    text('region_code'),
    text('address'),
    text('reported_at'),
    // The date the record was first loaded: what `reported_at` means when the file leaves it out. Kept from the
    // first load, so that re-loading the same file on another day changes nothing.
    firstLoadText('loaded_on'),
  ],
  keyColumns: ['source', 'record_id'],
  onConflict: 'replace',
  toRow: (r) => [
    r.source,
    r.recordId,
    r.name,
    orNull(r.idNumber),
    orNull(r.sex),
    orNull(r.birthDate),
    r.deathDate,
    orNull(r.regionCode),
    orNull(r.address),
    orNull(r.reportedAt),
    orNull(r.loadedOn),
  ],
  fromRow: (row) => ({
    recordId: str(row.record_id),
    source: str<DeathSource>(row.source),
    name: str(row.name),
    idNumber: optStr(row.id_number),
    sex: optStr<'M' | 'F'>(row.sex),
    birthDate: optStr<CalendarDate>(row.birth_date),
    deathDate: str<CalendarDate>(row.death_date),
    regionCode: optStr(row.region_code),
    address: optStr(row.address),
    reportedAt: optStr<CalendarDate>(row.reported_at ?? row.loaded_on),
    flags: [],
  }),
  keyValues: (k) => [k.source, k.recordId],
};

const certifications: TableSpec<'certifications'> = {
  kind: 'certifications',
  table: 'certifications',
  columns: [
    text('certification_id'),
    text('beneficiary_id'),
    text('certified_at'),
    text('channel'),
    text('handler_id'),
    text('device_id'),
  ],
  keyColumns: ['certification_id'],
  onConflict: 'replace',
  toRow: (r) => [
    r.certificationId,
    r.beneficiaryId,
    r.certifiedAt,
    r.channel,
    orNull(r.handlerId),
    orNull(r.deviceId),
  ],
  fromRow: (row) => ({
    certificationId: str(row.certification_id),
    beneficiaryId: str(row.beneficiary_id),
    certifiedAt: str<CalendarDate>(row.certified_at),
    channel: str<CertificationChannel>(row.channel),
    handlerId: optStr(row.handler_id),
    deviceId: optStr(row.device_id),
  }),
  keyValues: (k) => [k.certificationId],
};

const cardEvents: TableSpec<'card-events'> = {
  kind: 'card-events',
  table: 'card_events',
  columns: [
    text('event_id'),
    integer('ts'),
    text('card'),
    text('terminal_id'),
    text('terminal_region'),
    text('channel'),
    text('type'),
    integer('amount_fen'),
    text('result'),
    text('session_id'),
  ],
  keyColumns: ['event_id'],
  // A repeated event_id is a duplicate delivery: the event already stored stays.
  onConflict: 'ignore',
  toRow: (r) => [
    r.eventId,
    r.ts,
    r.card,
    orNull(r.terminalId),
    orNull(r.terminalRegion),
    r.channel,
    r.type,
    orNull(r.amountFen),
    r.result,
    orNull(r.sessionId),
  ],
  fromRow: (row) => ({
    eventId: str(row.event_id),
    ts: num(row.ts),
    card: str<CardNumber>(row.card),
    terminalId: optStr(row.terminal_id),
    terminalRegion: optStr(row.terminal_region),
    channel: str<EventChannel>(row.channel),
    type: str<EventType>(row.type),
    amountFen: optNum(row.amount_fen),
    result: str<EventResult>(row.result),
    sessionId: optStr(row.session_id),
  }),
  keyValues: (k) => [k.eventId],
};

/**
 * The table of each record kind.
 * @example TABLES.payments.toRow(payment) // ['P1', 'B1', '2021-01', '2021-01-05', 123450, null]
 */
export const TABLES: { readonly [K in RecordKind]: TableSpec<K> } = {
  handlers,
  beneficiaries,
  'account-changes': accountChanges,
  'status-changes': statusChanges,
  payments,
  deaths,
  certifications,
  'card-events': cardEvents,
};

/**
 * The columns that are neither part of the key nor kept from the first load: what an upsert overwrites.
 * @example valueColumns(TABLES.handlers).map((c) => c.name) // ['name', 'role', 'unit', 'region_code']
 */
export function valueColumns(spec: TableSpec<RecordKind>): readonly Column[] {
  return spec.columns.filter((c) => !spec.keyColumns.includes(c.name) && c.keptFromFirstLoad !== true);
}

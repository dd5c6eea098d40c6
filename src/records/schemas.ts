import { z } from 'zod';
import type { CardNumber } from '../core/card-number.js';
import type { Fen } from '../core/money.js';
import type { CalendarDate, EpochMs, Period } from '../core/time.js';
import {
  BENEFIT_STATUSES,
  type BenefitStatus,
  CERTIFICATION_CHANNELS,
  type CertificationChannel,
  DEATH_SOURCES,
  type DeathSource,
  EVENT_CHANNELS,
  EVENT_RESULTS,
  EVENT_TYPES,
  type EventChannel,
  type EventResult,
  type EventType,
  MONEY_EVENT_TYPES,
  type RecordKind,
  SCHEMES,
  type Scheme,
  SEXES,
} from './enums.js';
import {
  cardText,
  idNumberText,
  oneOf,
  optionalDate,
  optionalText,
  optionalYuan,
  regionCode,
  requiredDate,
  requiredPeriod,
  requiredText,
  requiredTimestamp,
  requiredYuan,
} from './fields.js';

/**
 * The records of DATA_FORMATS.md. Each input schema reads one row as found in a file (snake_case columns,
 * text cells, an empty cell absent) and yields the domain record (camelCase, fen, branded dates), so that the same
 * schema validates a CSV row, an HTTP body and a NATS message.
 */

/** A data-quality finding on a row that was loaded all the same (e.g. a wrong ID check character). */
export interface QualityFlag {
  readonly column: string;
  readonly code: string;
  readonly message: string;
}

const idFlags = (
  id: z.output<ReturnType<typeof idNumberText>>,
  row: { birthDate?: CalendarDate | undefined; sex?: 'M' | 'F' | undefined },
): { idNumber?: string; flags: QualityFlag[] } => {
  const flags: QualityFlag[] = [];
  if (id === undefined) return { flags };
  if (id.kind === 'suspect') {
    flags.push({ column: 'id_number', code: id.code, message: id.reason });
    return { idNumber: id.normalised, flags };
  }
  if (row.birthDate !== undefined && row.birthDate !== id.info.birthDate) {
    flags.push({
      column: 'birth_date',
      code: 'id.birth_date_mismatch',
      message: `birth_date ${row.birthDate} contradicts the ID number, which says ${id.info.birthDate}`,
    });
  }
  if (row.sex !== undefined && row.sex !== id.info.sex) {
    flags.push({
      column: 'sex',
      code: 'id.sex_mismatch',
      message: `sex ${row.sex} contradicts the ID number, which says ${id.info.sex}`,
    });
  }
  return { idNumber: id.info.id, flags };
};

export const handlerRow = z
  .object({
    handler_id: requiredText(64),
    name: requiredText(),
    role: optionalText(64),
    unit: optionalText(200),
    region_code: regionCode(),
  })
  .transform((r) => ({
    handlerId: r.handler_id,
    name: r.name,
    role: r.role,
    unit: r.unit,
    regionCode: r.region_code,
  }));
export type Handler = z.output<typeof handlerRow>;

export const beneficiaryRow = z
  .object({
    beneficiary_id: requiredText(64),
    name: requiredText(),
    id_number: idNumberText(),
    sex: oneOf(SEXES).optional(),
    birth_date: optionalDate(),
    region_code: regionCode(),
    address: optionalText(),
    phone: optionalText(32),
    bank_card: cardText().optional(),
    scheme: oneOf(SCHEMES).optional(),
    monthly_amount: optionalYuan(),
    enrolled_at: optionalDate(),
    handler_id: optionalText(64),
    status: oneOf(BENEFIT_STATUSES).optional(),
  })
  .transform((r) => {
    const { idNumber, flags } = idFlags(r.id_number, { birthDate: r.birth_date, sex: r.sex });
    return {
      beneficiaryId: r.beneficiary_id,
      name: r.name,
      idNumber,
      sex: r.sex,
      birthDate: r.birth_date,
      regionCode: r.region_code,
      address: r.address,
      phone: r.phone,
      bankCard: r.bank_card as CardNumber | undefined,
      scheme: r.scheme as Scheme | undefined,
      monthlyAmountFen: r.monthly_amount as Fen | undefined,
      enrolledAt: r.enrolled_at,
      handlerId: r.handler_id,
      status: (r.status ?? 'active') as BenefitStatus,
      flags: flags as readonly QualityFlag[],
    };
  });
export type Beneficiary = z.output<typeof beneficiaryRow>;

export const accountChangeRow = z
  .object({
    beneficiary_id: requiredText(64),
    changed_at: requiredDate(),
    old_card: cardText().optional(),
    new_card: cardText(),
    handler_id: optionalText(64),
  })
  .transform((r) => ({
    beneficiaryId: r.beneficiary_id,
    changedAt: r.changed_at,
    oldCard: r.old_card as CardNumber | undefined,
    newCard: r.new_card as CardNumber,
    handlerId: r.handler_id,
  }));
export type AccountChange = z.output<typeof accountChangeRow>;

export const statusChangeRow = z
  .object({
    beneficiary_id: requiredText(64),
    changed_at: requiredDate(),
    from_status: oneOf(BENEFIT_STATUSES).optional(),
    to_status: oneOf(BENEFIT_STATUSES),
    reason: optionalText(),
    handler_id: optionalText(64),
    approved_by: optionalText(64),
  })
  .transform((r) => ({
    beneficiaryId: r.beneficiary_id,
    changedAt: r.changed_at,
    fromStatus: r.from_status as BenefitStatus | undefined,
    toStatus: r.to_status as BenefitStatus,
    reason: r.reason,
    handlerId: r.handler_id,
    approvedBy: r.approved_by,
  }));
export type StatusChange = z.output<typeof statusChangeRow>;

export const paymentRow = z
  .object({
    payment_id: requiredText(64),
    beneficiary_id: requiredText(64),
    period: requiredPeriod(),
    paid_at: requiredDate(),
    amount: requiredYuan(),
    bank_card: cardText().optional(),
  })
  .transform((r) => ({
    paymentId: r.payment_id,
    beneficiaryId: r.beneficiary_id,
    period: r.period as Period,
    paidAt: r.paid_at,
    amountFen: r.amount as Fen,
    bankCard: r.bank_card as CardNumber | undefined,
  }));
export type Payment = z.output<typeof paymentRow>;

export const deathRow = z
  .object({
    record_id: requiredText(64),
    source: oneOf(DEATH_SOURCES),
    name: requiredText(),
    id_number: idNumberText(),
    sex: oneOf(SEXES).optional(),
    birth_date: optionalDate(),
    death_date: requiredDate(),
    region_code: regionCode(),
    address: optionalText(),
    reported_at: optionalDate(),
  })
  .transform((r) => {
    const { idNumber, flags } = idFlags(r.id_number, { birthDate: r.birth_date, sex: r.sex });
    return {
      recordId: r.record_id,
      source: r.source as DeathSource,
      name: r.name,
      idNumber,
      sex: r.sex,
      birthDate: r.birth_date,
      deathDate: r.death_date,
      regionCode: r.region_code,
      address: r.address,
      /** Absent in the file: the store reads back the date of the record's first load, as DATA_FORMATS.md says. */
      reportedAt: r.reported_at,
      flags: flags as readonly QualityFlag[],
    };
  });
export type DeathRecord = z.output<typeof deathRow> & {
  /** Set by the ingest: the day this load ran (the store keeps the first load's). */
  readonly loadedOn?: CalendarDate;
};

export const certificationRow = z
  .object({
    certification_id: requiredText(64),
    beneficiary_id: requiredText(64),
    certified_at: requiredDate(),
    channel: oneOf(CERTIFICATION_CHANNELS),
    handler_id: optionalText(64),
    device_id: optionalText(128),
  })
  .transform((r) => ({
    certificationId: r.certification_id,
    beneficiaryId: r.beneficiary_id,
    certifiedAt: r.certified_at,
    channel: r.channel as CertificationChannel,
    handlerId: r.handler_id,
    deviceId: r.device_id,
  }));
export type Certification = z.output<typeof certificationRow>;

export const cardEventInput = z
  .object({
    event_id: requiredText(128),
    ts: requiredTimestamp(),
    card: cardText(),
    terminal_id: optionalText(64),
    terminal_region: regionCode(),
    channel: oneOf(EVENT_CHANNELS),
    type: oneOf(EVENT_TYPES),
    amount: optionalYuan(),
    result: oneOf(EVENT_RESULTS).optional(),
    session_id: optionalText(128),
  })
  .superRefine((r, ctx) => {
    if ((r.channel === 'atm' || r.channel === 'pos') && r.terminal_id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['terminal_id'], message: `is required for ${r.channel} events` });
    }
    if (MONEY_EVENT_TYPES.includes(r.type as EventType) && r.amount === undefined) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `is required for a ${r.type}` });
    }
  })
  .transform((r) => ({
    eventId: r.event_id,
    ts: r.ts as EpochMs,
    card: r.card as CardNumber,
    terminalId: r.terminal_id,
    terminalRegion: r.terminal_region,
    channel: r.channel as EventChannel,
    type: r.type as EventType,
    amountFen: r.amount as Fen | undefined,
    result: (r.result ?? 'approved') as EventResult,
    sessionId: r.session_id,
  }));
export type CardEvent = z.output<typeof cardEventInput>;

/** Every kind's record type, by kind. */
export interface RecordOf {
  handlers: Handler;
  beneficiaries: Beneficiary;
  'account-changes': AccountChange;
  'status-changes': StatusChange;
  payments: Payment;
  deaths: DeathRecord;
  certifications: Certification;
  'card-events': CardEvent;
}
export type AnyRecord = RecordOf[RecordKind];

// biome-ignore lint/suspicious/noExplicitAny: the registry holds schemas whose input shapes differ by kind
type RowSchema = z.ZodType<any, any>;

export interface KindSpec<K extends RecordKind> {
  readonly kind: K;
  /** The contract's file name, e.g. `beneficiaries.csv`. */
  readonly fileName: string;
  readonly format: 'csv' | 'jsonl';
  readonly schema: z.ZodType<RecordOf[K], unknown>;
  /** Columns in the contract's order, with whether each is required. */
  readonly columns: readonly { readonly name: string; readonly required: boolean }[];
  /** The natural key: a re-load of the same key replaces (or, for card events, is ignored). */
  readonly key: (record: RecordOf[K]) => string;
}

function columnsOf(schema: RowSchema): { name: string; required: boolean }[] {
  // The object schema sits inside the transform/refine pipe; its shape lists the contract's columns.
  let inner: unknown = schema;
  for (let i = 0; i < 4; i++) {
    const def = (inner as { def?: { type?: string; in?: unknown; shape?: unknown } }).def;
    if (def?.type === 'object') break;
    inner = def?.in;
  }
  const shape = (inner as { shape: Record<string, { safeParse: (v: unknown) => { success: boolean } }> })
    .shape;
  return Object.entries(shape).map(([name, field]) => ({
    name,
    required: !field.safeParse(undefined).success,
  }));
}

function spec<K extends RecordKind>(
  kind: K,
  fileName: string,
  format: 'csv' | 'jsonl',
  schema: RowSchema,
  key: (record: RecordOf[K]) => string,
): KindSpec<K> {
  return { kind, fileName, format, schema, columns: columnsOf(schema), key };
}

export const KIND_SPECS: { readonly [K in RecordKind]: KindSpec<K> } = {
  handlers: spec('handlers', 'handlers.csv', 'csv', handlerRow, (r) => r.handlerId),
  beneficiaries: spec('beneficiaries', 'beneficiaries.csv', 'csv', beneficiaryRow, (r) => r.beneficiaryId),
  'account-changes': spec('account-changes', 'account_changes.csv', 'csv', accountChangeRow, (r) =>
    [r.beneficiaryId, r.changedAt, r.newCard].join('|'),
  ),
  'status-changes': spec('status-changes', 'status_changes.csv', 'csv', statusChangeRow, (r) =>
    [r.beneficiaryId, r.changedAt, r.toStatus].join('|'),
  ),
  payments: spec('payments', 'payments.csv', 'csv', paymentRow, (r) => r.paymentId),
  deaths: spec('deaths', 'deaths.csv', 'csv', deathRow, (r) => `${r.source}|${r.recordId}`),
  certifications: spec(
    'certifications',
    'certifications.csv',
    'csv',
    certificationRow,
    (r) => r.certificationId,
  ),
  'card-events': spec('card-events', 'card_events.jsonl', 'jsonl', cardEventInput, (r) => r.eventId),
};

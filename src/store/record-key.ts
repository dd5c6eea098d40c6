import type {
  AccountChange,
  Beneficiary,
  CardEvent,
  Certification,
  DeathRecord,
  Handler,
  Payment,
  StatusChange,
} from '../records/schemas.js';

/**
 * The fields of a record that make its natural key (the table's primary key, as `KIND_SPECS[kind].key` joins them).
 * A whole record is a valid key of its kind.
 */
export interface RecordKeyOf {
  handlers: Pick<Handler, 'handlerId'>;
  beneficiaries: Pick<Beneficiary, 'beneficiaryId'>;
  'account-changes': Pick<AccountChange, 'beneficiaryId' | 'changedAt' | 'newCard'>;
  'status-changes': Pick<StatusChange, 'beneficiaryId' | 'changedAt' | 'toStatus'>;
  payments: Pick<Payment, 'paymentId'>;
  deaths: Pick<DeathRecord, 'source' | 'recordId'>;
  certifications: Pick<Certification, 'certificationId'>;
  'card-events': Pick<CardEvent, 'eventId'>;
}

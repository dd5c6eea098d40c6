/** The closed vocabularies of DATA_FORMATS.md, as `as const` arrays: the enums come from these. */
export const RECORD_KINDS = [
  'handlers',
  'beneficiaries',
  'account-changes',
  'status-changes',
  'payments',
  'deaths',
  'certifications',
  'card-events',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const BENEFIT_STATUSES = ['active', 'suspended', 'terminated'] as const;
export type BenefitStatus = (typeof BENEFIT_STATUSES)[number];

export const SCHEMES = ['urban_employee', 'urban_rural_resident'] as const;
export type Scheme = (typeof SCHEMES)[number];

export const DEATH_SOURCES = [
  'civil_affairs',
  'cremation',
  'hospital',
  'household_register',
  'other',
] as const;
export type DeathSource = (typeof DEATH_SOURCES)[number];

export const CERTIFICATION_CHANNELS = ['face_app', 'in_person', 'home_visit', 'agent', 'bigdata'] as const;
export type CertificationChannel = (typeof CERTIFICATION_CHANNELS)[number];

export const EVENT_CHANNELS = ['atm', 'counter', 'pos', 'online'] as const;
export type EventChannel = (typeof EVENT_CHANNELS)[number];

export const EVENT_TYPES = [
  'withdrawal',
  'balance_inquiry',
  'transfer_out',
  'deposit',
  'pin_failure',
  'card_inserted',
  'card_ejected',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Event types that move money and so must carry an amount. */
export const MONEY_EVENT_TYPES: readonly EventType[] = ['withdrawal', 'transfer_out', 'deposit'];

export const EVENT_RESULTS = ['approved', 'declined'] as const;
export type EventResult = (typeof EVENT_RESULTS)[number];

export const SEXES = ['M', 'F'] as const;

/**
 * The schema's history, one entry per version, each written out in both dialects' SQL. A migration that has
 * shipped never changes: a later change is a new entry. `schema_migrations(version, applied_at)` records which
 * ones a database has; every open applies the missing ones, in order, in one transaction.
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: { readonly sqlite: string; readonly postgres: string };
}

/** Created before any migration runs: the runner needs it to know where the database stands. */
export const MIGRATIONS_TABLE_SQL = {
  sqlite: `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  applied_at INTEGER NOT NULL
)`,
  postgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  applied_at BIGINT NOT NULL
)`,
} as const;

const V1_SQLITE = `
CREATE TABLE handlers (
  handler_id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT,
  unit TEXT,
  region_code TEXT
);

CREATE TABLE beneficiaries (
  beneficiary_id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  id_number TEXT,
  sex TEXT,
  birth_date TEXT,
  region_code TEXT,
  address TEXT,
  phone TEXT,
  bank_card TEXT,
  scheme TEXT,
  monthly_amount_fen INTEGER,
  enrolled_at TEXT,
  handler_id TEXT,
  status TEXT NOT NULL
);
CREATE INDEX beneficiaries_id_number ON beneficiaries (id_number);
CREATE INDEX beneficiaries_bank_card ON beneficiaries (bank_card);

-- The primary key's leading beneficiary_id serves lookups by beneficiary.
CREATE TABLE account_changes (
  beneficiary_id TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  old_card TEXT,
  new_card TEXT NOT NULL,
  handler_id TEXT,
  PRIMARY KEY (beneficiary_id, changed_at, new_card)
);
CREATE INDEX account_changes_new_card ON account_changes (new_card);

-- The primary key's leading beneficiary_id serves lookups by beneficiary.
CREATE TABLE status_changes (
  beneficiary_id TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason TEXT,
  handler_id TEXT,
  approved_by TEXT,
  PRIMARY KEY (beneficiary_id, changed_at, to_status)
);

CREATE TABLE payments (
  payment_id TEXT NOT NULL PRIMARY KEY,
  beneficiary_id TEXT NOT NULL,
  period TEXT NOT NULL,
  paid_at TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  bank_card TEXT
);
CREATE INDEX payments_beneficiary_id ON payments (beneficiary_id);

CREATE TABLE deaths (
  source TEXT NOT NULL,
  record_id TEXT NOT NULL,
  name TEXT NOT NULL,
  id_number TEXT,
  sex TEXT,
  birth_date TEXT,
  death_date TEXT NOT NULL,
  region_code TEXT,
  address TEXT,
  reported_at TEXT,
  PRIMARY KEY (source, record_id)
);
CREATE INDEX deaths_id_number ON deaths (id_number);

CREATE TABLE certifications (
  certification_id TEXT NOT NULL PRIMARY KEY,
  beneficiary_id TEXT NOT NULL,
  certified_at TEXT NOT NULL,
  channel TEXT NOT NULL,
  handler_id TEXT,
  device_id TEXT
);
CREATE INDEX certifications_beneficiary_id ON certifications (beneficiary_id);

CREATE TABLE card_events (
  event_id TEXT NOT NULL PRIMARY KEY,
  ts INTEGER NOT NULL,
  card TEXT NOT NULL,
  terminal_id TEXT,
  terminal_region TEXT,
  channel TEXT NOT NULL,
  type TEXT NOT NULL,
  amount_fen INTEGER,
  result TEXT NOT NULL,
  session_id TEXT
);
CREATE INDEX card_events_card_ts ON card_events (card, ts);
CREATE INDEX card_events_terminal_ts ON card_events (terminal_id, ts);

CREATE TABLE loads (
  load_id INTEGER PRIMARY KEY,
  file_key TEXT NOT NULL,
  file TEXT NOT NULL,
  kind TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  status TEXT NOT NULL,
  through_line INTEGER NOT NULL DEFAULT 0,
  rows_read INTEGER NOT NULL DEFAULT 0,
  rows_loaded INTEGER NOT NULL DEFAULT 0,
  rows_quarantined INTEGER NOT NULL DEFAULT 0,
  rows_flagged INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX loads_file_key ON loads (file_key);

CREATE TABLE quarantine (
  load_id INTEGER NOT NULL,
  file_key TEXT NOT NULL,
  file TEXT NOT NULL,
  kind TEXT NOT NULL,
  line INTEGER NOT NULL,
  column_name TEXT,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL
);
CREATE INDEX quarantine_load_id ON quarantine (load_id, line);
CREATE INDEX quarantine_file_key ON quarantine (file_key);
CREATE INDEX quarantine_file ON quarantine (file);

CREATE TABLE data_quality_flags (
  load_id INTEGER NOT NULL,
  file_key TEXT NOT NULL,
  file TEXT NOT NULL,
  kind TEXT NOT NULL,
  line INTEGER NOT NULL,
  column_name TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  record_key TEXT NOT NULL
);
CREATE INDEX data_quality_flags_file_key ON data_quality_flags (file_key);
CREATE INDEX data_quality_flags_record ON data_quality_flags (kind, record_key);

CREATE TABLE job_runs (
  run_id INTEGER PRIMARY KEY,
  job TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  summary TEXT NOT NULL
);
CREATE INDEX job_runs_job ON job_runs (job, started_at);
`;

const V1_POSTGRES = `
CREATE TABLE handlers (
  handler_id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT,
  unit TEXT,
  region_code TEXT
);

CREATE TABLE beneficiaries (
  beneficiary_id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  id_number TEXT,
  sex TEXT,
  birth_date TEXT,
  region_code TEXT,
  address TEXT,
  phone TEXT,
  bank_card TEXT,
  scheme TEXT,
  monthly_amount_fen BIGINT,
  enrolled_at TEXT,
  handler_id TEXT,
  status TEXT NOT NULL
);
CREATE INDEX beneficiaries_id_number ON beneficiaries (id_number);
CREATE INDEX beneficiaries_bank_card ON beneficiaries (bank_card);

-- The primary key's leading beneficiary_id serves lookups by beneficiary.
CREATE TABLE account_changes (
  beneficiary_id TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  old_card TEXT,
  new_card TEXT NOT NULL,
  handler_id TEXT,
  PRIMARY KEY (beneficiary_id, changed_at, new_card)
);
CREATE INDEX account_changes_new_card ON account_changes (new_card);

-- The primary key's leading beneficiary_id serves lookups by beneficiary.
CREATE TABLE status_changes (
  beneficiary_id TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason TEXT,
  handler_id TEXT,
  approved_by TEXT,
  PRIMARY KEY (beneficiary_id, changed_at, to_status)
);

CREATE TABLE payments (
  payment_id TEXT NOT NULL PRIMARY KEY,
  beneficiary_id TEXT NOT NULL,
  period TEXT NOT NULL,
  paid_at TEXT NOT NULL,
  amount_fen BIGINT NOT NULL,
  bank_card TEXT
);
CREATE INDEX payments_beneficiary_id ON payments (beneficiary_id);

CREATE TABLE deaths (
  source TEXT NOT NULL,
  record_id TEXT NOT NULL,
  name TEXT NOT NULL,
  id_number TEXT,
  sex TEXT,
  birth_date TEXT,
  death_date TEXT NOT NULL,
  region_code TEXT,
  address TEXT,
  reported_at TEXT,
  PRIMARY KEY (source, record_id)
);
CREATE INDEX deaths_id_number ON deaths (id_number);

CREATE TABLE certifications (
  certification_id TEXT NOT NULL PRIMARY KEY,
  beneficiary_id TEXT NOT NULL,
  certified_at TEXT NOT NULL,
  channel TEXT NOT NULL,
  handler_id TEXT,
  device_id TEXT
);
CREATE INDEX certifications_beneficiary_id ON certifications (beneficiary_id);

CREATE TABLE card_events (
  event_id TEXT NOT NULL PRIMARY KEY,
  ts BIGINT NOT NULL,
  card TEXT NOT NULL,
  terminal_id TEXT,
  terminal_region TEXT,
  channel TEXT NOT NULL,
  type TEXT NOT NULL,
  amount_fen BIGINT,
  result TEXT NOT NULL,
  session_id TEXT
);
CREATE INDEX card_events_card_ts ON card_events (card, ts);
CREATE INDEX card_events_terminal_ts ON card_events (terminal_id, ts);

CREATE TABLE loads (
  load_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  file_key TEXT NOT NULL,
  file TEXT NOT NULL,
  kind TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  status TEXT NOT NULL,
  through_line BIGINT NOT NULL DEFAULT 0,
  rows_read BIGINT NOT NULL DEFAULT 0,
  rows_loaded BIGINT NOT NULL DEFAULT 0,
  rows_quarantined BIGINT NOT NULL DEFAULT 0,
  rows_flagged BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX loads_file_key ON loads (file_key);

CREATE TABLE quarantine (
  load_id BIGINT NOT NULL,
  file_key TEXT NOT NULL,
  file TEXT NOT NULL,
  kind TEXT NOT NULL,
  line BIGINT NOT NULL,
  column_name TEXT,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL
);
CREATE INDEX quarantine_load_id ON quarantine (load_id, line);
CREATE INDEX quarantine_file_key ON quarantine (file_key);
CREATE INDEX quarantine_file ON quarantine (file);

CREATE TABLE data_quality_flags (
  load_id BIGINT NOT NULL,
  file_key TEXT NOT NULL,
  file TEXT NOT NULL,
  kind TEXT NOT NULL,
  line BIGINT NOT NULL,
  column_name TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  record_key TEXT NOT NULL
);
CREATE INDEX data_quality_flags_file_key ON data_quality_flags (file_key);
CREATE INDEX data_quality_flags_record ON data_quality_flags (kind, record_key);

CREATE TABLE job_runs (
  run_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  job TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  summary JSONB NOT NULL
);
CREATE INDEX job_runs_job ON job_runs (job, started_at);
`;

/**
 * Every migration, oldest first. Append only.
 * @example MIGRATIONS.at(-1)?.version // the schema version a freshly opened store reports
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'record tables, loads, quarantine, data-quality flags, job runs',
    sql: { sqlite: V1_SQLITE, postgres: V1_POSTGRES },
  },
];

/**
 * The migrations a database at `applied` versions still needs, in order.
 * @example pendingMigrations(new Set([1])) // [] while version 1 is the latest
 */
export function pendingMigrations(
  applied: ReadonlySet<number>,
  migrations: readonly Migration[] = MIGRATIONS,
): readonly Migration[] {
  return [...migrations].sort((a, b) => a.version - b.version).filter((m) => !applied.has(m.version));
}

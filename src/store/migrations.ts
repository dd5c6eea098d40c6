/**
 * The schema's history, one entry per version, each written out in both dialects' SQL. A migration that has
 * shipped never changes: a later change is a new entry. `schema_migrations(version, applied_at)` records which
 * ones a database has; every open applies the missing ones, in order, in one transaction.
 */

import { ANALYTICS_MIGRATION_SQL } from './analytics-sql.js';
import { casesAuthAuditSchema } from './cases-schema.js';
import { CHECKPOINT_PARTS_MIGRATION_SQL } from './checkpoint-sql.js';

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

/** Death matching: the roll's blocking keys, the trained model, links, findings and decisions (issue #4). */
const V2 = (dialect: 'sqlite' | 'postgres') => {
  const id =
    dialect === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY';
  const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const real = dialect === 'sqlite' ? 'REAL' : 'DOUBLE PRECISION';
  return `
-- key_hash = hash of (rule, key): indexed, so one death record finds its candidates without reading the roll.
CREATE TABLE match_blocking_keys (
  key_hash ${int} NOT NULL,
  beneficiary_id TEXT NOT NULL
);
CREATE UNIQUE INDEX match_blocking_keys_hash ON match_blocking_keys (key_hash, beneficiary_id);

CREATE TABLE match_models (
  model_id ${id},
  created_at ${int} NOT NULL,
  preset TEXT NOT NULL,
  parameters TEXT NOT NULL,
  settings TEXT NOT NULL
);

CREATE TABLE match_term_frequencies (
  slot INTEGER NOT NULL,
  value TEXT NOT NULL,
  count ${int} NOT NULL,
  PRIMARY KEY (slot, value)
);

-- One row per death record considered; beneficiary_id NULL when it links to nobody.
CREATE TABLE death_matches (
  source TEXT NOT NULL,
  record_id TEXT NOT NULL,
  beneficiary_id TEXT,
  match_weight ${real},
  match_probability ${real},
  explanation TEXT,
  model_id ${int} NOT NULL,
  matched_at ${int} NOT NULL,
  PRIMARY KEY (source, record_id)
);
CREATE INDEX death_matches_beneficiary ON death_matches (beneficiary_id);

CREATE TABLE death_findings (
  beneficiary_id TEXT NOT NULL PRIMARY KEY,
  death_date TEXT NOT NULL,
  date_support ${real} NOT NULL,
  evidence TEXT NOT NULL,
  match_probability ${real} NOT NULL,
  decision TEXT NOT NULL,
  first_unentitled_period TEXT NOT NULL,
  overpaid_fen ${int} NOT NULL,
  overpaid_payments ${int} NOT NULL,
  roll_status TEXT NOT NULL,
  status_after TEXT NOT NULL,
  decision_id ${int} NOT NULL,
  updated_at ${int} NOT NULL
);

CREATE TABLE match_decisions (
  decision_id ${id},
  beneficiary_id TEXT NOT NULL,
  decided_at ${int} NOT NULL,
  decision TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  evidence TEXT NOT NULL,
  status_before TEXT NOT NULL,
  status_after TEXT NOT NULL,
  reversed_at ${int},
  reversed_by TEXT,
  reversal_reason TEXT
);
CREATE INDEX match_decisions_beneficiary ON match_decisions (beneficiary_id, decision_id);
`;
};

/** Card monitoring: alerts (upserted by their deterministic id), checkpoints, card events by time (issue #5). */
const V3 = (dialect: 'sqlite' | 'postgres') => {
  const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const real = dialect === 'sqlite' ? 'REAL' : 'DOUBLE PRECISION';
  return `
-- beneficiary_ids and evidence are JSON arrays; status is open or closed (idle for the typology's period).
CREATE TABLE alerts (
  alert_id TEXT NOT NULL PRIMARY KEY,
  rule TEXT NOT NULL,
  rule_version TEXT NOT NULL,
  severity TEXT NOT NULL,
  score ${real} NOT NULL,
  first_ts ${int} NOT NULL,
  last_ts ${int} NOT NULL,
  entity_type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  beneficiary_ids TEXT NOT NULL,
  explanation TEXT NOT NULL,
  evidence TEXT NOT NULL,
  status TEXT NOT NULL
);
CREATE INDEX alerts_first_ts ON alerts (first_ts, alert_id);
CREATE INDEX alerts_entity ON alerts (entity_type, entity_id);

-- One row per monitor (replay:FILE, nats:STREAM:CONSUMER): the engine's state as JSON, and where its source was.
CREATE TABLE monitor_checkpoints (
  name TEXT NOT NULL PRIMARY KEY,
  checkpoint TEXT NOT NULL,
  position TEXT,
  saved_at ${int} NOT NULL
);

-- Back-tests stream stored events in (ts, event_id) order.
CREATE INDEX card_events_ts ON card_events (ts, event_id);
`;
};

/**
 * Until version 10 the ingest wrote the load date into `reported_at` when the file left it out, so a re-load on
 * another day rewrote it. Now `reported_at` holds only what the file says and `loaded_on` the first load's date
 * (kept by later loads); rows loaded before keep their date as `loaded_on`.
 */
const V10 = `
ALTER TABLE deaths ADD COLUMN loaded_on TEXT;
UPDATE deaths SET loaded_on = reported_at;
`;

/**
 * Death matching on arrival (issue #4): each beneficiary's normalised person, encoded (src/linkage/blocking-candidates.ts),
 * beside the blocking keys, so that a candidate costs one read and no normalisation. The rows are clustered by `block`
 * (the hash of the beneficiary's key under the capped "region + name" rule, -1 without one): the largest block of an
 * arrival is one range of the primary key, not a read per member. A beneficiary without a row (indexed before this
 * version) is read from the roll and normalised instead, until the next batch.
 */
const V12 = (dialect: 'sqlite' | 'postgres') => `
CREATE TABLE match_candidates (
  block ${dialect === 'sqlite' ? 'INTEGER' : 'BIGINT'} NOT NULL,
  beneficiary_id TEXT NOT NULL,
  candidate TEXT NOT NULL,
  PRIMARY KEY (block, beneficiary_id)
)${dialect === 'sqlite' ? ' WITHOUT ROWID' : ''};
CREATE UNIQUE INDEX match_candidates_beneficiary ON match_candidates (beneficiary_id);
`;

const V8 = `
ALTER TABLE death_findings ADD COLUMN life_sign TEXT;
`;

/**
 * Death matching groups the death feed by person (docs/entitlement.md): the other reports of a death, found by death
 * date and name, say whose death an ID-less record is. A finding none of whose records is about the beneficiary
 * (each names another person or fits another roll member as well) is `unsupported`: its overpayment is not claimed.
 */
const V13 = (dialect: 'sqlite' | 'postgres') => `
CREATE INDEX deaths_death_date_name ON deaths (death_date, name);
ALTER TABLE death_findings ADD COLUMN unsupported ${dialect === 'sqlite' ? 'INTEGER' : 'SMALLINT'} NOT NULL DEFAULT 0;
`;

/**
 * A beneficiary's candidate row is stored once per clustering blocking rule (the China preset's three name rules:
 * src/linkage/blocking-candidates.ts), so the beneficiary index of `match_candidates` is no longer unique. Rows
 * stored before sit in the "region + name" blocks only; the other rules' blocks are read through the keys until the
 * next batch.
 */
const V14 = `
DROP INDEX match_candidates_beneficiary;
CREATE INDEX match_candidates_beneficiary ON match_candidates (beneficiary_id);
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
  {
    version: 2,
    name: 'death matching: blocking keys, model, matches, findings, decisions',
    sql: { sqlite: V2('sqlite'), postgres: V2('postgres') },
  },
  {
    version: 3,
    name: 'card monitoring: alerts, checkpoints, card events by time',
    sql: { sqlite: V3('sqlite'), postgres: V3('postgres') },
  },
  {
    version: 4,
    name: 'insider analytics: handler risk, rings and their members, anomalies',
    sql: { sqlite: ANALYTICS_MIGRATION_SQL('sqlite'), postgres: ANALYTICS_MIGRATION_SQL('postgres') },
  },
  {
    version: 5,
    name: 'cases, approvals, users, tokens, sessions, hash-chained audit log',
    sql: { sqlite: casesAuthAuditSchema('sqlite'), postgres: casesAuthAuditSchema('postgres') },
  },
  {
    version: 8,
    name: 'death_findings.life_sign: a certification after the death that contests it',
    sql: { sqlite: V8, postgres: V8 },
  },
  {
    version: 10,
    name: "deaths.loaded_on: the first load's date, what reported_at defaults to",
    sql: { sqlite: V10, postgres: V10 },
  },
  {
    version: 11,
    name: 'monitor checkpoints in parts: a generation per checkpoint, its large arrays in slices',
    sql: {
      sqlite: CHECKPOINT_PARTS_MIGRATION_SQL('sqlite'),
      postgres: CHECKPOINT_PARTS_MIGRATION_SQL('postgres'),
    },
  },
  {
    version: 12,
    name: "match_candidates: each beneficiary's normalised person for matching on arrival",
    sql: { sqlite: V12('sqlite'), postgres: V12('postgres') },
  },
  {
    version: 13,
    name: 'deaths by death date and name (the reports of one death); death_findings.unsupported',
    sql: { sqlite: V13('sqlite'), postgres: V13('postgres') },
  },
  {
    version: 14,
    name: 'match_candidates: a row per clustering blocking rule (the beneficiary index not unique)',
    sql: { sqlite: V14, postgres: V14 },
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

import type {
  AnalyticsCounts,
  AnalyticsResult,
  AnalyticsStore,
  Anomaly,
  AnomalyKind,
  BeneficiaryHistory,
  DeathEvidence,
  HandlerActStats,
  HandlerRisk,
  HistoryQuery,
  RingFinding,
  RingHandlerLink,
  RingMember,
  Severity,
  TerminalUse,
  TerminalUseQuery,
} from '../analytics/ports.js';
import { addDays, type CalendarDate, type Period, startOfShanghaiDay } from '../core/time.js';
import type { EventType } from '../records/enums.js';
import type { AccountChange, Beneficiary, Certification, StatusChange } from '../records/schemas.js';
import { insertStatements, type SqlExecutor, type SqlStatement } from './sql-executor.js';
import { type Row, type SqlValue, TABLES } from './tables.js';

/**
 * The analytics port (src/analytics/ports.ts) in SQL both databases run, and its migration (version 4): the
 * handler ranking, the rings with their members, the anomalies. Reads are batched with keyset pagination on
 * indexed columns, so that memory follows the batch, not the county.
 */

/** Migration 4: insider analytics (issue #6). */
export const ANALYTICS_MIGRATION_SQL = (dialect: 'sqlite' | 'postgres'): string => {
  const int = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const real = dialect === 'sqlite' ? 'REAL' : 'DOUBLE PRECISION';
  return `
CREATE TABLE handler_risk (
  handler_id TEXT NOT NULL PRIMARY KEY,
  risk_rank ${int} NOT NULL,
  role TEXT,
  region_code TEXT,
  risk_score ${real} NOT NULL,
  beneficiaries ${int} NOT NULL,
  deceased_linked ${int} NOT NULL,
  expected_deceased ${real} NOT NULL,
  p_value ${real} NOT NULL,
  q_value ${real} NOT NULL,
  significant INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  acts TEXT NOT NULL,
  analyzed_at ${int} NOT NULL
);
CREATE INDEX handler_risk_rank ON handler_risk (risk_rank);

CREATE TABLE analytics_rings (
  ring_id TEXT NOT NULL PRIMARY KEY,
  sweeps ${int} NOT NULL,
  terminals TEXT NOT NULL,
  first_ts ${int} NOT NULL,
  last_ts ${int} NOT NULL,
  night_sweeps ${int} NOT NULL,
  withdrawn_fen ${int} NOT NULL,
  deceased_beneficiaries ${int} NOT NULL,
  handlers TEXT NOT NULL,
  shared_contacts ${int} NOT NULL,
  score ${real} NOT NULL,
  explanation TEXT NOT NULL,
  analyzed_at ${int} NOT NULL
);

CREATE TABLE analytics_ring_members (
  ring_id TEXT NOT NULL,
  card TEXT NOT NULL,
  beneficiary_ids TEXT NOT NULL,
  sweeps ${int} NOT NULL,
  membership TEXT NOT NULL,
  PRIMARY KEY (ring_id, card)
);

CREATE TABLE analytics_anomalies (
  anomaly_id TEXT NOT NULL PRIMARY KEY,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  beneficiary_ids TEXT NOT NULL,
  handler_id TEXT,
  device_id TEXT,
  occurred_on TEXT,
  explanation TEXT NOT NULL,
  evidence TEXT NOT NULL,
  analyzed_at ${int} NOT NULL
);
CREATE INDEX analytics_anomalies_kind ON analytics_anomalies (kind);
CREATE INDEX analytics_anomalies_handler ON analytics_anomalies (handler_id);
`;
};

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const optStr = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/** Rows per multi-row INSERT; the rest go in power-of-two chunks, so a handful of distinct statements exist. */
const ROWS_PER_INSERT = 128;

function insertRows(table: string, columns: readonly string[], rows: readonly SqlValue[][]): SqlStatement[] {
  return insertStatements(table, columns, rows, { rowsPerInsert: ROWS_PER_INSERT });
}

const HANDLER_RISK_COLUMNS = [
  'handler_id',
  'risk_rank',
  'role',
  'region_code',
  'risk_score',
  'beneficiaries',
  'deceased_linked',
  'expected_deceased',
  'p_value',
  'q_value',
  'significant',
  'reasons',
  'acts',
  'analyzed_at',
];
const RING_COLUMNS = [
  'ring_id',
  'sweeps',
  'terminals',
  'first_ts',
  'last_ts',
  'night_sweeps',
  'withdrawn_fen',
  'deceased_beneficiaries',
  'handlers',
  'shared_contacts',
  'score',
  'explanation',
  'analyzed_at',
];
const MEMBER_COLUMNS = ['ring_id', 'card', 'beneficiary_ids', 'sweeps', 'membership'];
const ANOMALY_COLUMNS = [
  'anomaly_id',
  'kind',
  'severity',
  'subject_type',
  'subject_id',
  'beneficiary_ids',
  'handler_id',
  'device_id',
  'occurred_on',
  'explanation',
  'evidence',
  'analyzed_at',
];

function handlerRiskFromRow(row: Row): HandlerRisk {
  return {
    handlerId: String(row.handler_id),
    rank: num(row.risk_rank),
    role: optStr(row.role),
    regionCode: optStr(row.region_code),
    riskScore: num(row.risk_score),
    beneficiaries: num(row.beneficiaries),
    deceasedLinked: num(row.deceased_linked),
    expectedDeceased: num(row.expected_deceased),
    pValue: num(row.p_value),
    qValue: num(row.q_value),
    significant: num(row.significant) === 1,
    reasons: json<string[]>(row.reasons),
    acts: json<HandlerActStats[]>(row.acts),
  };
}

function anomalyFromRow(row: Row): Anomaly {
  return {
    anomalyId: String(row.anomaly_id),
    kind: String(row.kind) as AnomalyKind,
    severity: String(row.severity) as Severity,
    subjectType: String(row.subject_type) as Anomaly['subjectType'],
    subjectId: String(row.subject_id),
    beneficiaryIds: json<string[]>(row.beneficiary_ids),
    handlerId: optStr(row.handler_id),
    deviceId: optStr(row.device_id),
    occurredOn: optStr(row.occurred_on) as CalendarDate | undefined,
    explanation: String(row.explanation),
    evidence: json<string[]>(row.evidence),
  };
}

/** Values per IN list / rows per range read. */
const LAST_DAY = '9999-12-31';

/** Groups rows by beneficiary_id. */
function byBeneficiary<T>(rows: readonly Row[], map: (row: Row) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const id = String(row.beneficiary_id);
    const list = out.get(id);
    const value = map(row);
    if (list === undefined) out.set(id, [value]);
    else list.push(value);
  }
  return out;
}

export function createSqlAnalyticsStore(exec: SqlExecutor): AnalyticsStore {
  const hasMatchingFindings = async (): Promise<boolean> => {
    try {
      const rows = await exec.all('SELECT beneficiary_id FROM death_findings LIMIT 1');
      return rows.length > 0;
    } catch {
      // No death-matching tables in this store (its migration is not there): exact ID matches it is.
      return false;
    }
  };

  async function deathsOf(
    first: string,
    last: string,
    asOf: string,
    basis: 'matching' | 'exact_id',
  ): Promise<Map<string, DeathEvidence>> {
    const out = new Map<string, DeathEvidence>();
    if (basis === 'matching') {
      const rows = await exec.all(
        `SELECT f.beneficiary_id, f.death_date, f.decision, f.evidence FROM death_findings f
          LEFT JOIN match_decisions m ON m.decision_id = f.decision_id
          WHERE f.beneficiary_id >= ? AND f.beneficiary_id <= ? AND f.death_date <= ? AND m.reversed_at IS NULL`,
        [first, last, asOf],
      );
      for (const row of rows) {
        out.set(String(row.beneficiary_id), {
          deathDate: String(row.death_date) as CalendarDate,
          basis,
          evidence: json<string[]>(row.evidence),
          strong: row.decision === 'confirmed',
        });
      }
      return out;
    }
    const rows = await exec.all(
      `SELECT b.beneficiary_id, d.source, d.record_id, d.death_date FROM beneficiaries b
        JOIN deaths d ON d.id_number = b.id_number
        WHERE b.beneficiary_id >= ? AND b.beneficiary_id <= ? AND coalesce(d.reported_at, d.loaded_on, d.death_date) <= ?
        ORDER BY b.beneficiary_id, d.source, d.record_id`,
      [first, last, asOf],
    );
    for (const [id, records] of byBeneficiary(rows, (r) => r)) {
      const sources = new Set(records.map((r) => String(r.source)));
      const register = records.find((r) => r.source === 'household_register');
      const date = register
        ? String(register.death_date)
        : records.map((r) => String(r.death_date)).sort()[0]!;
      out.set(id, {
        deathDate: date as CalendarDate,
        basis,
        evidence: records.map((r) => `${r.source}:${r.record_id}`),
        strong: sources.size >= 2 || register !== undefined,
      });
    }
    return out;
  }

  return {
    async readHandlers() {
      return (await exec.all('SELECT * FROM handlers ORDER BY handler_id')).map(TABLES.handlers.fromRow);
    },

    async *readTerminalUse(query: TerminalUseQuery = {}) {
      const batchSize = query.batchSize ?? 50_000;
      const before =
        query.asOf === undefined ? Number.MAX_SAFE_INTEGER : startOfShanghaiDay(addDays(query.asOf, 1));
      const terminals = (
        await exec.all(
          'SELECT DISTINCT terminal_id FROM card_events WHERE terminal_id IS NOT NULL ORDER BY terminal_id',
        )
      ).map((r) => String(r.terminal_id));
      const channels = query.channels ?? ['atm', 'pos'];
      if (channels.length === 0) return;
      const channelList = channels.map(() => '?').join(', ');
      let out: TerminalUse[] = [];
      for (const terminalId of terminals) {
        let lastTs = Number.MIN_SAFE_INTEGER;
        let lastEvent = '';
        for (;;) {
          const rows = await exec.all(
            `SELECT ts, event_id, card, type, amount_fen, result FROM card_events
              WHERE terminal_id = ? AND ts >= ? AND ts < ? AND (ts > ? OR event_id > ?) AND channel IN (${channelList})
              ORDER BY ts, event_id LIMIT ?`,
            [terminalId, lastTs, before, lastTs, lastEvent, ...channels, batchSize],
          );
          for (const row of rows) {
            const type = String(row.type) as EventType;
            out.push({
              terminalId,
              ts: num(row.ts),
              eventId: String(row.event_id),
              card: String(row.card),
              type,
              withdrawnFen:
                type === 'withdrawal' && row.result === 'approved' && row.amount_fen !== null
                  ? num(row.amount_fen)
                  : 0,
            });
          }
          if (out.length >= batchSize) {
            yield out;
            out = [];
          }
          if (rows.length < batchSize) break;
          const last = rows[rows.length - 1]!;
          lastTs = num(last.ts);
          lastEvent = String(last.event_id);
        }
      }
      if (out.length > 0) yield out;
    },

    async deathEvidenceBasis() {
      return (await hasMatchingFindings()) ? 'matching' : 'exact_id';
    },

    async *readHistories(query: HistoryQuery = {}) {
      const batchSize = query.batchSize ?? 20_000;
      const asOf = query.asOf ?? LAST_DAY;
      const basis = (await hasMatchingFindings()) ? 'matching' : 'exact_id';
      let after = '';
      for (;;) {
        const roll: Beneficiary[] = (
          await exec.all(
            'SELECT * FROM beneficiaries WHERE beneficiary_id > ? ORDER BY beneficiary_id LIMIT ?',
            [after, batchSize],
          )
        ).map(TABLES.beneficiaries.fromRow);
        if (roll.length === 0) return;
        const first = roll[0]!.beneficiaryId;
        const last = roll[roll.length - 1]!.beneficiaryId;
        const range = [first, last, asOf];
        const certifications = byBeneficiary<Certification>(
          await exec.all(
            `SELECT * FROM certifications WHERE beneficiary_id >= ? AND beneficiary_id <= ? AND certified_at <= ?
              ORDER BY beneficiary_id, certified_at, certification_id`,
            range,
          ),
          TABLES.certifications.fromRow,
        );
        const statusChanges = byBeneficiary<StatusChange>(
          await exec.all(
            `SELECT * FROM status_changes WHERE beneficiary_id >= ? AND beneficiary_id <= ? AND changed_at <= ?
              ORDER BY beneficiary_id, changed_at, to_status`,
            range,
          ),
          TABLES['status-changes'].fromRow,
        );
        const accountChanges = byBeneficiary<AccountChange>(
          await exec.all(
            `SELECT * FROM account_changes WHERE beneficiary_id >= ? AND beneficiary_id <= ? AND changed_at <= ?
              ORDER BY beneficiary_id, changed_at, new_card`,
            range,
          ),
          TABLES['account-changes'].fromRow,
        );
        const lastPaid = new Map(
          (
            await exec.all(
              `SELECT beneficiary_id, max(period) AS last_period FROM payments
                WHERE beneficiary_id >= ? AND beneficiary_id <= ? AND paid_at <= ? GROUP BY beneficiary_id`,
              range,
            )
          ).map((r) => [String(r.beneficiary_id), String(r.last_period) as Period]),
        );
        const deaths = await deathsOf(first, last, asOf, basis);
        yield roll.map(
          (beneficiary): BeneficiaryHistory => ({
            beneficiary,
            certifications: certifications.get(beneficiary.beneficiaryId) ?? [],
            statusChanges: statusChanges.get(beneficiary.beneficiaryId) ?? [],
            accountChanges: accountChanges.get(beneficiary.beneficiaryId) ?? [],
            death: deaths.get(beneficiary.beneficiaryId),
            lastPaidPeriod: lastPaid.get(beneficiary.beneficiaryId),
          }),
        );
        if (roll.length < batchSize) return;
        after = last;
      }
    },

    async replaceAnalytics(result: AnalyticsResult) {
      const at = result.analyzedAt;
      const handlerRows = result.handlers.map((h): SqlValue[] => [
        h.handlerId,
        h.rank,
        h.role ?? null,
        h.regionCode ?? null,
        h.riskScore,
        h.beneficiaries,
        h.deceasedLinked,
        h.expectedDeceased,
        h.pValue,
        h.qValue,
        h.significant ? 1 : 0,
        JSON.stringify(h.reasons),
        JSON.stringify(h.acts),
        at,
      ]);
      const ringRows = result.rings.map((r): SqlValue[] => [
        r.ringId,
        r.sweeps,
        JSON.stringify(r.terminals),
        r.firstTs,
        r.lastTs,
        r.nightSweeps,
        r.withdrawnFen,
        r.deceasedBeneficiaries,
        JSON.stringify(r.handlers),
        r.sharedContacts,
        r.score,
        r.explanation,
        at,
      ]);
      const memberRows = result.rings.flatMap((r) =>
        r.members.map((m): SqlValue[] => [
          r.ringId,
          m.card,
          JSON.stringify(m.beneficiaryIds),
          m.sweeps,
          m.membership,
        ]),
      );
      const anomalyRows = result.anomalies.map((a): SqlValue[] => [
        a.anomalyId,
        a.kind,
        a.severity,
        a.subjectType,
        a.subjectId,
        JSON.stringify(a.beneficiaryIds),
        a.handlerId ?? null,
        a.deviceId ?? null,
        a.occurredOn ?? null,
        a.explanation,
        JSON.stringify(a.evidence),
        at,
      ]);
      await exec.transaction([
        { sql: 'DELETE FROM handler_risk' },
        { sql: 'DELETE FROM analytics_ring_members' },
        { sql: 'DELETE FROM analytics_rings' },
        { sql: 'DELETE FROM analytics_anomalies' },
        ...insertRows('handler_risk', HANDLER_RISK_COLUMNS, handlerRows),
        ...insertRows('analytics_rings', RING_COLUMNS, ringRows),
        ...insertRows('analytics_ring_members', MEMBER_COLUMNS, memberRows),
        ...insertRows('analytics_anomalies', ANOMALY_COLUMNS, anomalyRows),
      ]);
    },

    async listHandlerRisk() {
      return (await exec.all('SELECT * FROM handler_risk ORDER BY risk_rank, handler_id')).map(
        handlerRiskFromRow,
      );
    },

    async listRings() {
      const members = byRing(await exec.all('SELECT * FROM analytics_ring_members ORDER BY ring_id, card'));
      return (await exec.all('SELECT * FROM analytics_rings ORDER BY score DESC, ring_id')).map(
        (row): RingFinding => ({
          ringId: String(row.ring_id),
          members: members.get(String(row.ring_id)) ?? [],
          sweeps: num(row.sweeps),
          terminals: json<string[]>(row.terminals),
          firstTs: num(row.first_ts),
          lastTs: num(row.last_ts),
          nightSweeps: num(row.night_sweeps),
          withdrawnFen: num(row.withdrawn_fen),
          deceasedBeneficiaries: num(row.deceased_beneficiaries),
          handlers: json<RingHandlerLink[]>(row.handlers),
          sharedContacts: num(row.shared_contacts),
          score: num(row.score),
          explanation: String(row.explanation),
        }),
      );
    },

    async listAnomalies(filter = {}) {
      const rows =
        filter.kind === undefined
          ? await exec.all('SELECT * FROM analytics_anomalies ORDER BY anomaly_id')
          : await exec.all('SELECT * FROM analytics_anomalies WHERE kind = ? ORDER BY anomaly_id', [
              filter.kind,
            ]);
      return rows.map(anomalyFromRow);
    },

    async analyticsCounts(): Promise<AnalyticsCounts> {
      const [row] = await exec.all(
        `SELECT (SELECT count(*) FROM handler_risk) AS ranked,
          (SELECT count(*) FROM handler_risk WHERE significant = 1) AS significant,
          (SELECT count(*) FROM analytics_rings) AS rings,
          (SELECT count(*) FROM analytics_anomalies) AS anomalies`,
      );
      return {
        handlersRanked: num(row?.ranked ?? 0),
        handlersSignificant: num(row?.significant ?? 0),
        rings: num(row?.rings ?? 0),
        anomalies: num(row?.anomalies ?? 0),
      };
    },
  };
}

function byRing(rows: readonly Row[]): Map<string, RingMember[]> {
  const out = new Map<string, RingMember[]>();
  for (const row of rows) {
    const id = String(row.ring_id);
    const list = out.get(id) ?? [];
    list.push({
      card: String(row.card),
      beneficiaryIds: json<string[]>(row.beneficiary_ids),
      sweeps: num(row.sweeps),
      membership: row.membership === 'attached' ? 'attached' : 'core',
    });
    out.set(id, list);
  }
  return out;
}

import { type CalendarDate, startOfShanghaiDay } from '../core/time.js';
import type { Alert, AlertStatus, EntityType, Severity } from '../monitor/alert.js';
import type { CardEventQuery, MonitorStore } from '../monitor/ports.js';
import { createReferenceIndex } from '../monitor/reference-index.js';
import type { BenefitStatus } from '../records/enums.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-sql.js';
import { type Row, type SqlValue, TABLES } from './tables.js';

/**
 * The monitor's ports (src/monitor/ports.ts) in SQL both databases run: alerts upserted by their deterministic
 * id, checkpoints by name, card events read back in (ts, event_id) order by keyset pages, and the reference
 * data loaded from the roll, the changes, the payments and death matching's findings.
 */

/** The executor of sql-store-core.ts, declared here by its shape so that the two files do not import each other. */
interface SqlStatement {
  readonly sql: string;
  readonly params?: readonly SqlValue[];
}
interface SqlExecutor {
  all(sql: string, params?: readonly SqlValue[]): Promise<readonly Row[]>;
  transaction(statements: readonly SqlStatement[]): Promise<readonly Row[]>;
}

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const optStr = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);

const DEFAULT_BATCH = 10_000;
const IN_LIMIT = 500;

const ALERT_COLUMNS = [
  'alert_id',
  'rule',
  'rule_version',
  'severity',
  'score',
  'first_ts',
  'last_ts',
  'entity_type',
  'entity_id',
  'beneficiary_ids',
  'explanation',
  'evidence',
  'status',
] as const;

const UPSERT_ALERT = `INSERT INTO alerts (${ALERT_COLUMNS.join(', ')})
  VALUES (${ALERT_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (alert_id) DO UPDATE SET ${ALERT_COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

function alertToRow(a: Alert): SqlValue[] {
  return [
    a.alertId,
    a.rule,
    a.ruleVersion,
    a.severity,
    a.score,
    a.firstTs,
    a.lastTs,
    a.entityType,
    a.entityId,
    JSON.stringify(a.beneficiaryIds),
    a.explanation,
    JSON.stringify(a.evidence),
    a.status,
  ];
}

function alertFromRow(row: Row): Alert {
  return {
    alertId: String(row.alert_id),
    rule: String(row.rule),
    ruleVersion: String(row.rule_version),
    severity: row.severity as Severity,
    score: num(row.score),
    firstTs: num(row.first_ts),
    lastTs: num(row.last_ts),
    entityType: row.entity_type as EntityType,
    entityId: String(row.entity_id),
    beneficiaryIds: JSON.parse(String(row.beneficiary_ids)) as string[],
    explanation: String(row.explanation),
    evidence: JSON.parse(String(row.evidence)) as string[],
    status: row.status as AlertStatus,
  };
}

const dayStart = (value: unknown): number => startOfShanghaiDay(String(value) as CalendarDate);

/**
 * The monitor store over an adapter's executor.
 * @example const monitorStore = createSqlMonitorStore(executor); await monitorStore.upsert(alerts);
 */
export function createSqlMonitorStore(exec: SqlExecutor): MonitorStore {
  /** Pages through a table by its one-column key, in key order. */
  async function* pages(sql: (after: boolean) => string, key: string, size: number): AsyncGenerator<Row[]> {
    let last: SqlValue | undefined;
    for (;;) {
      const rows = await exec.all(sql(last !== undefined), last === undefined ? [size] : [last, size]);
      if (rows.length === 0) return;
      yield rows as Row[];
      if (rows.length < size) return;
      last = rows[rows.length - 1]![key] as SqlValue;
    }
  }

  return {
    async upsert(alerts) {
      if (alerts.length === 0) return;
      const statements: SqlStatement[] = alerts.map((a) => ({ sql: UPSERT_ALERT, params: alertToRow(a) }));
      await exec.transaction(statements);
    },

    async listAlerts(query = {}) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (query.status !== undefined) {
        where.push('status = ?');
        params.push(query.status);
      }
      if (query.rule !== undefined) {
        where.push('rule = ?');
        params.push(query.rule);
      }
      const rows = await exec.all(
        `SELECT ${ALERT_COLUMNS.join(', ')} FROM alerts${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
          ORDER BY first_ts, alert_id`,
        params,
      );
      return rows.map(alertFromRow);
    },

    // In parts (checkpoint-sql.ts, migration 11): the state outgrows one JSON text.
    load: (name) => loadCheckpoint(exec, name),
    save: (name, checkpoint) => saveCheckpoint(exec, name, checkpoint),

    async *readCardEvents(query: CardEventQuery = {}) {
      const size = Math.max(1, query.batchSize ?? DEFAULT_BATCH);
      const columns = TABLES['card-events'].columns.map((c) => c.name).join(', ');
      const bounds: string[] = [];
      const boundParams: SqlValue[] = [];
      if (query.from !== undefined) {
        bounds.push('ts >= ?');
        boundParams.push(query.from);
      }
      if (query.to !== undefined) {
        bounds.push('ts < ?');
        boundParams.push(query.to);
      }
      let after: { ts: number; eventId: string } | undefined;
      for (;;) {
        const where = [...bounds];
        const params = [...boundParams];
        if (after !== undefined) {
          // Keyset paging on the (ts, event_id) index: each page costs the same however deep.
          where.push('(ts > ? OR (ts = ? AND event_id > ?))');
          params.push(after.ts, after.ts, after.eventId);
        }
        const rows = await exec.all(
          `SELECT ${columns} FROM card_events${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
            ORDER BY ts, event_id LIMIT ?`,
          [...params, size],
        );
        if (rows.length === 0) return;
        const events = rows.map((row) => TABLES['card-events'].fromRow(row));
        yield events;
        if (rows.length < size) return;
        const last = events[events.length - 1]!;
        after = { ts: last.ts, eventId: last.eventId };
      }
    },

    async cardsOfEvents(eventIds) {
      const out = new Map<string, string>();
      const unique = [...new Set(eventIds)];
      for (let i = 0; i < unique.length; i += IN_LIMIT) {
        const chunk = unique.slice(i, i + IN_LIMIT);
        const rows = await exec.all(
          `SELECT event_id, card FROM card_events WHERE event_id IN (${chunk.map(() => '?').join(', ')})`,
          chunk,
        );
        for (const row of rows) out.set(String(row.event_id), String(row.card));
      }
      return out;
    },

    async loadReferenceData() {
      const index = createReferenceIndex();
      for await (const rows of pages(
        (after) =>
          `SELECT beneficiary_id, region_code, bank_card FROM beneficiaries
            ${after ? 'WHERE beneficiary_id > ?' : ''} ORDER BY beneficiary_id LIMIT ?`,
        'beneficiary_id',
        50_000,
      )) {
        for (const row of rows) {
          index.addBeneficiary({
            beneficiaryId: String(row.beneficiary_id),
            regionCode: optStr(row.region_code),
            card: optStr(row.bank_card),
          });
        }
      }
      for (const row of await exec.all(
        'SELECT beneficiary_id, changed_at, old_card, new_card, handler_id FROM account_changes',
      )) {
        index.addAccountChange({
          beneficiaryId: String(row.beneficiary_id),
          at: dayStart(row.changed_at),
          oldCard: optStr(row.old_card),
          newCard: String(row.new_card),
          handlerId: optStr(row.handler_id),
        });
      }
      for (const row of await exec.all('SELECT beneficiary_id, changed_at, to_status FROM status_changes')) {
        index.addStatusChange({
          beneficiaryId: String(row.beneficiary_id),
          at: dayStart(row.changed_at),
          status: row.to_status as BenefitStatus,
        });
      }
      for await (const rows of pages(
        (after) =>
          `SELECT payment_id, beneficiary_id, bank_card, paid_at FROM payments
            ${after ? 'WHERE payment_id > ?' : ''} ORDER BY payment_id LIMIT ?`,
        'payment_id',
        50_000,
      )) {
        for (const row of rows) {
          index.addPayment({
            beneficiaryId: String(row.beneficiary_id),
            card: optStr(row.bank_card),
            at: dayStart(row.paid_at),
          });
        }
      }
      // Death matching's findings in force (a reversed decision means the person was found alive).
      for (const row of await exec.all(
        `SELECT f.beneficiary_id, f.death_date, f.decision FROM death_findings f
          LEFT JOIN match_decisions d ON d.decision_id = f.decision_id
          WHERE d.reversed_at IS NULL`,
      )) {
        index.addDeath({
          beneficiaryId: String(row.beneficiary_id),
          since: dayStart(row.death_date),
          evidence: row.decision === 'confirmed' ? 'confirmed' : 'review',
        });
      }
      return index.build();
    },
  };
}

import type { AlertSort, AlertView } from '../cases/ports.js';
import type { EpochMs } from '../core/time.js';
import type { SqlExecutor } from './sql-executor.js';
import type { Row, SqlValue } from './tables.js';

/**
 * Reads the dashboard needs that no context owns: totals and monthly trends, a beneficiary's history, one ring
 * with its links, alerts with their status, and the counts `status` shows. All aggregation is done in SQL.
 */

export interface OverviewMonth {
  /** `YYYY-MM` (deaths by death date; alerts and recoveries in Asia/Shanghai). */
  readonly month: string;
  readonly deaths: number;
  readonly overpaidFen: number;
  readonly alerts: number;
  readonly recoveredFen: number;
}

export interface Overview {
  readonly beneficiaries: number;
  readonly suspects: number;
  /** Overpayment claimed: the findings whose evidence stands (the total `ghostwatch match` prints). */
  readonly overpaidFen: number;
  /**
   * Overpayment set aside, not claimed: findings contested by a life sign, or with no death record about the
   * beneficiary (docs/entitlement.md).
   */
  readonly overpaidSetAsideFen: number;
  readonly recoveredFen: number;
  readonly openAlerts: number;
  readonly openCases: number;
  /** Oldest first, at most `OVERVIEW_MONTHS`. */
  readonly months: readonly OverviewMonth[];
}

export type TimelineKind = 'payment' | 'death_reported' | 'certification' | 'status_change' | 'card_activity';

/** One raw line of a beneficiary's history (unmasked: the edge masks what it shows). */
export type TimelineRow =
  | {
      readonly kind: 'payment';
      readonly at: string;
      readonly period: string;
      readonly amountFen: number;
      readonly card?: string;
    }
  | {
      readonly kind: 'death_reported';
      readonly at: string;
      readonly source: string;
      readonly recordId: string;
      readonly deathDate: string;
      readonly matchProbability: number | undefined;
    }
  | {
      readonly kind: 'certification';
      readonly at: string;
      readonly channel: string;
      readonly handlerId?: string;
    }
  | {
      readonly kind: 'status_change';
      readonly at: string;
      readonly fromStatus?: string;
      readonly toStatus: string;
      readonly reason?: string;
      readonly handlerId?: string;
    }
  | {
      readonly kind: 'card_activity';
      readonly ts: EpochMs;
      readonly card: string;
      readonly type: string;
      readonly channel: string;
      readonly result: string;
      readonly terminalId?: string;
      readonly amountFen?: number;
    };

/** A stored ring with its members, handlers and which terminals each card was used at. */
export interface RingDetail {
  readonly ringId: string;
  readonly sweeps: number;
  readonly terminals: readonly string[];
  readonly firstTs: EpochMs;
  readonly lastTs: EpochMs;
  readonly withdrawnFen: number;
  readonly deceasedBeneficiaries: number;
  readonly score: number;
  readonly explanation: string;
  readonly members: readonly {
    readonly card: string;
    readonly beneficiaryIds: readonly string[];
    readonly sweeps: number;
    readonly membership: string;
  }[];
  readonly handlers: readonly { readonly handlerId: string; readonly vouchedAfterDeath: number }[];
  /** The handler on the roll of each ring beneficiary that has one. */
  readonly managedBy: ReadonlyMap<string, string>;
  /** The ring's terminals each card was used at during the ring's span. */
  readonly cardTerminals: ReadonlyMap<string, readonly string[]>;
}

export type AlertStatus = 'open' | 'closed';
export type AlertWithStatus = AlertView & { readonly status: AlertStatus };

/** One quarantined row as the dashboard lists it (the same fields as `ghostwatch quarantine`). */
export interface QuarantineRow {
  readonly file: string;
  readonly kind: string;
  readonly line: number;
  readonly column: string | undefined;
  readonly code: string;
  readonly reason: string;
  readonly raw: string;
}

export interface FindingCounts {
  readonly findings: number;
  readonly alerts: { readonly open: number; readonly total: number };
  readonly cases: { readonly open: number; readonly total: number };
}

/**
 * The dashboard's reads.
 * @example const overview = await store.dashboard.overview();
 */
export interface DashboardReader {
  overview(): Promise<Overview>;
  /** Up to `limit` lines of each kind, newest first (the edge merges and cuts them). */
  timeline(beneficiaryId: string, limit: number): Promise<readonly TimelineRow[]>;
  /**
   * One ring; with `maxCards`, `managedBy` and `cardTerminals` cover only its most active cards (by sweeps), so
   * that a ring of thousands of cards is drawn from a bounded read.
   */
  getRing(ringId: string, options?: { readonly maxCards?: number }): Promise<RingDetail | undefined>;
  listAlerts(query: {
    readonly offset: number;
    readonly limit: number;
    readonly sort: AlertSort;
    readonly order: 'asc' | 'desc';
    readonly severity?: string | undefined;
    readonly status?: AlertStatus | undefined;
  }): Promise<{ readonly items: readonly AlertWithStatus[]; readonly total: number }>;
  alertStatus(alertId: string): Promise<AlertStatus | undefined>;
  /** The first and last stored card event, or undefined when there are none. */
  cardEventSpan(): Promise<{ readonly first: EpochMs; readonly last: EpochMs } | undefined>;
  counts(): Promise<FindingCounts>;
  /** Stored alerts counted by month of their first event (Asia/Shanghai) and rule, oldest month first. */
  alertMonths(): Promise<
    readonly { readonly month: string; readonly rule: string; readonly alerts: number }[]
  >;
  /**
   * One page of quarantined rows (in load and line order) and how many there are; `file` is a file's path, key or
   * base name, as for `ghostwatch quarantine --file`.
   */
  quarantinePage(query: {
    readonly file?: string | undefined;
    readonly offset: number;
    readonly limit: number;
  }): Promise<{ readonly items: readonly QuarantineRow[]; readonly total: number }>;
}

/**
 * A ring's `max` most active cards (most sweeps first, then by card), or all of them without `max`.
 * @example mostActiveCards(ring.members, 100).length <= 100
 */
export function mostActiveCards<M extends { readonly card: string; readonly sweeps: number }>(
  members: readonly M[],
  max: number | undefined,
): readonly M[] {
  if (max === undefined || members.length <= max) return members;
  return [...members]
    .sort((a, b) => b.sweeps - a.sweeps || (a.card < b.card ? -1 : a.card > b.card ? 1 : 0))
    .slice(0, Math.max(0, Math.floor(max)));
}

/** How many months the overview's trend lists (the most recent). */
export const OVERVIEW_MONTHS = 240;

/** How each database turns an epoch-ms column into an Asia/Shanghai `YYYY-MM` (UTC+8, no daylight saving). */
const SHANGHAI_MONTH: Readonly<Record<'sqlite' | 'postgres', (column: string) => string>> = {
  sqlite: (column) => `strftime('%Y-%m', (${column} + 28800000) / 1000, 'unixepoch')`,
  postgres: (column) =>
    `to_char(to_timestamp((${column} + 28800000) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM')`,
};

const ALERT_ORDER: Readonly<Record<AlertSort, string>> = {
  last_ts: 'last_ts',
  first_ts: 'first_ts',
  score: 'score',
  severity: "CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END",
};
const ALERT_COLUMNS =
  'alert_id, rule, severity, score, first_ts, last_ts, entity_type, entity_id, beneficiary_ids, explanation, evidence, status';

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));
const str = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);
const json = <T>(value: unknown, fallback: T): T => {
  try {
    return (typeof value === 'string' ? JSON.parse(value) : (value ?? fallback)) as T;
  } catch {
    return fallback;
  }
};
const placeholders = (n: number): string => Array(n).fill('?').join(', ');
const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

function alertFromRow(row: Row): AlertWithStatus {
  return {
    alertId: String(row.alert_id),
    rule: String(row.rule),
    severity: String(row.severity),
    score: num(row.score),
    firstTs: num(row.first_ts),
    lastTs: num(row.last_ts),
    entityType: String(row.entity_type),
    entityId: String(row.entity_id),
    beneficiaryIds: json<string[]>(row.beneficiary_ids, []),
    explanation: String(row.explanation ?? ''),
    evidence: json<string[]>(row.evidence, []),
    status: row.status === 'closed' ? 'closed' : 'open',
  };
}

/** A finding whose overpayment is claimed: not contested by a life sign, and with a death record about the beneficiary. */
const CLAIMED = 'life_sign IS NULL AND unsupported = 0';

/**
 * The dashboard's reads over the shared SQL; `dialect` picks how a month is computed from epoch milliseconds.
 * @example const reader = createSqlDashboardReader(exec, 'sqlite');
 */
export function createSqlDashboardReader(exec: SqlExecutor, dialect: 'sqlite' | 'postgres'): DashboardReader {
  const month = SHANGHAI_MONTH[dialect];
  return {
    async overview() {
      const [totals] = await exec.all(`SELECT
        (SELECT count(*) FROM beneficiaries) AS beneficiaries,
        (SELECT count(*) FROM death_findings) AS suspects,
        (SELECT coalesce(sum(overpaid_fen), 0) FROM death_findings WHERE ${CLAIMED}) AS overpaid,
        (SELECT coalesce(sum(overpaid_fen), 0) FROM death_findings WHERE NOT (${CLAIMED})) AS set_aside,
        (SELECT coalesce(sum(amount_fen), 0) FROM case_recoveries WHERE kind = 'recovered') AS recovered,
        (SELECT count(*) FROM alerts WHERE status = 'open') AS open_alerts,
        (SELECT count(*) FROM cases WHERE status <> 'closed') AS open_cases`);
      const findings = await exec.all(`SELECT substr(death_date, 1, 7) AS month, count(*) AS deaths,
          coalesce(sum(CASE WHEN ${CLAIMED} THEN overpaid_fen ELSE 0 END), 0) AS overpaid
        FROM death_findings GROUP BY substr(death_date, 1, 7)`);
      const alerts = await exec.all(`SELECT ${month('first_ts')} AS month, count(*) AS alerts
        FROM alerts GROUP BY ${month('first_ts')}`);
      const recoveries =
        await exec.all(`SELECT ${month('at')} AS month, coalesce(sum(amount_fen), 0) AS recovered
        FROM case_recoveries WHERE kind = 'recovered' GROUP BY ${month('at')}`);
      const months = new Map<
        string,
        { deaths: number; overpaidFen: number; alerts: number; recoveredFen: number }
      >();
      const at = (key: unknown) => {
        const label = String(key);
        let entry = months.get(label);
        if (entry === undefined) {
          entry = { deaths: 0, overpaidFen: 0, alerts: 0, recoveredFen: 0 };
          months.set(label, entry);
        }
        return entry;
      };
      for (const row of findings) {
        const entry = at(row.month);
        entry.deaths = num(row.deaths);
        entry.overpaidFen = num(row.overpaid);
      }
      for (const row of alerts) at(row.month).alerts = num(row.alerts);
      for (const row of recoveries) at(row.month).recoveredFen = num(row.recovered);
      return {
        beneficiaries: num(totals?.beneficiaries),
        suspects: num(totals?.suspects),
        overpaidFen: num(totals?.overpaid),
        overpaidSetAsideFen: num(totals?.set_aside),
        recoveredFen: num(totals?.recovered),
        openAlerts: num(totals?.open_alerts),
        openCases: num(totals?.open_cases),
        months: [...months.entries()]
          .filter(([label]) => /^\d{4}-\d{2}$/.test(label))
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .slice(-OVERVIEW_MONTHS)
          .map(([label, entry]) => ({ month: label, ...entry })),
      };
    },

    async timeline(beneficiaryId, limit) {
      const cap = Math.max(1, Math.floor(limit));
      const id = [beneficiaryId, cap];
      const [payments, deaths, certifications, statuses, cardRows] = await Promise.all([
        exec.all(
          `SELECT paid_at, period, amount_fen, bank_card FROM payments WHERE beneficiary_id = ?
            ORDER BY paid_at DESC, payment_id DESC LIMIT ?`,
          id,
        ),
        exec.all(
          `SELECT m.source, m.record_id, m.match_probability, d.death_date,
              coalesce(d.reported_at, d.loaded_on) AS reported_at
            FROM death_matches m JOIN deaths d ON d.source = m.source AND d.record_id = m.record_id
            WHERE m.beneficiary_id = ? ORDER BY d.death_date DESC, m.source, m.record_id LIMIT ?`,
          id,
        ),
        exec.all(
          `SELECT certified_at, channel, handler_id FROM certifications WHERE beneficiary_id = ?
            ORDER BY certified_at DESC, certification_id DESC LIMIT ?`,
          id,
        ),
        exec.all(
          `SELECT changed_at, from_status, to_status, reason, handler_id FROM status_changes
            WHERE beneficiary_id = ? ORDER BY changed_at DESC LIMIT ?`,
          id,
        ),
        exec.all(
          `SELECT bank_card AS card FROM beneficiaries WHERE beneficiary_id = ? AND bank_card IS NOT NULL
           UNION SELECT new_card FROM account_changes WHERE beneficiary_id = ?
           UNION SELECT old_card FROM account_changes WHERE beneficiary_id = ? AND old_card IS NOT NULL`,
          [beneficiaryId, beneficiaryId, beneficiaryId],
        ),
      ]);
      const cards = cardRows.map((r) => String(r.card)).slice(0, 20);
      const events =
        cards.length === 0
          ? []
          : await exec.all(
              `SELECT ts, card, type, channel, result, terminal_id, amount_fen FROM card_events
                WHERE card IN (${placeholders(cards.length)}) ORDER BY ts DESC, event_id DESC LIMIT ?`,
              [...cards, cap],
            );
      return [
        ...payments.map(
          (r): TimelineRow => ({
            kind: 'payment',
            at: String(r.paid_at),
            period: String(r.period),
            amountFen: num(r.amount_fen),
            ...optional('card', str(r.bank_card)),
          }),
        ),
        ...deaths.map(
          (r): TimelineRow => ({
            kind: 'death_reported',
            at: str(r.reported_at) ?? String(r.death_date),
            source: String(r.source),
            recordId: String(r.record_id),
            deathDate: String(r.death_date),
            matchProbability: r.match_probability === null ? undefined : num(r.match_probability),
          }),
        ),
        ...certifications.map(
          (r): TimelineRow => ({
            kind: 'certification',
            at: String(r.certified_at),
            channel: String(r.channel),
            ...optional('handlerId', str(r.handler_id)),
          }),
        ),
        ...statuses.map(
          (r): TimelineRow => ({
            kind: 'status_change',
            at: String(r.changed_at),
            toStatus: String(r.to_status),
            ...optional('fromStatus', str(r.from_status)),
            ...optional('reason', str(r.reason)),
            ...optional('handlerId', str(r.handler_id)),
          }),
        ),
        ...events.map(
          (r): TimelineRow => ({
            kind: 'card_activity',
            ts: num(r.ts),
            card: String(r.card),
            type: String(r.type),
            channel: String(r.channel),
            result: String(r.result),
            ...optional('terminalId', str(r.terminal_id)),
            ...(r.amount_fen === null || r.amount_fen === undefined ? {} : { amountFen: num(r.amount_fen) }),
          }),
        ),
      ];
    },

    async getRing(ringId, options = {}) {
      const [ring] = await exec.all('SELECT * FROM analytics_rings WHERE ring_id = ?', [ringId]);
      if (ring === undefined) return undefined;
      const members = (
        await exec.all(
          'SELECT card, beneficiary_ids, sweeps, membership FROM analytics_ring_members WHERE ring_id = ? ORDER BY card',
          [ringId],
        )
      ).map((r) => ({
        card: String(r.card),
        beneficiaryIds: json<string[]>(r.beneficiary_ids, []),
        sweeps: num(r.sweeps),
        membership: String(r.membership),
      }));
      const terminals = json<string[]>(ring.terminals, []);
      const linked = mostActiveCards(members, options.maxCards);
      const beneficiaryIds = [...new Set(linked.flatMap((m) => m.beneficiaryIds))];
      const managedBy = new Map<string, string>();
      if (beneficiaryIds.length > 0) {
        const rows = await exec.all(
          `SELECT beneficiary_id, handler_id FROM beneficiaries
            WHERE beneficiary_id IN (${placeholders(beneficiaryIds.length)}) AND handler_id IS NOT NULL`,
          beneficiaryIds,
        );
        for (const r of rows) managedBy.set(String(r.beneficiary_id), String(r.handler_id));
      }
      const cardTerminals = new Map<string, string[]>();
      if (linked.length > 0 && terminals.length > 0) {
        const cards = linked.map((m) => m.card);
        // The ring's terminals are filtered here, not in SQL: given `terminal_id IN (…)` SQLite chose the
        // (terminal_id, ts) index and read every event at the ring's ATMs over its span (129,011 rows, ~500 ms
        // for a 1,283-card ring at 200k beneficiaries) instead of the cards' own events by (card, ts) (~10 ms).
        const wanted = new Set(terminals);
        const rows = (
          await exec.all(
            `SELECT DISTINCT card, terminal_id FROM card_events
              WHERE card IN (${placeholders(cards.length)}) AND ts >= ? AND ts <= ?`,
            [...cards, num(ring.first_ts), num(ring.last_ts)] as SqlValue[],
          )
        ).filter((r) => wanted.has(String(r.terminal_id)));
        for (const r of rows) {
          const list = cardTerminals.get(String(r.card)) ?? [];
          list.push(String(r.terminal_id));
          cardTerminals.set(String(r.card), list);
        }
      }
      const handlers = json<{ handlerId: string; vouchedAfterDeath?: number }[]>(ring.handlers, []).map(
        (h) => ({
          handlerId: String(h.handlerId),
          vouchedAfterDeath: num(h.vouchedAfterDeath ?? 0),
        }),
      );
      return {
        ringId: String(ring.ring_id),
        sweeps: num(ring.sweeps),
        terminals,
        firstTs: num(ring.first_ts),
        lastTs: num(ring.last_ts),
        withdrawnFen: num(ring.withdrawn_fen),
        deceasedBeneficiaries: num(ring.deceased_beneficiaries),
        score: num(ring.score),
        explanation: String(ring.explanation),
        members,
        handlers,
        managedBy,
        cardTerminals,
      };
    },

    async listAlerts(query) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (query.severity !== undefined) {
        where.push('severity = ?');
        params.push(query.severity);
      }
      if (query.status !== undefined) {
        where.push('status = ?');
        params.push(query.status);
      }
      const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
      const [count] = await exec.all(`SELECT count(*) AS n FROM alerts${clause}`, params);
      const rows = await exec.all(
        `SELECT ${ALERT_COLUMNS} FROM alerts${clause}
          ORDER BY ${ALERT_ORDER[query.sort]} ${query.order === 'asc' ? 'ASC' : 'DESC'}, alert_id LIMIT ? OFFSET ?`,
        [...params, query.limit, query.offset],
      );
      return { items: rows.map(alertFromRow), total: num(count?.n) };
    },

    async alertStatus(alertId) {
      const [row] = await exec.all('SELECT status FROM alerts WHERE alert_id = ?', [alertId]);
      if (row === undefined) return undefined;
      return row.status === 'closed' ? 'closed' : 'open';
    },

    async cardEventSpan() {
      const [row] = await exec.all('SELECT min(ts) AS first, max(ts) AS last FROM card_events');
      if (row === undefined || row.first === null || row.first === undefined) return undefined;
      return { first: num(row.first), last: num(row.last) };
    },

    async quarantinePage(query) {
      let where = '';
      let params: SqlValue[] = [];
      if (query.file !== undefined) {
        const wanted = query.file;
        const baseName = (path: string) => path.split(/[\\/]/).pop() ?? path;
        const names = [
          ...new Set(
            (await exec.all('SELECT DISTINCT file, file_key FROM loads'))
              .filter(
                (r) => r.file === wanted || r.file_key === wanted || baseName(String(r.file)) === wanted,
              )
              .map((r) => String(r.file)),
          ),
        ];
        if (names.length === 0) return { items: [], total: 0 };
        where = ` WHERE file IN (${placeholders(names.length)})`;
        params = names;
      }
      const [counted] = await exec.all(`SELECT count(*) AS n FROM quarantine${where}`, params);
      const rows = await exec.all(
        `SELECT file, kind, line, column_name, code, reason, raw FROM quarantine${where}
          ORDER BY load_id, line LIMIT ? OFFSET ?`,
        [...params, Math.max(0, Math.floor(query.limit)), Math.max(0, Math.floor(query.offset))],
      );
      return {
        items: rows.map((r) => ({
          file: String(r.file),
          kind: String(r.kind),
          line: num(r.line),
          column: str(r.column_name),
          code: String(r.code),
          reason: String(r.reason),
          raw: String(r.raw),
        })),
        total: num(counted?.n),
      };
    },

    async alertMonths() {
      const rows = await exec.all(`SELECT ${month('first_ts')} AS month, rule, count(*) AS alerts
        FROM alerts GROUP BY ${month('first_ts')}, rule ORDER BY 1, 2`);
      return rows.map((r) => ({ month: String(r.month), rule: String(r.rule), alerts: num(r.alerts) }));
    },

    async counts() {
      const [row] = await exec.all(`SELECT
        (SELECT count(*) FROM death_findings) AS findings,
        (SELECT count(*) FROM alerts WHERE status = 'open') AS open_alerts,
        (SELECT count(*) FROM alerts) AS alerts,
        (SELECT count(*) FROM cases WHERE status <> 'closed') AS open_cases,
        (SELECT count(*) FROM cases) AS cases`);
      return {
        findings: num(row?.findings),
        alerts: { open: num(row?.open_alerts), total: num(row?.alerts) },
        cases: { open: num(row?.open_cases), total: num(row?.cases) },
      };
    },
  };
}

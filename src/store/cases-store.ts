import type { Approval, ApprovalAction, ApprovalStatus, BenefitOrder } from '../cases/approval.js';
import type {
  AccountabilityRecord,
  CaseDetail,
  CaseEvent,
  CaseLink,
  CaseStatus,
  CaseSummary,
  Disposition,
  LinkKind,
  RecoveryEntry,
  RecoveryEntryKind,
  RecoveryRoute,
  SubjectType,
} from '../cases/case.js';
import type {
  AlertReader,
  AlertSort,
  AlertView,
  CaseSort,
  CaseStore,
  Page,
  SuspectReader,
  SuspectSort,
  SuspectSummary,
} from '../cases/ports.js';
import type { SqlExecutor, SqlStatement } from './sql-executor.js';
import type { Row, SqlValue } from './tables.js';

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const optStr = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);
const optNum = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : num(value);
const placeholders = (n: number): string => Array(n).fill('?').join(', ');

/** Sort keys (validated enums) to SQL: never text from a request. */
const CASE_ORDER: Readonly<Record<CaseSort, string>> = {
  opened_at: 'c.opened_at',
  updated_at: 'c.updated_at',
  status: 'c.status',
  amount_at_risk: 'amount_at_risk',
  amount_recovered: 'amount_recovered',
};
const SUSPECT_ORDER: Readonly<Record<SuspectSort, string>> = {
  overpaid: 'f.overpaid_fen',
  match_probability: 'f.match_probability',
  death_date: 'f.death_date',
  beneficiary_id: 'f.beneficiary_id',
};
const ALERT_ORDER: Readonly<Record<AlertSort, string>> = {
  last_ts: 'last_ts',
  first_ts: 'first_ts',
  score: 'score',
  severity: "CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END",
};
const direction = (order: 'asc' | 'desc'): string => (order === 'asc' ? 'ASC' : 'DESC');

const CASE_SELECT = `SELECT c.case_id, c.opened_at, c.opened_by, c.status, c.subject_type, c.subject_id, c.title,
  c.assignee, c.updated_at, c.closed_at,
  (SELECT coalesce(sum(l.amount_fen), 0) FROM case_links l WHERE l.case_id = c.case_id) AS amount_at_risk,
  (SELECT coalesce(sum(r.amount_fen), 0) FROM case_recoveries r
    WHERE r.case_id = c.case_id AND r.kind = 'recovered') AS amount_recovered
  FROM cases c`;

function summaryFromRow(row: Row, beneficiaryIds: readonly string[]): CaseSummary {
  return {
    caseId: String(row.case_id),
    openedAt: num(row.opened_at),
    openedBy: String(row.opened_by),
    status: String(row.status) as CaseStatus,
    subjectType: String(row.subject_type) as SubjectType,
    subjectId: String(row.subject_id),
    title: String(row.title),
    beneficiaryIds,
    amountAtRiskFen: num(row.amount_at_risk),
    amountRecoveredFen: num(row.amount_recovered),
    assignee: optStr(row.assignee),
    updatedAt: num(row.updated_at),
  };
}

function approvalFromRow(row: Row): Approval {
  return {
    approvalId: String(row.approval_id),
    action: String(row.action) as ApprovalAction,
    target: String(row.target),
    reason: String(row.reason),
    requestedBy: String(row.requested_by),
    requesterUnit: optStr(row.requester_unit),
    requestedAt: num(row.requested_at),
    status: String(row.status) as ApprovalStatus,
    decidedBy: optStr(row.decided_by),
    decidedAt: optNum(row.decided_at),
    decisionNote: optStr(row.decision_note),
  };
}

function suspectFromRow(row: Row): SuspectSummary {
  return {
    beneficiaryId: String(row.beneficiary_id),
    name: String(row.name ?? ''),
    handlerId: optStr(row.handler_id),
    deathDate: String(row.death_date),
    matchProbability: num(row.match_probability),
    decision: String(row.decision),
    firstUnentitledPeriod: String(row.first_unentitled_period),
    overpaidFen: num(row.overpaid_fen),
    statusAfter: String(row.status_after),
    evidence: JSON.parse(String(row.evidence)) as string[],
  };
}

const parseList = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
};

function alertFromRow(row: Row): AlertView {
  return {
    alertId: String(row.alert_id),
    rule: String(row.rule),
    severity: String(row.severity),
    score: num(row.score),
    firstTs: num(row.first_ts),
    lastTs: num(row.last_ts),
    entityType: String(row.entity_type),
    entityId: String(row.entity_id),
    beneficiaryIds: parseList(row.beneficiary_ids),
    explanation: String(row.explanation ?? ''),
    evidence: parseList(row.evidence),
  };
}

const SUSPECT_SELECT = `SELECT f.beneficiary_id, b.name, b.handler_id, f.death_date, f.match_probability, f.decision,
  f.first_unentitled_period, f.overpaid_fen, f.status_after, f.evidence
  FROM death_findings f LEFT JOIN beneficiaries b ON b.beneficiary_id = f.beneficiary_id`;

const ALERT_COLUMNS =
  'alert_id, rule, severity, score, first_ts, last_ts, entity_type, entity_id, beneficiary_ids, explanation, evidence';

/**
 * Cases, approvals, benefit orders and alert assignments over the shared SQL, with the readers of the findings
 * cases are opened from: death-matching findings (death_findings, migration 2) and the monitor's alerts (read
 * from an `alerts` table when the monitor keeps one; empty until then).
 */
export function createSqlCasesStore(exec: SqlExecutor): CaseStore & SuspectReader & AlertReader {
  async function beneficiariesOf(caseIds: readonly string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>(caseIds.map((id) => [id, []]));
    if (caseIds.length === 0) return map;
    const rows = await exec.all(
      `SELECT case_id, beneficiary_id FROM case_beneficiaries WHERE case_id IN (${placeholders(caseIds.length)})
        ORDER BY case_id, beneficiary_id`,
      caseIds,
    );
    for (const row of rows) map.get(String(row.case_id))?.push(String(row.beneficiary_id));
    return map;
  }

  async function summaries(rows: readonly Row[]): Promise<CaseSummary[]> {
    const ids = rows.map((r) => String(r.case_id));
    const beneficiaries = await beneficiariesOf(ids);
    return rows.map((row) => summaryFromRow(row, beneficiaries.get(String(row.case_id)) ?? []));
  }

  const addBeneficiaries = (caseId: string, ids: readonly string[]): SqlStatement[] =>
    [...new Set(ids)].map((id) => ({
      sql: `INSERT INTO case_beneficiaries (case_id, beneficiary_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
      params: [caseId, id],
    }));

  const eventStatement = (caseId: string, event: CaseEvent): SqlStatement => {
    const { kind, at, by, ...payload } = event;
    return {
      sql: 'INSERT INTO case_events (case_id, at, actor, kind, payload) VALUES (?, ?, ?, ?, ?)',
      params: [caseId, at, by, kind, JSON.stringify(payload)],
    };
  };

  const linkStatement = (caseId: string, link: CaseLink): SqlStatement => ({
    sql: `INSERT INTO case_links (case_id, link_kind, ref, amount_fen, linked_at, linked_by) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT DO NOTHING`,
    params: [caseId, link.kind, link.ref, link.amountFen, link.at, link.by],
  });

  let alertsTable: boolean | undefined;
  async function hasAlertsTable(): Promise<boolean> {
    if (alertsTable === true) return true;
    try {
      await exec.all(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE 1 = 0`);
      alertsTable = true;
    } catch {
      alertsTable = false;
    }
    return alertsTable;
  }

  return {
    async insertCase(c) {
      // One transaction; what follows the case's insert only happens if it went in (the id is new, so the case
      // exists afterwards exactly when this insert was not refused by another open case for the subject).
      const exists = 'FROM cases WHERE case_id = ?';
      const rows = await exec.transaction([
        {
          sql: `INSERT INTO cases (case_id, opened_at, opened_by, status, subject_type, subject_id, title, assignee,
              updated_at) VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          params: [
            c.caseId,
            c.openedAt,
            c.openedBy,
            c.subjectType,
            c.subjectId,
            c.title,
            c.assignee ?? null,
            c.openedAt,
          ],
        },
        {
          sql: `INSERT INTO case_links (case_id, link_kind, ref, amount_fen, linked_at, linked_by)
            SELECT case_id, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT)
            ${exists}`,
          params: [c.link.kind, c.link.ref, c.link.amountFen, c.link.at, c.link.by, c.caseId],
        },
        ...[...new Set(c.beneficiaryIds)].map((id) => ({
          sql: `INSERT INTO case_beneficiaries (case_id, beneficiary_id) SELECT case_id, CAST(? AS TEXT) ${exists}`,
          params: [id, c.caseId],
        })),
        {
          sql: `INSERT INTO case_events (case_id, at, actor, kind, payload)
            SELECT case_id, CAST(? AS BIGINT), CAST(? AS TEXT), 'link', CAST(? AS TEXT) ${exists}`,
          params: [
            c.link.at,
            c.link.by,
            JSON.stringify({ linkKind: c.link.kind, ref: c.link.ref }),
            c.caseId,
          ],
        },
        { sql: `SELECT case_id ${exists}`, params: [c.caseId] },
      ]);
      return rows.length === 1;
    },

    async findOpenCase(subjectType, subjectId) {
      const [row] = await exec.all(
        `SELECT case_id FROM cases WHERE subject_type = ? AND subject_id = ? AND status <> 'closed'`,
        [subjectType, subjectId],
      );
      return optStr(row?.case_id);
    },

    async joinCase(caseId, link, beneficiaryIds) {
      const [existing] = await exec.all(
        'SELECT 1 AS linked FROM case_links WHERE case_id = ? AND link_kind = ? AND ref = ?',
        [caseId, link.kind, link.ref],
      );
      if (existing !== undefined) return false;
      await exec.transaction([
        linkStatement(caseId, link),
        ...addBeneficiaries(caseId, beneficiaryIds),
        eventStatement(caseId, {
          kind: 'link',
          at: link.at,
          by: link.by,
          linkKind: link.kind,
          ref: link.ref,
        }),
        { sql: 'UPDATE cases SET updated_at = ? WHERE case_id = ?', params: [link.at, caseId] },
      ]);
      return true;
    },

    async getCase(caseId) {
      const [row] = await exec.all(`${CASE_SELECT} WHERE c.case_id = ?`, [caseId]);
      if (row === undefined) return undefined;
      const [summary] = await summaries([row]);
      const links = (
        await exec.all('SELECT * FROM case_links WHERE case_id = ? ORDER BY linked_at, link_kind, ref', [
          caseId,
        ])
      ).map(
        (r): CaseLink => ({
          kind: String(r.link_kind) as LinkKind,
          ref: String(r.ref),
          amountFen: num(r.amount_fen),
          at: num(r.linked_at),
          by: String(r.linked_by),
        }),
      );
      const events = (
        await exec.all('SELECT * FROM case_events WHERE case_id = ? ORDER BY event_id', [caseId])
      ).map(
        (r) =>
          ({
            kind: String(r.kind),
            at: num(r.at),
            by: String(r.actor),
            ...JSON.parse(String(r.payload)),
          }) as CaseEvent,
      );
      const recovery = (
        await exec.all('SELECT * FROM case_recoveries WHERE case_id = ? ORDER BY at, entry_id', [caseId])
      ).map(
        (r): RecoveryEntry => ({
          entryId: String(r.entry_id),
          at: num(r.at),
          by: String(r.actor),
          kind: String(r.kind) as RecoveryEntryKind,
          route: optStr(r.route) as RecoveryRoute | undefined,
          amountFen: num(r.amount_fen),
          note: String(r.note),
        }),
      );
      const accountability = (
        await exec.all('SELECT * FROM case_accountability WHERE case_id = ? ORDER BY at, record_id', [caseId])
      ).map(
        (r): AccountabilityRecord => ({
          recordId: String(r.record_id),
          at: num(r.at),
          by: String(r.actor),
          handlerId: String(r.handler_id),
          disposition: String(r.disposition) as Disposition,
          note: String(r.note),
        }),
      );
      const detail: CaseDetail = {
        ...summary!,
        links,
        events,
        recovery,
        accountability,
        closedAt: optNum(row.closed_at),
      };
      return detail;
    },

    async listCases(query) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (query.status !== undefined) {
        where.push('c.status = ?');
        params.push(query.status);
      }
      if (query.assignee !== undefined) {
        where.push('c.assignee = ?');
        params.push(query.assignee);
      }
      if (query.beneficiaryId !== undefined) {
        where.push('c.case_id IN (SELECT case_id FROM case_beneficiaries WHERE beneficiary_id = ?)');
        params.push(query.beneficiaryId);
      }
      const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
      const [count] = await exec.all(`SELECT count(*) AS n FROM cases c${clause}`, params);
      const rows = await exec.all(
        `${CASE_SELECT}${clause} ORDER BY ${CASE_ORDER[query.sort]} ${direction(query.order)}, c.case_id LIMIT ? OFFSET ?`,
        [...params, query.limit, query.offset],
      );
      return {
        items: await summaries(rows),
        total: num(count?.n ?? 0),
        offset: query.offset,
        limit: query.limit,
      };
    },

    async *readCases(options = {}) {
      const size = options.batchSize ?? 2000;
      for (let offset = 0; ; offset += size) {
        const rows = await exec.all(`${CASE_SELECT} ORDER BY c.case_id LIMIT ? OFFSET ?`, [size, offset]);
        if (rows.length > 0) yield await summaries(rows);
        if (rows.length < size) return;
      }
    },

    async setCaseStatus(caseId, from, event) {
      const rows = await exec.transaction([
        {
          sql: `UPDATE cases SET status = ?, updated_at = ?, closed_at = ? WHERE case_id = ? AND status = ?`,
          params: [event.to, event.at, event.to === 'closed' ? event.at : null, caseId, from],
        },
        {
          sql: `INSERT INTO case_events (case_id, at, actor, kind, payload)
            SELECT case_id, CAST(? AS BIGINT), CAST(? AS TEXT), 'transition', CAST(? AS TEXT)
            FROM cases WHERE case_id = ? AND status = ? AND updated_at = ?`,
          params: [
            event.at,
            event.by,
            JSON.stringify({
              from: event.from,
              to: event.to,
              reason: event.reason,
              approvedBy: event.approvedBy,
            }),
            caseId,
            event.to,
            event.at,
          ],
        },
        {
          sql: 'SELECT status FROM cases WHERE case_id = ? AND status = ? AND updated_at = ?',
          params: [caseId, event.to, event.at],
        },
      ]);
      return rows.length === 1;
    },

    async setCaseAssignee(caseId, event) {
      const rows = await exec.transaction([
        {
          sql: 'UPDATE cases SET assignee = ?, updated_at = ? WHERE case_id = ?',
          params: [event.assignee, event.at, caseId],
        },
        eventStatement(caseId, event),
        { sql: 'SELECT case_id FROM cases WHERE case_id = ?', params: [caseId] },
      ]);
      return rows.length === 1;
    },

    async addCaseEvent(caseId, event) {
      await exec.transaction([
        eventStatement(caseId, event),
        { sql: 'UPDATE cases SET updated_at = ? WHERE case_id = ?', params: [event.at, caseId] },
      ]);
    },

    async addRecoveryEntry(caseId, e) {
      await exec.transaction([
        {
          sql: `INSERT INTO case_recoveries (entry_id, case_id, at, actor, kind, route, amount_fen, note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          params: [e.entryId, caseId, e.at, e.by, e.kind, e.route ?? null, e.amountFen, e.note],
        },
        { sql: 'UPDATE cases SET updated_at = ? WHERE case_id = ?', params: [e.at, caseId] },
      ]);
    },

    async addAccountability(caseId, r) {
      await exec.transaction([
        {
          sql: `INSERT INTO case_accountability (record_id, case_id, at, actor, handler_id, disposition, note)
            VALUES (?, ?, ?, ?, ?, ?, ?)`,
          params: [r.recordId, caseId, r.at, r.by, r.handlerId, r.disposition, r.note],
        },
        { sql: 'UPDATE cases SET updated_at = ? WHERE case_id = ?', params: [r.at, caseId] },
      ]);
    },

    async beneficiaryHandlers(ids) {
      const map = new Map<string, string>();
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = await exec.all(
          `SELECT beneficiary_id, handler_id FROM beneficiaries
            WHERE handler_id IS NOT NULL AND beneficiary_id IN (${placeholders(chunk.length)})`,
          chunk,
        );
        for (const row of rows) map.set(String(row.beneficiary_id), String(row.handler_id));
      }
      return map;
    },

    async handlerUnits(ids) {
      const map = new Map<string, string | undefined>();
      if (ids.length === 0) return map;
      const rows = await exec.all(
        `SELECT handler_id, unit FROM handlers WHERE handler_id IN (${placeholders(ids.length)})`,
        ids,
      );
      for (const row of rows) map.set(String(row.handler_id), optStr(row.unit));
      return map;
    },

    async createApproval(a) {
      const rows = await exec.all(
        `INSERT INTO approvals (approval_id, action, target, reason, requested_by, requester_unit, requested_at, status)
          VALUES (?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT DO NOTHING RETURNING approval_id`,
        [a.approvalId, a.action, a.target, a.reason, a.requestedBy, a.requesterUnit ?? null, a.requestedAt],
      );
      return rows.length === 1;
    },

    async getApproval(approvalId) {
      const [row] = await exec.all('SELECT * FROM approvals WHERE approval_id = ?', [approvalId]);
      return row === undefined ? undefined : approvalFromRow(row);
    },

    async listApprovals(query) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (query.status !== undefined) {
        where.push('status = ?');
        params.push(query.status);
      }
      if (query.action !== undefined) {
        where.push('action = ?');
        params.push(query.action);
      }
      const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
      const [count] = await exec.all(`SELECT count(*) AS n FROM approvals${clause}`, params);
      const rows = await exec.all(
        `SELECT * FROM approvals${clause} ORDER BY requested_at DESC, approval_id LIMIT ? OFFSET ?`,
        [...params, query.limit, query.offset],
      );
      return {
        items: rows.map(approvalFromRow),
        total: num(count?.n ?? 0),
        offset: query.offset,
        limit: query.limit,
      };
    },

    async decideApproval(approvalId, d) {
      const rows = await exec.all(
        `UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?
          WHERE approval_id = ? AND status = 'pending' RETURNING approval_id`,
        [d.status, d.by, d.at, d.note, approvalId],
      );
      return rows.length === 1;
    },

    async addBenefitOrder(o) {
      await exec.all(
        `INSERT INTO benefit_orders (order_id, beneficiary_id, action, reason, requested_by, approved_by, approval_id, at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [o.orderId, o.beneficiaryId, o.action, o.reason, o.requestedBy, o.approvedBy, o.approvalId, o.at],
      );
    },

    async listBenefitOrders(beneficiaryId) {
      const rows = await exec.all(
        'SELECT * FROM benefit_orders WHERE beneficiary_id = ? ORDER BY at, order_id',
        [beneficiaryId],
      );
      return rows.map(
        (r): BenefitOrder => ({
          orderId: String(r.order_id),
          beneficiaryId: String(r.beneficiary_id),
          action: String(r.action) as BenefitOrder['action'],
          reason: String(r.reason),
          requestedBy: String(r.requested_by),
          approvedBy: String(r.approved_by),
          approvalId: String(r.approval_id),
          at: num(r.at),
        }),
      );
    },

    async assignAlert(alertId, assignee, by, at) {
      await exec.all(
        `INSERT INTO alert_assignments (alert_id, assignee, assigned_by, assigned_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (alert_id) DO UPDATE SET assignee = excluded.assignee, assigned_by = excluded.assigned_by,
          assigned_at = excluded.assigned_at`,
        [alertId, assignee, by, at],
      );
    },

    async alertAssignees(alertIds) {
      const map = new Map<string, string>();
      if (alertIds.length === 0) return map;
      const rows = await exec.all(
        `SELECT alert_id, assignee FROM alert_assignments WHERE alert_id IN (${placeholders(alertIds.length)})`,
        alertIds,
      );
      for (const row of rows) map.set(String(row.alert_id), String(row.assignee));
      return map;
    },

    async listSuspects(query) {
      const clause = query.decision === undefined ? '' : ' WHERE f.decision = ?';
      const params: SqlValue[] = query.decision === undefined ? [] : [query.decision];
      const [count] = await exec.all(`SELECT count(*) AS n FROM death_findings f${clause}`, params);
      const rows = await exec.all(
        `${SUSPECT_SELECT}${clause} ORDER BY ${SUSPECT_ORDER[query.sort]} ${direction(query.order)}, f.beneficiary_id
          LIMIT ? OFFSET ?`,
        [...params, query.limit, query.offset],
      );
      return {
        items: rows.map(suspectFromRow),
        total: num(count?.n ?? 0),
        offset: query.offset,
        limit: query.limit,
      };
    },

    async getSuspect(beneficiaryId) {
      const [row] = await exec.all(`${SUSPECT_SELECT} WHERE f.beneficiary_id = ?`, [beneficiaryId]);
      return row === undefined ? undefined : suspectFromRow(row);
    },

    async listAlerts(query) {
      const empty: Page<AlertView> = { items: [], total: 0, offset: query.offset, limit: query.limit };
      if (!(await hasAlertsTable())) return empty;
      const clause = query.severity === undefined ? '' : ' WHERE severity = ?';
      const params: SqlValue[] = query.severity === undefined ? [] : [query.severity];
      const [count] = await exec.all(`SELECT count(*) AS n FROM alerts${clause}`, params);
      const rows = await exec.all(
        `SELECT ${ALERT_COLUMNS} FROM alerts${clause} ORDER BY ${ALERT_ORDER[query.sort]} ${direction(query.order)},
          alert_id LIMIT ? OFFSET ?`,
        [...params, query.limit, query.offset],
      );
      return {
        items: rows.map(alertFromRow),
        total: num(count?.n ?? 0),
        offset: query.offset,
        limit: query.limit,
      };
    },

    async getAlert(alertId) {
      if (!(await hasAlertsTable())) return undefined;
      const [row] = await exec.all(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE alert_id = ?`, [alertId]);
      return row === undefined ? undefined : alertFromRow(row);
    },
  };
}

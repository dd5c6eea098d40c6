import {
  type AuditEntry,
  type AuditEntryInput,
  type AuditOutcome,
  chainEntry,
} from '../audit/audit-chain.js';
import type { AuditLog } from '../audit/ports.js';
import type { SqlExecutor } from './sql-executor.js';
import type { Row } from './tables.js';

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));

function entryFromRow(row: Row): AuditEntry {
  return {
    seq: num(row.seq),
    at: num(row.at),
    actor: String(row.actor),
    action: String(row.action),
    target: String(row.target),
    outcome: String(row.outcome) as AuditOutcome,
    detail: JSON.parse(String(row.detail)) as Record<string, unknown>,
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

const COLUMNS = 'seq, at, actor, action, target, outcome, detail, prev_hash, hash';

/** How often an append retries when another process took the same sequence number. */
const APPEND_ATTEMPTS = 20;

/**
 * The audit log over the shared SQL: each append reads the recorded head, chains the entry to it and writes
 * entry and head in one transaction. Appends from this process are queued; one from another process that takes
 * the same sequence number makes the insert fail (primary key) and this one retry on the new head.
 */
export function createSqlAuditLog(exec: SqlExecutor): AuditLog {
  let queue: Promise<unknown> = Promise.resolve();

  async function head(): Promise<{ seq: number; hash: string } | undefined> {
    const [row] = await exec.all('SELECT seq, hash FROM audit_head WHERE id = 1');
    return row === undefined ? undefined : { seq: num(row.seq), hash: String(row.hash) };
  }

  async function append(input: AuditEntryInput): Promise<AuditEntry> {
    for (let attempt = 1; ; attempt++) {
      const entry = chainEntry(await head(), input);
      try {
        await exec.transaction([
          {
            sql: `INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            params: [
              entry.seq,
              entry.at,
              entry.actor,
              entry.action,
              entry.target,
              entry.outcome,
              JSON.stringify(entry.detail),
              entry.prevHash,
              entry.hash,
            ],
          },
          {
            sql: `INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)
              ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
            params: [entry.seq, entry.hash],
          },
        ]);
        return entry;
      } catch (error) {
        const moved = (await head())?.seq !== entry.seq - 1;
        if (!moved || attempt >= APPEND_ATTEMPTS) throw error;
      }
    }
  }

  return {
    appendAudit(input) {
      const next = queue.then(() => append(input));
      queue = next.catch(() => {});
      return next;
    },
    async *readAuditBatches(options = {}) {
      const size = options.batchSize ?? 5000;
      // By sequence number: an entry whose number was changed (moved) fails its own hash or its neighbour's link.
      for (let offset = 0; ; offset += size) {
        const rows = await exec.all(`SELECT ${COLUMNS} FROM audit_log ORDER BY seq LIMIT ? OFFSET ?`, [
          size,
          offset,
        ]);
        if (rows.length > 0) yield rows.map(entryFromRow);
        if (rows.length < size) return;
      }
    },
    async listAudit(query) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (query.actor !== undefined) {
        where.push('actor = ?');
        params.push(query.actor);
      }
      if (query.action !== undefined) {
        where.push('action = ?');
        params.push(query.action);
      }
      const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
      const [count] = await exec.all(`SELECT count(*) AS n FROM audit_log ${clause}`, params);
      const rows = await exec.all(
        `SELECT ${COLUMNS} FROM audit_log ${clause} ORDER BY seq DESC LIMIT ? OFFSET ?`,
        [...params, query.limit, query.offset],
      );
      return { items: rows.map(entryFromRow), total: num(count?.n ?? 0) };
    },
    auditHead: head,
  };
}

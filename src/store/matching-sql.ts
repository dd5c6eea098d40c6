import { fail, ok, type Result } from '../core/result.js';
import type { CalendarDate, Period } from '../core/time.js';
import {
  type Decision,
  type DecisionAction,
  type DecisionKind,
  type LifeSign,
  type Reversal,
  reverseDecision,
} from '../entitlement/entitlement.js';
import type {
  DeathMatch,
  DeathRecordQuery,
  Finding,
  MatchingStore,
  StoredLink,
  StoredModel,
} from '../matching/ports.js';
import type { BenefitStatus, DeathSource } from '../records/enums.js';
import type { Beneficiary, Certification, DeathRecord, Payment } from '../records/schemas.js';
import { insertStatements, type SqlExecutor, type SqlStatement } from './sql-executor.js';
import { type Row, type SqlValue, TABLES } from './tables.js';

/**
 * The matching port (src/matching/ports.ts) in SQL both databases run: `?` placeholders, `ON CONFLICT`,
 * `RETURNING`, row-value comparisons. Variable-length lists are padded to a few fixed sizes so that prepared
 * statements are reused rather than one per length.
 */

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const optNum = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : num(value);
const optStr = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);

/** Rows per multi-row INSERT (well under both databases' bound-parameter limits). */
const ROWS_PER_INSERT = 256;
/** Values per IN list. */
const IN_LIMIT = 512;

/** The size an IN list is padded to: the next power of two (≤ IN_LIMIT). */
function paddedSize(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/** `values` in chunks of at most IN_LIMIT, each padded (repeating its last value) to a power of two. */
function* inChunks<T>(values: readonly T[]): Generator<{ placeholders: string; params: T[] }> {
  for (let i = 0; i < values.length; i += IN_LIMIT) {
    const chunk = values.slice(i, i + IN_LIMIT);
    const size = paddedSize(chunk.length);
    const params = [...chunk];
    while (params.length < size) params.push(chunk[chunk.length - 1]!);
    yield { placeholders: Array(size).fill('?').join(', '), params };
  }
}

/** Multi-row INSERT statements of at most ROWS_PER_INSERT rows (see `insertStatements` in sql-executor.ts). */
function insertRows(
  table: string,
  columns: readonly string[],
  rows: readonly SqlValue[][],
  suffix = '',
): SqlStatement[] {
  return insertStatements(table, columns, rows, { rowsPerInsert: ROWS_PER_INSERT, suffix });
}

const MATCH_COLUMNS = [
  'source',
  'record_id',
  'beneficiary_id',
  'match_weight',
  'match_probability',
  'explanation',
  'model_id',
  'matched_at',
];

function matchToRow(m: DeathMatch): SqlValue[] {
  return [
    m.source,
    m.recordId,
    m.beneficiaryId ?? null,
    m.matchWeight ?? null,
    m.matchProbability ?? null,
    m.explanation === undefined ? null : JSON.stringify(m.explanation),
    Number(m.modelId),
    m.matchedAt,
  ];
}

function matchFromRow(row: Row): DeathMatch {
  return {
    source: String(row.source) as DeathSource,
    recordId: String(row.record_id),
    beneficiaryId: optStr(row.beneficiary_id),
    matchWeight: optNum(row.match_weight),
    matchProbability: optNum(row.match_probability),
    explanation:
      row.explanation === null || row.explanation === undefined
        ? undefined
        : JSON.parse(String(row.explanation)),
    modelId: String(row.model_id),
    matchedAt: num(row.matched_at),
  };
}

const FINDING_COLUMNS = [
  'beneficiary_id',
  'death_date',
  'date_support',
  'evidence',
  'match_probability',
  'decision',
  'first_unentitled_period',
  'overpaid_fen',
  'overpaid_payments',
  'roll_status',
  'status_after',
  'decision_id',
  'updated_at',
  'life_sign',
  'unsupported',
];

function findingToRow(f: Finding): SqlValue[] {
  return [
    f.beneficiaryId,
    f.deathDate,
    f.dateSupport,
    JSON.stringify(f.evidence),
    f.matchProbability,
    f.decision,
    f.firstUnentitledPeriod,
    f.overpaidFen,
    f.overpaidPayments,
    f.rollStatus,
    f.statusAfter,
    Number(f.decisionId),
    f.updatedAt,
    f.lifeSign === undefined ? null : JSON.stringify(f.lifeSign),
    f.unsupported === true ? 1 : 0,
  ];
}

function findingFromRow(row: Row): Finding {
  return {
    beneficiaryId: String(row.beneficiary_id),
    deathDate: String(row.death_date) as CalendarDate,
    dateSupport: num(row.date_support),
    evidence: JSON.parse(String(row.evidence)) as string[],
    matchProbability: num(row.match_probability),
    decision: String(row.decision) as DecisionKind,
    firstUnentitledPeriod: String(row.first_unentitled_period) as Period,
    overpaidFen: num(row.overpaid_fen),
    overpaidPayments: num(row.overpaid_payments),
    rollStatus: String(row.roll_status) as BenefitStatus,
    statusAfter: String(row.status_after) as BenefitStatus,
    decisionId: String(row.decision_id),
    updatedAt: num(row.updated_at),
    ...(row.life_sign === null || row.life_sign === undefined
      ? {}
      : { lifeSign: JSON.parse(String(row.life_sign)) as LifeSign }),
    ...(num(row.unsupported ?? 0) === 1 ? { unsupported: true as const } : {}),
  };
}

function decisionFromRow(row: Row): Decision {
  const reversedAt = optNum(row.reversed_at);
  return {
    decisionId: String(row.decision_id),
    beneficiaryId: String(row.beneficiary_id),
    decidedAt: num(row.decided_at),
    decision: String(row.decision) as DecisionKind,
    action: String(row.action) as DecisionAction,
    reason: String(row.reason),
    evidence: JSON.parse(String(row.evidence)) as string[],
    statusBefore: String(row.status_before) as BenefitStatus,
    statusAfter: String(row.status_after) as BenefitStatus,
    ...(reversedAt === undefined
      ? {}
      : {
          reversal: {
            at: reversedAt,
            by: String(row.reversed_by ?? ''),
            reason: String(row.reversal_reason ?? ''),
          },
        }),
  };
}

const DEFAULT_BATCH = 10_000;

/**
 * The matching port over an adapter's executor.
 * @example const matching = createSqlMatchingStore(executor); await matching.loadModel();
 */
export function createSqlMatchingStore(exec: SqlExecutor): MatchingStore {
  const inQuery = async (
    sqlOf: (placeholders: string) => string,
    values: readonly SqlValue[],
    before: readonly SqlValue[] = [],
    after: readonly SqlValue[] = [],
  ): Promise<Row[]> => {
    const out: Row[] = [];
    for (const { placeholders, params } of inChunks(values)) {
      out.push(...(await exec.all(sqlOf(placeholders), [...before, ...params, ...after])));
    }
    return out;
  };

  return {
    async *readBeneficiaries(options = {}) {
      const size = options.batchSize ?? DEFAULT_BATCH;
      let after: string | undefined;
      for (;;) {
        const rows =
          after === undefined
            ? await exec.all('SELECT * FROM beneficiaries ORDER BY beneficiary_id LIMIT ?', [size])
            : await exec.all(
                'SELECT * FROM beneficiaries WHERE beneficiary_id > ? ORDER BY beneficiary_id LIMIT ?',
                [after, size],
              );
        if (rows.length === 0) return;
        const batch: Beneficiary[] = rows.map((row) => TABLES.beneficiaries.fromRow(row));
        after = batch[batch.length - 1]!.beneficiaryId;
        yield batch;
        if (rows.length < size) return;
      }
    },

    async *readDeathRecords(query: DeathRecordQuery = {}) {
      const size = query.batchSize ?? DEFAULT_BATCH;
      const conditions: string[] = [];
      const params: SqlValue[] = [];
      if (query.through !== undefined) {
        conditions.push(
          'd.death_date <= ? AND (coalesce(d.reported_at, d.loaded_on) IS NULL OR coalesce(d.reported_at, d.loaded_on) <= ?)',
        );
        params.push(query.through, query.through);
      }
      const join = query.unmatchedOnly
        ? ' LEFT JOIN death_matches m ON m.source = d.source AND m.record_id = d.record_id'
        : '';
      if (query.unmatchedOnly) conditions.push('m.record_id IS NULL');
      let after: [string, string] | undefined;
      for (;;) {
        const where = [...conditions, ...(after === undefined ? [] : ['(d.source, d.record_id) > (?, ?)'])];
        const rows = await exec.all(
          `SELECT d.* FROM deaths d${join}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
            ORDER BY d.source, d.record_id LIMIT ?`,
          [...params, ...(after ?? []), size],
        );
        if (rows.length === 0) return;
        const batch: DeathRecord[] = rows.map((row) => TABLES.deaths.fromRow(row));
        const last = batch[batch.length - 1]!;
        after = [last.source, last.recordId];
        yield batch;
        if (rows.length < size) return;
      }
    },

    async findBeneficiaries(ids) {
      const unique = [...new Set(ids)];
      const rows = await inQuery((p) => `SELECT * FROM beneficiaries WHERE beneficiary_id IN (${p})`, unique);
      const seen = new Set<string>();
      const out: Beneficiary[] = [];
      for (const row of rows) {
        const b = TABLES.beneficiaries.fromRow(row);
        if (seen.has(b.beneficiaryId)) continue;
        seen.add(b.beneficiaryId);
        out.push(b);
      }
      return out;
    },

    async replaceBlockingKeys(batches) {
      await exec.transaction([
        { sql: 'DROP INDEX IF EXISTS match_blocking_keys_hash' },
        { sql: 'DELETE FROM match_blocking_keys' },
      ]);
      let count = 0;
      try {
        for await (const batch of batches) {
          count += batch.length;
          const rows = batch.map((k): SqlValue[] => [k.hash, k.beneficiaryId]);
          await exec.transaction(insertRows('match_blocking_keys', ['key_hash', 'beneficiary_id'], rows));
        }
      } finally {
        // Built once over all the keys: far cheaper than keeping the index up to date row by row.
        await exec.all(
          'CREATE UNIQUE INDEX IF NOT EXISTS match_blocking_keys_hash ON match_blocking_keys (key_hash, beneficiary_id)',
        );
      }
      return count;
    },

    async addBlockingKeys(rows) {
      if (rows.length === 0) return;
      await exec.transaction(
        insertRows(
          'match_blocking_keys',
          ['key_hash', 'beneficiary_id'],
          rows.map((k) => [k.hash, k.beneficiaryId]),
          ' ON CONFLICT DO NOTHING',
        ),
      );
    },

    async beneficiariesByBlockingKeys(hashes) {
      const unique = [...new Set(hashes)];
      if (unique.length === 0) return [];
      const rows = await inQuery(
        (p) => `SELECT DISTINCT beneficiary_id FROM match_blocking_keys WHERE key_hash IN (${p})`,
        unique,
      );
      return [...new Set(rows.map((r) => String(r.beneficiary_id)))];
    },

    async blockingKeyCounts(hashes, atMost) {
      const out = new Map<number, number>();
      // One indexed range scan per hash, stopped after `atMost` rows: a huge block costs no more than the cap.
      for (const hash of new Set(hashes)) {
        const [row] = await exec.all(
          'SELECT count(*) AS n FROM (SELECT 1 FROM match_blocking_keys WHERE key_hash = ? LIMIT ?) AS block',
          [hash, atMost],
        );
        const n = num(row?.n ?? 0);
        if (n > 0) out.set(hash, n);
      }
      return out;
    },

    async replaceCandidateRows(batches) {
      // Staged, then copied in (block, beneficiary_id) order: the clustered table is written front to back, and the
      // beneficiary index is built once at the end (as for the keys).
      await exec.transaction([
        { sql: 'DROP TABLE IF EXISTS match_candidates_load' },
        {
          sql: 'CREATE TABLE match_candidates_load (block BIGINT NOT NULL, beneficiary_id TEXT NOT NULL, candidate TEXT NOT NULL)',
        },
      ]);
      let count = 0;
      try {
        for await (const batch of batches) {
          count += batch.length;
          await exec.transaction(
            insertRows(
              'match_candidates_load',
              ['block', 'beneficiary_id', 'candidate'],
              batch.map((r): SqlValue[] => [r.block, r.beneficiaryId, r.candidate]),
            ),
          );
        }
        await exec.transaction([
          { sql: 'DROP INDEX IF EXISTS match_candidates_beneficiary' },
          { sql: 'DELETE FROM match_candidates' },
          {
            sql: `INSERT INTO match_candidates (block, beneficiary_id, candidate)
              SELECT block, beneficiary_id, candidate FROM match_candidates_load ORDER BY block, beneficiary_id`,
          },
          {
            sql: 'CREATE INDEX IF NOT EXISTS match_candidates_beneficiary ON match_candidates (beneficiary_id)',
          },
        ]);
      } finally {
        await exec.all('DROP TABLE IF EXISTS match_candidates_load');
      }
      return count;
    },

    async upsertCandidateRows(rows, keys = []) {
      if (rows.length === 0 && keys.length === 0) return;
      // A beneficiary's rows are replaced together (they may move to other blocks), in one transaction with its keys.
      const ids = [...new Set(rows.map((r) => r.beneficiaryId))];
      const deletes = [...inChunks(ids)].map(({ placeholders, params }) => ({
        sql: `DELETE FROM match_candidates WHERE beneficiary_id IN (${placeholders})`,
        params,
      }));
      const unique = new Map(rows.map((r) => [`${r.block}\u0001${r.beneficiaryId}`, r]));
      await exec.transaction([
        ...deletes,
        ...insertRows(
          'match_candidates',
          ['block', 'beneficiary_id', 'candidate'],
          [...unique.values()].map((r): SqlValue[] => [r.block, r.beneficiaryId, r.candidate]),
        ),
        ...insertRows(
          'match_blocking_keys',
          ['key_hash', 'beneficiary_id'],
          keys.map((k) => [k.hash, k.beneficiaryId]),
          ' ON CONFLICT DO NOTHING',
        ),
      ]);
    },

    async blockingCandidates(hashes, clustered = []) {
      const out = new Map<string, string | undefined>();
      const blocks = [...new Set(clustered)];
      // A clustered block: one range of the primary key.
      const rowsIn = new Map<number, number>();
      for (const row of await inQuery(
        (p) => `SELECT block, beneficiary_id, candidate FROM match_candidates WHERE block IN (${p})`,
        blocks,
      )) {
        const block = num(row.block);
        rowsIn.set(block, (rowsIn.get(block) ?? 0) + 1);
        out.set(String(row.beneficiary_id), String(row.candidate));
      }
      // A block holding a row for every holder of its key is complete: a beneficiary's rows are written with its keys
      // and derived from the same person, so rows never outnumber key holders, and as many rows as holders are the
      // holders. Otherwise (rows stored before the block was clustered, a stale key) its holders are read too.
      const counted =
        rowsIn.size === 0
          ? []
          : await inQuery(
              (p) =>
                `SELECT key_hash, count(*) AS n FROM match_blocking_keys WHERE key_hash IN (${p}) GROUP BY key_hash`,
              [...rowsIn.keys()],
            );
      const complete = new Set(
        counted.filter((r) => rowsIn.get(num(r.key_hash)) === num(r.n)).map((r) => num(r.key_hash)),
      );
      // Every holder of the other keys (the covering (key_hash, beneficiary_id) index); those not read with a block yet
      // are read by id.
      const holders = await inQuery(
        (p) => `SELECT beneficiary_id FROM match_blocking_keys WHERE key_hash IN (${p})`,
        [...new Set([...hashes, ...blocks])].filter((h) => !complete.has(h)),
      );
      const missing = [...new Set(holders.map((r) => String(r.beneficiary_id)))].filter((id) => !out.has(id));
      for (const id of missing) out.set(id, undefined);
      for (const row of await inQuery(
        (p) => `SELECT beneficiary_id, candidate FROM match_candidates WHERE beneficiary_id IN (${p})`,
        missing,
      )) {
        out.set(String(row.beneficiary_id), String(row.candidate));
      }
      return [...out].map(([beneficiaryId, candidate]) => ({ beneficiaryId, candidate }));
    },

    async latestModelId() {
      const [row] = await exec.all('SELECT model_id FROM match_models ORDER BY model_id DESC LIMIT 1');
      return row === undefined ? undefined : String(row.model_id);
    },

    async saveModel(model, termFrequencies) {
      await exec.all('DELETE FROM match_term_frequencies');
      let batch: SqlValue[][] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await exec.transaction(insertRows('match_term_frequencies', ['slot', 'value', 'count'], batch));
        batch = [];
      };
      for (const row of termFrequencies) {
        batch.push([row.slot, row.value, row.count]);
        if (batch.length >= 50_000) await flush();
      }
      await flush();
      const [row] = await exec.all(
        `INSERT INTO match_models (created_at, preset, parameters, settings) VALUES (?, ?, ?, ?)
          RETURNING model_id`,
        [model.createdAt, model.preset, JSON.stringify(model.parameters), JSON.stringify(model.settings)],
      );
      return String(row?.model_id);
    },

    async loadModel(): Promise<StoredModel | undefined> {
      const [row] = await exec.all('SELECT * FROM match_models ORDER BY model_id DESC LIMIT 1');
      if (row === undefined) return undefined;
      return {
        modelId: String(row.model_id),
        createdAt: num(row.created_at),
        preset: String(row.preset),
        parameters: JSON.parse(String(row.parameters)),
        settings: JSON.parse(String(row.settings)),
      };
    },

    async termFrequencyCounts(slot, values) {
      const unique = [...new Set(values)];
      const out = new Map<string, number>();
      if (unique.length === 0) return out;
      const rows = await inQuery(
        (p) => `SELECT value, count FROM match_term_frequencies WHERE slot = ? AND value IN (${p})`,
        unique,
        [slot],
      );
      for (const row of rows) out.set(String(row.value), num(row.count));
      return out;
    },

    async replaceDeathMatches(matches) {
      await exec.all('DELETE FROM death_matches');
      for (let i = 0; i < matches.length; i += 20_000) {
        const rows = matches.slice(i, i + 20_000).map(matchToRow);
        await exec.transaction(insertRows('death_matches', MATCH_COLUMNS, rows));
      }
    },

    async upsertDeathMatches(matches) {
      if (matches.length === 0) return;
      // Later entries for one record win, as in the ingest's upserts.
      const byKey = new Map(matches.map((m) => [`${m.source}\u0001${m.recordId}`, m]));
      const set = MATCH_COLUMNS.slice(2)
        .map((c) => `${c} = excluded.${c}`)
        .join(', ');
      await exec.transaction(
        insertRows(
          'death_matches',
          MATCH_COLUMNS,
          [...byKey.values()].map(matchToRow),
          ` ON CONFLICT (source, record_id) DO UPDATE SET ${set}`,
        ),
      );
    },

    async linksOf(beneficiaryIds): Promise<readonly StoredLink[]> {
      const rows = await inQuery(
        (p) => `SELECT m.*, d.death_date AS death_date FROM death_matches m
          JOIN deaths d ON d.source = m.source AND d.record_id = m.record_id
          WHERE m.beneficiary_id IN (${p}) ORDER BY m.source, m.record_id`,
        [...new Set(beneficiaryIds)],
      );
      const seen = new Set<string>();
      const out: StoredLink[] = [];
      for (const row of rows) {
        const m = matchFromRow(row);
        const key = `${m.source}\u0001${m.recordId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          ...m,
          beneficiaryId: m.beneficiaryId!,
          matchWeight: m.matchWeight ?? 0,
          matchProbability: m.matchProbability ?? 0,
          deathDate: String(row.death_date) as CalendarDate,
        });
      }
      return out;
    },

    async listDeathMatches() {
      return (await exec.all('SELECT * FROM death_matches ORDER BY source, record_id')).map(matchFromRow);
    },

    async deathTwins(records, through) {
      // By source, so that the primary key (source, record_id) finds each record; its reports by (death_date, name).
      const bySource = new Map<string, string[]>();
      for (const r of records) {
        const ids = bySource.get(r.source);
        if (ids === undefined) bySource.set(r.source, [r.recordId]);
        else ids.push(r.recordId);
      }
      const out: { source: DeathSource; recordId: string; twin: DeathRecord }[] = [];
      for (const [source, ids] of [...bySource].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const rows = await inQuery(
          (p) => `SELECT a.source AS of_source, a.record_id AS of_record_id, t.* FROM deaths a
            JOIN deaths t ON t.death_date = a.death_date AND t.name = a.name
            WHERE a.source = ? AND a.record_id IN (${p})${
              through === undefined
                ? ''
                : ' AND t.death_date <= ? AND (coalesce(t.reported_at, t.loaded_on) IS NULL OR coalesce(t.reported_at, t.loaded_on) <= ?)'
            }
            ORDER BY a.record_id, t.source, t.record_id`,
          [...new Set(ids)],
          [source],
          through === undefined ? [] : [through, through],
        );
        for (const row of rows) {
          out.push({
            source: String(row.of_source) as DeathSource,
            recordId: String(row.of_record_id),
            twin: TABLES.deaths.fromRow(row),
          });
        }
      }
      return out;
    },

    async deathMatchesOf(records) {
      const wanted = new Set(records.map((r) => `${r.source}\u0001${r.recordId}`));
      const rows = await inQuery(
        (p) => `SELECT * FROM death_matches WHERE record_id IN (${p}) ORDER BY source, record_id`,
        [...new Set(records.map((r) => r.recordId))],
      );
      const out: DeathMatch[] = [];
      for (const row of rows) {
        const m = matchFromRow(row);
        const key = `${m.source}\u0001${m.recordId}`;
        if (!wanted.has(key)) continue;
        wanted.delete(key);
        out.push(m);
      }
      return out;
    },

    async paymentsOf(beneficiaryIds, paidThrough): Promise<readonly Payment[]> {
      const unique = [...new Set(beneficiaryIds)];
      const rows =
        paidThrough === undefined
          ? await inQuery((p) => `SELECT * FROM payments WHERE beneficiary_id IN (${p})`, unique)
          : await inQuery(
              (p) => `SELECT * FROM payments WHERE beneficiary_id IN (${p}) AND paid_at <= ?`,
              unique,
              [],
              [paidThrough],
            );
      const seen = new Set<string>();
      const out: Payment[] = [];
      for (const row of rows) {
        const payment = TABLES.payments.fromRow(row);
        if (seen.has(payment.paymentId)) continue;
        seen.add(payment.paymentId);
        out.push(payment);
      }
      return out;
    },

    async certificationsOf(beneficiaryIds, through): Promise<readonly Certification[]> {
      const unique = [...new Set(beneficiaryIds)];
      const rows =
        through === undefined
          ? await inQuery((p) => `SELECT * FROM certifications WHERE beneficiary_id IN (${p})`, unique)
          : await inQuery(
              (p) => `SELECT * FROM certifications WHERE beneficiary_id IN (${p}) AND certified_at <= ?`,
              unique,
              [],
              [through],
            );
      const seen = new Set<string>();
      const out: Certification[] = [];
      for (const row of rows) {
        const certification = TABLES.certifications.fromRow(row);
        if (seen.has(certification.certificationId)) continue;
        seen.add(certification.certificationId);
        out.push(certification);
      }
      return out;
    },

    async replaceFindings(findings) {
      await exec.all('DELETE FROM death_findings');
      for (let i = 0; i < findings.length; i += 20_000) {
        const rows = findings.slice(i, i + 20_000).map(findingToRow);
        await exec.transaction(insertRows('death_findings', FINDING_COLUMNS, rows));
      }
    },

    async upsertFindings(findings) {
      if (findings.length === 0) return;
      const byId = new Map(findings.map((f) => [f.beneficiaryId, f]));
      const set = FINDING_COLUMNS.slice(1)
        .map((c) => `${c} = excluded.${c}`)
        .join(', ');
      await exec.transaction(
        insertRows(
          'death_findings',
          FINDING_COLUMNS,
          [...byId.values()].map(findingToRow),
          ` ON CONFLICT (beneficiary_id) DO UPDATE SET ${set}`,
        ),
      );
    },

    async listFindings() {
      return (await exec.all('SELECT * FROM death_findings ORDER BY beneficiary_id')).map(findingFromRow);
    },

    async deleteFindings(beneficiaryIds) {
      for (const { placeholders, params } of inChunks([...new Set(beneficiaryIds)])) {
        await exec.all(`DELETE FROM death_findings WHERE beneficiary_id IN (${placeholders})`, params);
      }
    },

    async latestDecisions(beneficiaryIds) {
      const rows = await inQuery(
        (p) => `SELECT * FROM match_decisions WHERE decision_id IN (
          SELECT max(decision_id) FROM match_decisions WHERE beneficiary_id IN (${p}) GROUP BY beneficiary_id)`,
        [...new Set(beneficiaryIds)],
      );
      return new Map(rows.map((row) => [String(row.beneficiary_id), decisionFromRow(row)]));
    },

    async recordDecisions(decisions) {
      const out: Decision[] = [];
      const columns = [
        'beneficiary_id',
        'decided_at',
        'decision',
        'action',
        'reason',
        'evidence',
        'status_before',
        'status_after',
      ];
      for (let i = 0; i < decisions.length; i += ROWS_PER_INSERT) {
        const chunk = decisions.slice(i, i + ROWS_PER_INSERT);
        const rows = chunk.map((d): SqlValue[] => [
          d.beneficiaryId,
          d.decidedAt,
          d.decision,
          d.action,
          d.reason,
          JSON.stringify(d.evidence),
          d.statusBefore,
          d.statusAfter,
        ]);
        // One statement per chunk (the executor returns the rows of the last statement only).
        for (const statement of insertRows('match_decisions', columns, rows, ' RETURNING *')) {
          const returned = await exec.all(statement.sql, statement.params);
          for (const row of returned) out.push(decisionFromRow(row));
        }
      }
      // RETURNING's row order is not promised: put them back in the order given.
      const position = new Map<string, number[]>();
      decisions.forEach((d, i) => {
        const list = position.get(d.beneficiaryId) ?? [];
        list.push(i);
        position.set(d.beneficiaryId, list);
      });
      const sorted = [...out].sort((a, b) => num(a.decisionId) - num(b.decisionId));
      const result: Decision[] = new Array(decisions.length);
      for (const d of sorted) {
        const slot = position.get(d.beneficiaryId)?.shift();
        if (slot !== undefined) result[slot] = d;
      }
      return result;
    },

    async reverseDecision(decisionId, reversal: Reversal): Promise<Result<Decision>> {
      const id = Number(decisionId);
      if (!Number.isSafeInteger(id)) return fail('decision.not_found', `no decision ${decisionId}`);
      const [row] = await exec.all('SELECT * FROM match_decisions WHERE decision_id = ?', [id]);
      if (row === undefined) return fail('decision.not_found', `no decision ${decisionId}`);
      const reversed = reverseDecision(decisionFromRow(row), reversal);
      if (!reversed.ok) return reversed;
      const rows = await exec.transaction([
        {
          sql: `UPDATE match_decisions SET reversed_at = ?, reversed_by = ?, reversal_reason = ?
            WHERE decision_id = ? AND reversed_at IS NULL`,
          params: [reversal.at, reversal.by, reversal.reason, id],
        },
        {
          sql: 'UPDATE death_findings SET status_after = roll_status, updated_at = ? WHERE decision_id = ?',
          params: [reversal.at, id],
        },
        { sql: 'SELECT * FROM match_decisions WHERE decision_id = ?', params: [id] },
      ]);
      const stored = rows[0] === undefined ? undefined : decisionFromRow(rows[0]);
      if (stored?.reversal === undefined || stored.reversal.at !== reversal.at) {
        return fail('decision.already_reversed', `decision ${decisionId} was already reversed`);
      }
      return ok(stored);
    },

    async decisionHistory(beneficiaryId) {
      return (
        await exec.all('SELECT * FROM match_decisions WHERE beneficiary_id = ? ORDER BY decision_id', [
          beneficiaryId,
        ])
      ).map(decisionFromRow);
    },
  };
}

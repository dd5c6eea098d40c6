import type { AuditEntry, AuditEntryInput, AuditOutcome } from './audit-chain.js';

/**
 * The append-only, hash-chained audit log as a store keeps it. src/store implements it for SQLite and
 * PostgreSQL: `appendAudit` computes the entry's hash from the current head and writes entry and head together;
 * two writers racing for one sequence number make one of them retry.
 * @example
 * const entry = await log.appendAudit({ at: Date.now(), actor: 'li', action: 'case.open', target: 'case:C1', outcome: 'ok', detail: {} });
 */
export interface AuditLog {
  appendAudit(input: AuditEntryInput): Promise<AuditEntry>;
  /** Entries in sequence order, in batches (stored order: what `verify` must check). */
  readAuditBatches(options?: { readonly batchSize?: number }): AsyncIterable<readonly AuditEntry[]>;
  /** A page of entries, newest first (for people to read). */
  listAudit(query: {
    readonly offset: number;
    readonly limit: number;
    readonly actor?: string | undefined;
    readonly action?: string | undefined;
  }): Promise<{ readonly items: readonly AuditEntry[]; readonly total: number }>;
  /** The last sequence number and hash, as recorded beside the entries; undefined for an empty log. */
  auditHead(): Promise<{ readonly seq: number; readonly hash: string } | undefined>;
}

export type { AuditEntry, AuditEntryInput, AuditOutcome };

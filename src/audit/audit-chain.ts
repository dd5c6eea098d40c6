import { createHash } from 'node:crypto';
import type { EpochMs } from '../core/time.js';

/** What happened, as the caller records it: who did what to which target, and how it ended. */
export interface AuditEntryInput {
  readonly at: EpochMs;
  /** The user name (or `system`, `cli`); never a personal identity number. */
  readonly actor: string;
  /** A dotted verb, e.g. `case.transition`, `beneficiary.reveal`, `login`. */
  readonly action: string;
  /** What it was done to, e.g. `case:CASE-20210201-3F9A1C`; empty when nothing in particular. */
  readonly target: string;
  readonly outcome: AuditOutcome;
  /** Small structured context (masked before it is written). */
  readonly detail: Readonly<Record<string, unknown>>;
}

export const AUDIT_OUTCOMES = ['ok', 'denied', 'failed', 'pending'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** A stored entry: its place in the chain, the hash of the entry before it, and its own hash. */
export interface AuditEntry extends AuditEntryInput {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** The hash the first entry links to. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level, so that one value has exactly one text (and one hash).
 * @example canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] }) // '{"a":[true,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The hash of one entry: SHA-256 over the previous entry's hash and the entry's canonical JSON (sequence number
 * included, so that moving an entry breaks the chain as surely as editing it).
 * @example entryHash(GENESIS_HASH, { seq: 1, at: 0, actor: 'cli', action: 'users.add', target: 'user:li', outcome: 'ok', detail: {} })
 */
export function entryHash(prevHash: string, entry: AuditEntryInput & { readonly seq: number }): string {
  const body = canonicalJson({
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    outcome: entry.outcome,
    detail: entry.detail,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/** The next entry of a chain whose last entry is `head` (undefined for an empty log). */
export function chainEntry(
  head: { readonly seq: number; readonly hash: string } | undefined,
  input: AuditEntryInput,
): AuditEntry {
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  return { ...input, seq, prevHash, hash: entryHash(prevHash, { ...input, seq }) };
}

/** Where the chain first breaks, and why, in words an auditor can act on. */
export interface ChainBreak {
  /** The sequence number of the first bad entry (or of the first missing one). */
  readonly seq: number;
  readonly reason: string;
}

export interface ChainReport {
  readonly entries: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly firstBreak: ChainBreak | undefined;
}

/**
 * Walks the log in sequence order and checks every link: numbering without gaps, each entry's `prevHash` equal
 * to the hash before it, each `hash` recomputed from the entry; finally the recorded head (the last sequence
 * number and hash, kept apart from the entries) must match, so that deleting the newest entries shows too.
 * @example const report = await verifyChain(log.readAuditBatches(), await log.auditHead());
 */
export async function verifyChain(
  batches: AsyncIterable<readonly AuditEntry[]>,
  head: { readonly seq: number; readonly hash: string } | undefined,
): Promise<ChainReport> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  let firstBreak: ChainBreak | undefined;
  outer: for await (const batch of batches) {
    for (const entry of batch) {
      entries++;
      if (entry.seq !== expectedSeq) {
        firstBreak =
          entry.seq > expectedSeq
            ? { seq: expectedSeq, reason: `entry ${expectedSeq} is missing (the next one is ${entry.seq})` }
            : { seq: entry.seq, reason: `entry ${entry.seq} is out of order (expected ${expectedSeq})` };
        break outer;
      }
      if (entry.prevHash !== prevHash) {
        firstBreak = { seq: entry.seq, reason: `entry ${entry.seq} does not link to the entry before it` };
        break outer;
      }
      if (entryHash(prevHash, entry) !== entry.hash) {
        firstBreak = { seq: entry.seq, reason: `entry ${entry.seq} was changed after it was written` };
        break outer;
      }
      prevHash = entry.hash;
      expectedSeq++;
    }
  }
  const lastSeq = expectedSeq - 1;
  if (firstBreak === undefined && head !== undefined) {
    if (head.seq > lastSeq) {
      firstBreak = { seq: lastSeq + 1, reason: `entries ${lastSeq + 1} to ${head.seq} were deleted` };
    } else if (head.seq < lastSeq || head.hash !== prevHash) {
      firstBreak = { seq: head.seq, reason: `the recorded head (entry ${head.seq}) does not match the log` };
    }
  }
  if (firstBreak === undefined && head === undefined && lastSeq > 0) {
    firstBreak = { seq: lastSeq, reason: 'the log has entries but its recorded head is missing' };
  }
  return { entries, lastSeq, lastHash: prevHash, firstBreak };
}

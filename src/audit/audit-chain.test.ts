import { describe, expect, it } from 'vitest';
import { type AuditEntry, canonicalJson, chainEntry, GENESIS_HASH, verifyChain } from './audit-chain.js';

async function* once(entries: readonly AuditEntry[]) {
  yield entries;
}

function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    entries.push(
      chainEntry(entries.at(-1), {
        at: 1000 + i,
        actor: `user${i % 3}`,
        action: 'case.note',
        target: `case:C${i}`,
        outcome: 'ok',
        detail: { n: i, nested: { b: 1, a: [i] } },
      }),
    );
  }
  return entries;
}

const headOf = (entries: readonly AuditEntry[]) => {
  const last = entries.at(-1);
  return last === undefined ? undefined : { seq: last.seq, hash: last.hash };
};

describe('audit hash chain', () => {
  it('writes one text per value, keys sorted at every level', () => {
    expect(canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }], u: undefined })).toBe(
      '{"a":[true,{"c":"x","d":null}],"b":1}',
    );
  });

  it('links each entry to the one before it', () => {
    const entries = chain(3);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('verifies an intact chain', async () => {
    const entries = chain(10);
    const report = await verifyChain(once(entries), headOf(entries));
    expect(report).toMatchObject({ entries: 10, lastSeq: 10, firstBreak: undefined });
  });

  it.each([0, 4, 9])('finds an edit of entry %i', async (index) => {
    const entries = chain(10);
    const edited = entries.map((e, i) => (i === index ? { ...e, actor: 'someone-else' } : e));
    const report = await verifyChain(once(edited), headOf(entries));
    expect(report.firstBreak).toEqual({
      seq: index + 1,
      reason: `entry ${index + 1} was changed after it was written`,
    });
  });

  it('finds an edit of the detail, even with its hash recomputed (the next link breaks)', async () => {
    const entries = chain(5);
    const forged = chainEntry({ seq: 1, hash: entries[0]!.hash }, { ...entries[1]!, detail: { n: 99 } });
    const tampered = entries.map((e, i) => (i === 1 ? forged : e));
    const report = await verifyChain(once(tampered), headOf(entries));
    expect(report.firstBreak?.seq).toBe(3);
  });

  it('finds a deleted entry in the middle and at the end', async () => {
    const entries = chain(6);
    const middle = await verifyChain(once(entries.filter((_, i) => i !== 2)), headOf(entries));
    expect(middle.firstBreak).toEqual({ seq: 3, reason: 'entry 3 is missing (the next one is 4)' });
    const tail = await verifyChain(once(entries.slice(0, 4)), headOf(entries));
    expect(tail.firstBreak).toEqual({ seq: 5, reason: 'entries 5 to 6 were deleted' });
  });

  it('finds two entries swapped', async () => {
    const entries = chain(6);
    const swapped = entries.map((e, i) =>
      i === 2 ? { ...entries[3]!, seq: 3 } : i === 3 ? { ...entries[2]!, seq: 4 } : e,
    );
    const report = await verifyChain(once(swapped), headOf(entries));
    expect(report.firstBreak?.seq).toBe(3);
  });

  it('finds a log whose head was removed', async () => {
    const report = await verifyChain(once(chain(2)), undefined);
    expect(report.firstBreak?.reason).toMatch(/recorded head is missing/);
  });
});

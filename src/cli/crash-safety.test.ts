import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, tempDir } from '../testing/cli-harness.js';

const ROWS = 600_000;

async function writePayments(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('payment_id,beneficiary_id,period,paid_at,amount,bank_card\n');
  for (let i = 0; i < ROWS; i++) {
    const line = `P${i},B${i % 5000},2020-${String((i % 12) + 1).padStart(2, '0')},2020-01-15,${100 + (i % 200)}.50,\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function countPayments(db: string): number {
  let conn: Database.Database | undefined;
  try {
    conn = new Database(db, { readonly: true, fileMustExist: true });
    return (conn.prepare('SELECT count(*) AS n FROM payments').get() as { n: number }).n;
  } catch {
    // Not created, or not migrated yet.
    return 0;
  } finally {
    conn?.close();
  }
}

describe('crash safety', () => {
  it('an ingest killed mid-file (SIGKILL) leaves a consistent store, and a re-run completes it with no duplicates', async () => {
    const dir = tempDir();
    const db = join(dir, 'g.db');
    const file = join(dir, 'payments.csv');
    await writePayments(file);

    const child = spawnCli(['--db', db, 'ingest', 'payments', file]);
    let killedAt = -1;
    const deadline = Date.now() + 50_000;
    while (Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 25));
      const n = countPayments(db);
      if (n > 0) {
        child.kill('SIGKILL');
        killedAt = n;
        break;
      }
    }
    await once(child, 'exit');
    expect(killedAt).toBeGreaterThan(0);

    const conn = new Database(db);
    expect(
      (conn.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
    ).toBe('ok');
    const partial = (conn.prepare('SELECT count(*) AS n FROM payments').get() as { n: number }).n;
    conn.close();
    expect(partial).toBeLessThan(ROWS);

    const interrupted = JSON.parse((await runCli(['--db', db, 'status', '--json'])).stdout);
    expect(interrupted.loads.some((l: { status: string }) => l.status === 'running')).toBe(true);

    const rerun = await runCli(['--db', db, 'ingest', 'payments', file, '--json']);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ rows: ROWS, loaded: ROWS, quarantined: 0 });
    const check = new Database(db, { readonly: true });
    const counts = check
      .prepare('SELECT count(*) AS n, count(DISTINCT payment_id) AS d, sum(amount_fen) AS s FROM payments')
      .get() as { n: number; d: number; s: number };
    check.close();
    expect(counts.n).toBe(ROWS);
    expect(counts.d).toBe(ROWS);
    let expectedSum = 0;
    for (let i = 0; i < ROWS; i++) expectedSum += (100 + (i % 200)) * 100 + 50;
    expect(counts.s).toBe(expectedSum);
  });
});

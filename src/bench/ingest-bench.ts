import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../store/open-store.js';
import { measureInChild } from './child.js';
import { describeMachine } from './machine.js';
import type { SuiteReport } from './report.js';

/** Writes a payments.csv of `rows` rows (deterministic), reusing one already written. */
export async function generatePayments(path: string, rows: number): Promise<void> {
  if (existsSync(path) && statSync(path).size > 0) return;
  const out = createWriteStream(path);
  out.write('payment_id,beneficiary_id,period,paid_at,amount,bank_card\n');
  for (let i = 0; i < rows; i++) {
    const month = (i % 12) + 1;
    const line = `P${i},B${i % 1_000_003},2020-${month < 10 ? '0' : ''}${month},2020-${month < 10 ? '0' : ''}${month}-15,${150 + (i % 250)}.${i % 10}0,62170012${String(i % 100_000_000).padStart(10, '0')}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function postgresUp(url: string): Promise<boolean> {
  try {
    const store = await openStore(url, { schema: 'gw_bench_probe' });
    await store.close();
    return true;
  } catch {
    return false;
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Ingest of generated payments.csv files into SQLite and PostgreSQL, beside parsing the same file. */
export async function runIngestBench(options: {
  workDir: string;
  sizes: readonly number[];
  postgresUrl: string;
}): Promise<SuiteReport> {
  mkdirSync(options.workDir, { recursive: true });
  const hasPostgres = await postgresUp(options.postgresUrl);
  const rows: string[] = [
    '| rows | what | rows/s | vs parse only | peak RSS (MB) |',
    '|---:|---|---:|---:|---:|',
  ];
  for (const size of options.sizes) {
    const file = join(options.workDir, `payments-${size}.csv`);
    process.stderr.write(`bench ingest: generating ${fmt(size)} payments\n`);
    await generatePayments(file, size);
    const targets: { label: string; args: string[] }[] = [
      { label: 'read + CSV parse (baseline)', args: ['parse', file] },
      { label: 'read + parse + validate (zod on every row)', args: ['validate-zod', file] },
      { label: 'read + parse + validate as the ingest does (fast path, else zod)', args: ['validate', file] },
      { label: 'ingest into SQLite', args: ['ingest', file, join(options.workDir, `bench-${size}.db`)] },
    ];
    if (hasPostgres) {
      targets.push({
        label: 'ingest into PostgreSQL (COPY)',
        args: ['ingest', file, `${options.postgresUrl}?schema=gw_bench_${size}`],
      });
    }
    let baseline = 0;
    for (const target of targets) {
      if (target.args[0] === 'ingest' && !target.args[2]!.startsWith('postgres')) {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${target.args[2]}${suffix}`, { force: true });
      }
      process.stderr.write(`bench ingest: ${target.label}, ${fmt(size)} rows\n`);
      const m = await measureInChild('ingest-worker.js', target.args);
      const rate = Number(m.rows) / (Number(m.ms) / 1000);
      if (target.args[0] === 'parse') baseline = rate;
      rows.push(
        `| ${fmt(size)} | ${target.label} | ${fmt(rate)} | ${(rate / baseline).toFixed(2)} | ${m.peakRssMb} |`,
      );
    }
  }
  const notes = [
    '',
    'Targets (issue #2): SQLite ≥ 300,000 rows/s, PostgreSQL (COPY) ≥ 150,000 rows/s, peak RSS under 400 MB',
    'whatever the file size. Each line is a fresh process, so its peak RSS is its own; the SQLite and PostgreSQL',
    'stores start empty. PostgreSQL runs on the same machine as the loader (2 cores shared).',
    hasPostgres
      ? ''
      : `PostgreSQL was not reachable at ${options.postgresUrl}: its lines are missing from this run.`,
  ];
  return {
    suite: 'ingest',
    title: 'Ingest (payments.csv)',
    machine: describeMachine(),
    markdown: [...rows, ...notes].join('\n'),
  };
}

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { measureInChild } from './child.js';
import { describeMachine } from './machine.js';
import type { SuiteReport } from './report.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * `ghostwatch analyze` on a lean county of `size` beneficiaries in SQLite, beside a baseline that reads the same
 * tables in the same batches without analysing them. The county is generated once and reused (BENCH_REUSE=1).
 */
export async function runAnalyticsBench(options: {
  readonly workDir: string;
  readonly size: number;
  readonly reuse: boolean;
}): Promise<SuiteReport> {
  mkdirSync(options.workDir, { recursive: true });
  const db = join(options.workDir, `analytics-${options.size}.db`);
  let generated = 'reused';
  if (!options.reuse || !existsSync(db)) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
    process.stderr.write(`bench analytics: writing a lean county of ${fmt(options.size)} beneficiaries\n`);
    const g = await measureInChild('analytics-worker.js', ['generate', db, String(options.size)]);
    generated = `${fmt(Number(g.ms) / 1000)} s, ${fmt(Number(g['card-events']))} card events, ${fmt(Number(g.certifications))} certifications, ${fmt(Number(g.payments))} payments, ${fmt(Number(g.ringCards))} ring cards`;
  }
  process.stderr.write('bench analytics: baseline (read only)\n');
  const read = await measureInChild('analytics-worker.js', ['read', db]);
  process.stderr.write('bench analytics: analyze\n');
  const analyze = await measureInChild('analytics-worker.js', ['analyze', db]);
  const rows = [
    '| beneficiaries | what | time (s) | vs read only | peak RSS (MB) |',
    '|---:|---|---:|---:|---:|',
    `| ${fmt(options.size)} | read card use + histories (baseline) | ${(Number(read.ms) / 1000).toFixed(1)} | 1.00 | ${read.peakRssMb} |`,
    `| ${fmt(options.size)} | analyze (rings, anomalies, graph, handler risk, store) | ${(Number(analyze.ms) / 1000).toFixed(1)} | ${(Number(analyze.ms) / Number(read.ms)).toFixed(2)} | ${analyze.peakRssMb} |`,
  ];
  const notes = [
    '',
    `County: generated straight into SQLite by src/bench/analytics-county.ts (${generated}): the roll, two years`,
    'of certifications, reactivations, card changes, exact-ID death records, three months of payments, six months',
    'of card use, and a ring of 0.5 % of the roll swept monthly at three ATMs at night. The simulator would take',
    "minutes and ~10 GB at this size; this county keeps the shapes analyze reads, not the simulator's detail.",
    `Found: ${analyze.rings} ring(s) with ${fmt(Number(analyze.ringCards))} cards, ${analyze.significant} significant handlers (top: ${analyze.top}),`,
    `${fmt(Number(analyze.anomalies))} anomalies, an entity graph of ${fmt(Number(analyze.graphNodes))} nodes. Each line is a fresh process.`,
  ];
  return {
    suite: 'analytics',
    title: 'Analytics (ghostwatch analyze)',
    machine: describeMachine(),
    markdown: [...rows, ...notes].join('\n'),
  };
}

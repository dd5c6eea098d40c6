import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REGION_NAME_MAX_BLOCK } from '../linkage/china-preset.js';
import { measureInChild } from './child.js';
import { describeMachine } from './machine.js';
import type { SuiteReport } from './report.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export interface LinkageBenchOptions {
  readonly workDir: string;
  /** Roll and death records for the pairs/s lines. */
  readonly pairsSize: number;
  /** Roll × death records end to end (issue #4: 1M × 1M). */
  readonly endToEnd: number;
  /** Roll of the stored index for the incremental line (issue #4: 10M). */
  readonly incrementalRoll: number;
  readonly queries: number;
  /** Keep a built store between runs (the 10M index takes minutes to build). */
  readonly reuseStore: boolean;
}

/** Linkage: pairs/s on one thread and on worker threads, the batch end to end, one match on arrival. */
export async function runLinkageBench(options: LinkageBenchOptions): Promise<SuiteReport> {
  mkdirSync(options.workDir, { recursive: true });
  const threads = Math.max(2, Math.min(4, (await import('node:os')).cpus().length));
  const lines = ['| what | size | result | peak RSS (MB) |', '|---|---:|---|---:|'];
  const log = (text: string) => process.stderr.write(`bench linkage: ${text}\n`);

  log(`pairs/s, one thread, ${fmt(options.pairsSize)} × ${fmt(options.pairsSize)}`);
  const single = await measureInChild('linkage-worker.js', [
    'pairs',
    String(options.pairsSize),
    String(options.pairsSize),
    '1',
  ]);
  log(`pairs/s, ${threads} worker threads`);
  const parallel = await measureInChild('linkage-worker.js', [
    'pairs',
    String(options.pairsSize),
    String(options.pairsSize),
    String(threads),
  ]);
  const size = `${fmt(options.pairsSize)} × ${fmt(options.pairsSize)}`;
  lines.push(
    `| candidate pairs compared + scored, 1 thread (baseline) | ${size} | ${fmt(Number(single.pairsPerSecond))} pairs/s (${fmt(Number(single.candidatePairs))} pairs; set-up: normalise, encode, block ${(Number(single.setupMs) / 1000).toFixed(1)} s) | ${single.peakRssMb} |`,
    `| the same on ${threads} worker threads | ${size} | ${fmt(Number(parallel.pairsPerSecond))} pairs/s (×${(Number(parallel.pairsPerSecond) / Number(single.pairsPerSecond)).toFixed(2)}) | ${parallel.peakRssMb} |`,
  );

  log(`end to end ${fmt(options.endToEnd)} × ${fmt(options.endToEnd)}`);
  const e2e = await measureInChild('linkage-worker.js', [
    'e2e',
    String(options.endToEnd),
    String(options.endToEnd),
    String(threads),
  ]);
  lines.push(
    `| batch match end to end in memory (normalise → fuse), comparison on ${threads} worker threads | ${fmt(options.endToEnd)} × ${fmt(options.endToEnd)} | ${(Number(e2e.ms) / 1000).toFixed(1)} s; ${fmt(Number(e2e.candidatePairs))} pairs, ${fmt(Number(e2e.links))} links; stages (ms) ${String(e2e.timings).replace(/[{}"]/g, '').replace(/,/g, ', ')} | ${e2e.peakRssMb} |`,
  );

  // BENCH_LINKAGE_ROLL_DB: a stored roll index built earlier (the 10M one takes over half an hour to build).
  const db =
    process.env.BENCH_LINKAGE_ROLL_DB ?? join(options.workDir, `linkage-roll-${options.incrementalRoll}.db`);
  if (!options.reuseStore && process.env.BENCH_LINKAGE_ROLL_DB === undefined)
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  log(`incremental against a stored roll of ${fmt(options.incrementalRoll)} (building it if needed)`);
  const inc = await measureInChild('linkage-worker.js', [
    'incremental',
    String(options.incrementalRoll),
    db,
    String(options.queries),
  ]);
  lines.push(
    `| one death record matched on arrival (SQLite, stored keys, candidate rows + model, link + finding + decision written) | roll ${fmt(options.incrementalRoll)} | p50 ${Number(inc.p50).toFixed(2)} ms, p99 ${Number(inc.p99).toFixed(2)} ms over ${inc.queries} arrivals (CPU time p50 ${Number(inc.cpuP50).toFixed(2)} ms, p99 ${Number(inc.cpuP99).toFixed(2)} ms; ${Number(inc.candidatesPerArrival).toFixed(0)} candidates per arrival; mean ms per step ${String(inc.steps).replace(/[{}"]/g, '').replace(/,/g, ', ')})${Number(inc.buildMs) > 0 ? `; index built in ${(Number(inc.buildMs) / 1000).toFixed(0)} s` : ''} | ${inc.peakRssMb} |`,
  );
  const notes = [
    '',
    'Targets (issue #4): ≥ 2M candidate pairs/s on both cores (Splink on DuckDB: ~1M pairs/s on 8 vCPU); 1M × 1M end',
    'to end ≤ 60 s; one incremental match against a 10M roll p99 ≤ 5 ms. Synthetic inputs generated in memory',
    "(src/bench/linkage-data.ts: names with a county's collisions, 20 % of death records noisy copies of beneficiaries,",
    'the rest strangers). Pairs/s times comparison + scoring of blocked pairs (normalisation and blocking are set-up);',
    'the main thread normalises, encodes both sides into integer columns (interned names, ID characters, packed dates)',
    'and blocks by sorted key hashes; the workers read the columns and the candidate pairs from SharedArrayBuffers',
    'and compare + score in one pass (levels into a small buffer, weights from tables, term frequency per name id;',
    'birth dates two years apart settled without calendar arithmetic; name and address levels cached per id pair).',
    'End to end, the workers compare the candidate pairs into pattern keys (shared memory) while the main thread',
    'normalises, blocks, trains and scores.',
    `The "region + name" rule skips blocks above ${REGION_NAME_MAX_BLOCK} beneficiaries (roll-wide), in batch and`,
    'incremental alike. Each line is a fresh process, so its peak RSS is its own.',
  ];
  return {
    suite: 'linkage',
    title: 'Linkage (death matching)',
    machine: describeMachine(),
    markdown: [...lines, ...notes].join('\n'),
  };
}

import { fileURLToPath } from 'node:url';
import { runAnalyticsBench } from './analytics-bench.js';
import { runApiBench } from './api-bench.js';
import { runIngestBench } from './ingest-bench.js';
import { runLinkageBench } from './linkage-bench.js';
import { runMonitorBench } from './monitor-bench.js';
import { writeReport } from './report.js';
import { runWebBench } from './web-bench.js';

/**
 * `npm run bench [-- SUITE…]`: runs the benchmark suites and rewrites docs/benchmarks.md.
 * BENCH_QUICK=1 uses small sizes (a smoke run); the figures in docs/ come from full runs.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = `${ROOT}docs`;
const WORK = `${ROOT}.bench`;
const quick = process.env.BENCH_QUICK === '1';
const postgresUrl = process.env.GHOSTWATCH_BENCH_PG ?? 'postgres://127.0.0.1:5432/test';
const natsUrl = process.env.GHOSTWATCH_BENCH_NATS ?? 'nats://127.0.0.1:4222';

const SUITES: Record<string, () => Promise<void>> = {
  analytics: async () => {
    writeReport(
      DOCS,
      await runAnalyticsBench({
        workDir: WORK,
        size: quick ? 50_000 : 1_000_000,
        reuse: process.env.BENCH_REUSE === '1',
      }),
    );
  },
  api: async () => {
    writeReport(
      DOCS,
      await runApiBench({
        workDir: WORK,
        events: quick ? 20_000 : 200_000,
        batchSize: 1000,
        concurrency: 4,
        postgresUrl,
      }),
    );
  },
  ingest: async () => {
    const sizes = quick ? [100_000] : [1_000_000, 10_000_000];
    writeReport(DOCS, await runIngestBench({ workDir: WORK, sizes, postgresUrl }));
  },
  monitor: async () => {
    const events = quick ? 1_000_000 : 10_000_000;
    const natsSeconds = quick ? 10 : 30;
    writeReport(
      DOCS,
      await runMonitorBench({ workDir: WORK, events, natsUrl, natsRate: 20_000, natsSeconds }),
    );
  },
  linkage: async () => {
    const report = await runLinkageBench({
      workDir: WORK,
      pairsSize: quick ? 50_000 : 1_000_000,
      endToEnd: quick ? 50_000 : 1_000_000,
      incrementalRoll: quick ? 100_000 : 10_000_000,
      queries: quick ? 200 : 2000,
      reuseStore: process.env.BENCH_REUSE === '1',
    });
    writeReport(DOCS, report);
  },
  web: async () => {
    const size = Number(process.env.BENCH_WEB_SIZE ?? (quick ? 2000 : 50_000));
    const runs = quick ? 1 : 5;
    const built = await runWebBench({
      workDir: WORK,
      size,
      runs,
      reuseStore: process.env.BENCH_REUSE === '1',
    });
    // BENCH_WEB_DB: also measure over an existing large store (e.g. the analytics suite's 1M-beneficiary county).
    const existing = process.env.BENCH_WEB_DB;
    const large =
      existing === undefined
        ? undefined
        : await runWebBench({
            workDir: WORK,
            size: 0,
            runs,
            reuseStore: true,
            existingDb: existing,
            ...(process.env.BENCH_WEB_DB_NOTE === undefined ? {} : { note: process.env.BENCH_WEB_DB_NOTE }),
          });
    writeReport(
      DOCS,
      large === undefined ? built : { ...built, markdown: `${built.markdown}\n\n${large.markdown}` },
    );
  },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in SUITES));
if (unknown.length > 0) {
  process.stderr.write(
    `ghostwatch bench: unknown suite ${unknown.join(', ')}; suites: ${Object.keys(SUITES).join(', ')}\n`,
  );
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(SUITES)) {
  process.stderr.write(`ghostwatch bench: ${name}\n`);
  await SUITES[name]!();
}
process.stderr.write(`ghostwatch bench: figures written to ${DOCS}/benchmarks.md\n`);

import { fileURLToPath } from 'node:url';
import { runIngestBench } from './ingest-bench.js';
import { writeReport } from './report.js';

/**
 * `npm run bench [-- SUITE…]`: runs the benchmark suites and rewrites docs/benchmarks.md.
 * BENCH_QUICK=1 uses small sizes (a smoke run); the figures in docs/ come from full runs.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = `${ROOT}docs`;
const WORK = `${ROOT}.bench`;
const quick = process.env.BENCH_QUICK === '1';
const postgresUrl = process.env.GHOSTWATCH_BENCH_PG ?? 'postgres://127.0.0.1:5432/test';

const SUITES: Record<string, () => Promise<void>> = {
  ingest: async () => {
    const sizes = quick ? [100_000] : [1_000_000, 10_000_000];
    writeReport(DOCS, await runIngestBench({ workDir: WORK, sizes, postgresUrl }));
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

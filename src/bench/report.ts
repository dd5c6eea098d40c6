import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine.js';

/** One benchmark suite's figures: a markdown section and the machine it ran on. */
export interface SuiteReport {
  readonly suite: string;
  readonly title: string;
  readonly machine: MachineInfo;
  readonly markdown: string;
}

/**
 * Keeps each suite's latest report in docs/bench-results/SUITE.json and rewrites docs/benchmarks.md from all of
 * them, so that running one suite does not erase the others' figures.
 */
export function writeReport(docsDir: string, report: SuiteReport): void {
  const resultsDir = join(docsDir, 'bench-results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${report.suite}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const reports = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as SuiteReport);
  const sections = reports.map((r) => {
    const m = r.machine;
    return [
      `## ${r.title}`,
      '',
      `_Measured ${m.date} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (\`npm run bench -- ${r.suite}\`)._`,
      '',
      r.markdown.trim(),
      '',
    ].join('\n');
  });
  const header = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (all suites) or `npm run bench -- SUITE`. Every figure sits beside a baseline',
    'measured in the same run on the same machine: the ratio holds on a noisy machine, an absolute time does not.',
    'Tests never assert a duration; these figures are measured here, not promised.',
    '',
  ].join('\n');
  writeFileSync(join(docsDir, 'benchmarks.md'), `${header}\n${sections.join('\n')}`);
}

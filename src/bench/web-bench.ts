import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describeMachine } from './machine.js';
import type { SuiteReport } from './report.js';
import { buildCounty, CHROMIUM, CHROMIUM_ARGS, type HarnessUser, REPO_ROOT } from './web-harness.js';
import { figureRows, type PageFigures } from './web-pages.js';

/**
 * Opens Chromium (playwright-core driving the system's browser) with a fresh profile.
 * @example const { context, close } = await launchChromium(); const page = await context.newPage();
 */
export async function launchChromium(): Promise<{
  readonly context: BrowserContext;
  close(): Promise<void>;
}> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'ghostwatch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1366, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form and waits for the overview. */
export async function signIn(page: Page, url: string, user: HarnessUser): Promise<void> {
  await page.goto(`${url}/#/`);
  await page.locator('input[name="name"]').fill(user.name);
  await page.locator('input[name="password"]').fill(user.password);
  await page.locator('form button[type="submit"]').click();
  await page.locator('section.page[data-ready="true"]').waitFor({ timeout: 120_000 });
}

/** Waits until the page at `hash` (as the dashboard writes it, e.g. `#/suspects/B1`) shows its data. */
export async function waitForPage(page: Page, hash: string, timeout = 60_000): Promise<void> {
  await page.locator(`[data-route="${hash}"] section.page[data-ready="true"]`).waitFor({ timeout });
}

/**
 * What the e2e suite's page walk writes when GHOSTWATCH_E2E_TIMINGS names a file: the medians per page, the
 * detail pages the store had nothing for, and the size of the store.
 */
export interface E2eTimings {
  readonly figures: readonly PageFigures[];
  readonly missing: readonly string[];
  readonly rows: Readonly<Record<string, number>>;
  readonly findings: { readonly suspects: number; readonly alerts: number; readonly cases: number };
}

/** The environment that points the e2e suite at a prepared store and asks for its page timings. */
export const E2E_ENV = {
  /** A SQLite store to serve instead of building the small county. */
  db: 'GHOSTWATCH_E2E_DB',
  /** Loads per page in the first-paint walk (median kept). */
  runs: 'GHOSTWATCH_E2E_RUNS',
  /** Where the first-paint walk writes its figures (JSON, E2eTimings). */
  timings: 'GHOSTWATCH_E2E_TIMINGS',
} as const;

/**
 * Runs the dashboard's e2e suite (vitest, src/web/e2e) over `dbPath` and returns its page walk's timings and
 * the tail of its output. The suite is the one `npx vitest run src/web` runs; only its store differs.
 */
export async function runE2eOver(options: {
  readonly dbPath: string;
  readonly runs: number;
  readonly log?: (text: string) => void;
}): Promise<{ readonly timings: E2eTimings | undefined; readonly passed: boolean; readonly output: string }> {
  const out = mkdtempSync(join(tmpdir(), 'ghostwatch-e2e-timings-'));
  const timingsFile = join(out, 'timings.json');
  const vitest = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(process.execPath, [vitest, 'run', 'src/web/e2e/dashboard.test.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      [E2E_ENV.db]: options.dbPath,
      [E2E_ENV.runs]: String(options.runs),
      [E2E_ENV.timings]: timingsFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    options.log?.(chunk.toString());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const timings = existsSync(timingsFile)
    ? (JSON.parse(readFileSync(timingsFile, 'utf8')) as E2eTimings)
    : undefined;
  rmSync(out, { recursive: true, force: true });
  return { timings, passed: code === 0, output: output.split('\n').slice(-40).join('\n') };
}

const count = (n: number | undefined) => (n ?? 0).toLocaleString('en-US');

/**
 * The `web` suite: a county of `size` beneficiaries run through the whole pipeline (or an existing store), and
 * the dashboard's e2e suite run over it in Chromium; its page walk loads every page (lists and the detail pages
 * of a finding, a ring alert with its graph, and a case) `runs` times from scratch and keeps the medians.
 */
export async function runWebBench(options: {
  readonly workDir: string;
  readonly size: number;
  readonly runs: number;
  readonly reuseStore: boolean;
  /** Measure over this existing store instead of building a county (its origin is stated in `note`). */
  readonly existingDb?: string;
  readonly note?: string;
}): Promise<SuiteReport> {
  const workDir = join(options.workDir, `web-${options.size}`);
  mkdirSync(workDir, { recursive: true });
  const logFile = join(workDir, 'bench.log');
  const log = (text: string) => appendFileSync(logFile, text);
  log(`\n== ${new Date().toISOString()} web bench, size ${options.size}\n`);
  const started = Date.now();
  const county =
    options.existingDb === undefined
      ? await buildCounty({
          size: options.size,
          workDir,
          reuse: options.reuseStore,
          progress: log,
          inChild: true,
        })
      : { dbPath: options.existingDb, reused: true };
  const buildSeconds = (Date.now() - started) / 1000;
  log(
    `== store ready (${county.reused ? 'reused' : `built in ${buildSeconds.toFixed(0)} s`}): running e2e\n`,
  );
  const e2e = await runE2eOver({ dbPath: county.dbPath, runs: options.runs, log });
  if (e2e.timings === undefined) {
    throw new Error(`the dashboard e2e run wrote no timings (see ${logFile}):\n${e2e.output}`);
  }
  const { figures, missing, rows, findings } = e2e.timings;
  const origin =
    options.existingDb !== undefined
      ? `${options.note ?? 'An existing store'}`
      : `run through the demo's pipeline (simulate → ingest → match → monitor → analyze → cases${county.reused ? '; store reused' : `; built in ${buildSeconds.toFixed(0)} s`})`;
  const markdown = [
    `A simulated county of ${count(rows.beneficiaries)} beneficiaries (${count(rows.payments)} payments, ${count(rows['card-events'])} card events, ${count(findings.suspects)} findings, ${count(findings.alerts)} alerts, ${count(findings.cases)} cases) ${origin}, served by the real server on loopback. The dashboard's e2e suite (\`src/web/e2e\`) ran over it${e2e.passed ? ' and passed' : ' and FAILED (see the bench log)'}; its page walk (\`src/bench/web-pages.ts\`) loaded each page from scratch in headless Chromium ${options.runs} time(s) (median), the detail pages being the largest finding, the strongest ring alert and the newest case.`,
    "First paint and first contentful paint come from `performance.getEntriesByType('paint')`; \"data shown\" is the page's `performance.now()` on the first animation frame where it marks its data as rendered (`data-ready`) and has drawn its chart or graph.",
    ...(missing.length === 0 ? [] : [`Not measured (nothing to show in this store): ${missing.join(', ')}.`]),
    "The rules page shows the rule set and the stored alerts by month and rule; its back-test (the rules replayed over a year of stored events, in the request) runs only when asked for, so it is not part of the page's data.",
    `Reproduce: \`BENCH_WEB_SIZE=${options.size} BENCH_REUSE=1 npm run bench -- web\` (builds \`.bench/web-${options.size}\` once through the demo's pipeline, progress in its \`bench.log\`, and reuses it after); or \`GHOSTWATCH_E2E_DB=.bench/web-${options.size}/ghostwatch.db GHOSTWATCH_E2E_RUNS=5 npx vitest run src/web/e2e\` to run the e2e suite and its page walk over it directly.`,
    '',
    '| page | first paint | first contentful paint | data shown |',
    '|---|---|---|---|',
    ...figureRows(figures),
  ].join('\n');
  log(`${markdown}\n`);
  return { suite: 'web', title: 'Dashboard: first paint of each page', machine: describeMachine(), markdown };
}

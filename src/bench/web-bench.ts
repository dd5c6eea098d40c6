import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describeMachine } from './machine.js';
import type { SuiteReport } from './report.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  type HarnessUser,
  PAINT_SCRIPT,
  type PaintTimes,
  startDashboardServer,
} from './web-harness.js';

/** The dashboard's pages as the benchmark and the e2e tests visit them (the hash each is at). */
export const DASHBOARD_PAGES: readonly { readonly name: string; readonly hash: string }[] = [
  { name: 'overview', hash: '#/' },
  { name: 'suspects', hash: '#/suspects' },
  { name: 'alerts', hash: '#/alerts' },
  { name: 'network', hash: '#/network' },
  { name: 'handlers', hash: '#/handlers' },
  { name: 'cases', hash: '#/cases' },
  { name: 'rules', hash: '#/rules' },
  { name: 'data-quality', hash: '#/data-quality' },
];

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
  await page.locator('section.page[data-ready="true"]').waitFor({ timeout: 60_000 });
}

/** Waits until the page at `hash` (as the dashboard writes it, e.g. `#/suspects/B1`) shows its data. */
export async function waitForPage(page: Page, hash: string, timeout = 60_000): Promise<void> {
  await page.locator(`[data-route="${hash}"] section.page[data-ready="true"]`).waitFor({ timeout });
}

/**
 * Loads a page from scratch (a new document, so the browser records its paints) and waits for its data.
 * @example const t = await loadPage(page, url, '#/suspects'); t.firstContentfulPaintMs
 */
export async function loadPage(page: Page, url: string, hash: string): Promise<PaintTimes> {
  await page.goto('about:blank');
  await page.goto(`${url}/${hash}`);
  await waitForPage(page, hash, 120_000);
  return (await page.evaluate(PAINT_SCRIPT)) as PaintTimes;
}

const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${Math.round(value)} ms`);

/**
 * The `web` suite: a county of `size` beneficiaries through the whole pipeline, served, and each page loaded
 * from scratch in Chromium `runs` times; the median first paint, first contentful paint and time to data.
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
  mkdirSync(options.workDir, { recursive: true });
  const workDir = join(options.workDir, `web-${options.size}`);
  mkdirSync(workDir, { recursive: true });
  const built = Date.now();
  const server = await startDashboardServer({
    size: options.size,
    workDir,
    reuse: options.reuseStore,
    ...(options.existingDb === undefined ? {} : { existingDb: options.existingDb }),
  });
  const buildSeconds = (Date.now() - built) / 1000;
  const rows = await server.store.status();
  const browser = await launchChromium();
  const lines: string[] = [];
  try {
    const page = await browser.context.newPage();
    // A supervisor may read every page (investigators may not list quarantined rows).
    await signIn(page, server.url, server.users.supervisor);
    for (const target of DASHBOARD_PAGES) {
      const samples: PaintTimes[] = [];
      for (let i = 0; i < options.runs; i++) samples.push(await loadPage(page, server.url, target.hash));
      const median = (pick: (t: PaintTimes) => number | undefined) => {
        const values = samples
          .map(pick)
          .filter((v): v is number => v !== undefined)
          .sort((a, b) => a - b);
        return values.length === 0 ? undefined : values[Math.floor(values.length / 2)];
      };
      lines.push(
        `| ${target.name} | ${ms(median((t) => t.firstPaintMs))} | ${ms(median((t) => t.firstContentfulPaintMs))} | ${ms(median((t) => t.dataShownMs))} |`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const origin =
    options.existingDb !== undefined
      ? `${options.note ?? 'An existing store'}`
      : `run through the demo's pipeline (simulate → ingest → match → monitor → analyze → cases${options.reuseStore ? '; store reused' : `; ${buildSeconds.toFixed(0)} s`})`;
  const markdown = [
    `A simulated county of ${rows.rows.beneficiaries.toLocaleString('en-US')} beneficiaries (${rows.rows.payments.toLocaleString('en-US')} payments, ${rows.rows['card-events'].toLocaleString('en-US')} card events) ${origin}, served by the real server on loopback, each page loaded from scratch in headless Chromium ${options.runs} times (median).`,
    'First paint and first contentful paint come from `performance.getEntriesByType(\'paint\')`; "data shown" is `performance.now()` when the page marks its data as rendered (`data-ready`).',
    '',
    '| page | first paint | first contentful paint | data shown |',
    '|---|---|---|---|',
    ...lines,
  ].join('\n');
  return { suite: 'web', title: 'Dashboard: first paint of each page', machine: describeMachine(), markdown };
}

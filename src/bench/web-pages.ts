import type { Page } from 'playwright-core';
import { PAINT_SCRIPT, type PaintTimes } from './web-harness.js';

/**
 * The dashboard's page walk, shared by the e2e tests (src/web/e2e) and the `web` benchmark: which pages there
 * are, how each is addressed, and what must be on screen before its data counts as shown. The benchmark runs
 * the e2e suite, so the figures in docs/benchmarks.md are the ones this walk measures there.
 */

export interface DashboardPageTarget {
  readonly name: string;
  /** The hash as the dashboard writes it (`#/suspects/B1`); its wrapper carries `data-route` = this hash. */
  readonly hash: string;
  /** What must also be drawn before the data counts as shown (a chart's svg, a graph's canvas). */
  readonly drawn?: string;
}

/** The list pages (their address needs no data). */
export const LIST_PAGES: readonly DashboardPageTarget[] = [
  { name: 'overview', hash: '#/', drawn: '[data-testid="trend-chart"] svg' },
  { name: 'suspects', hash: '#/suspects' },
  { name: 'alerts', hash: '#/alerts' },
  { name: 'network', hash: '#/network', drawn: '[data-testid="ring-graph"] canvas' },
  { name: 'handlers', hash: '#/handlers' },
  { name: 'cases', hash: '#/cases' },
  { name: 'rules', hash: '#/rules', drawn: '[data-testid="alert-months-chart"] svg' },
  { name: 'data-quality', hash: '#/data-quality' },
];

/** The detail pages of a store: the largest finding, the strongest ring alert (with its graph), the newest case. */
export interface DetailPages {
  readonly pages: readonly DashboardPageTarget[];
  /** The detail pages this store has nothing for (e.g. no alert raised), with why. */
  readonly missing: readonly string[];
}

interface Listed<T> {
  readonly items: readonly T[];
}

async function apiGet<T>(page: Page, path: string): Promise<T> {
  return (await page.evaluate(async (p) => {
    const response = await fetch(p, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`GET ${p}: ${response.status}`);
    return response.json();
  }, path)) as T;
}

/**
 * Picks the detail pages from the store through the API (the page must be signed in).
 * @example const { pages } = await detailPages(page); // suspect, alert, case
 */
export async function detailPages(page: Page): Promise<DetailPages> {
  const [suspects, alerts, cases] = await Promise.all([
    apiGet<Listed<{ beneficiaryId: string }>>(page, '/api/suspects?sort=overpaid&order=desc&limit=1'),
    apiGet<Listed<{ alertId: string; entityType: string }>>(
      page,
      '/api/alerts?sort=score&order=desc&limit=500',
    ),
    apiGet<Listed<{ caseId: string }>>(page, '/api/cases?sort=opened_at&order=desc&limit=1'),
  ]);
  const pages: DashboardPageTarget[] = [];
  const missing: string[] = [];
  const suspect = suspects.items[0];
  if (suspect === undefined) missing.push('suspect (no finding stored)');
  else
    pages.push({
      name: 'suspect',
      hash: `#/suspects/${encodeURIComponent(suspect.beneficiaryId)}`,
      drawn: '[data-testid="waterfall"] svg',
    });
  const alert = alerts.items.find((a) => a.entityType === 'ring') ?? alerts.items[0];
  if (alert === undefined) missing.push('alert (no alert stored)');
  else
    pages.push({
      name: alert.entityType === 'ring' ? 'alert (ring, with graph)' : 'alert (with graph)',
      hash: `#/alerts/${encodeURIComponent(alert.alertId)}`,
      drawn: '[data-testid="ring-graph"] canvas',
    });
  const opened = cases.items[0];
  if (opened === undefined) missing.push('case (no case opened)');
  else pages.push({ name: 'case', hash: `#/cases/${encodeURIComponent(opened.caseId)}` });
  return { pages, missing };
}

/** Waits until the page at `target.hash` marks its data as shown and has drawn what it draws. */
export async function waitForShown(
  page: Page,
  target: DashboardPageTarget,
  timeout = 60_000,
): Promise<number> {
  const ready = `[data-route="${target.hash}"] section.page[data-ready="true"]`;
  const selectors = target.drawn === undefined ? [ready] : [ready, `${ready} ${target.drawn}`];
  // Checked in the page on every animation frame, so "data shown" is the page's own clock, not the driver's.
  const handle = await page.waitForFunction(
    `${JSON.stringify(selectors)}.every((s) => document.querySelector(s) !== null) ? performance.now() : false`,
    undefined,
    { polling: 'raf', timeout },
  );
  const shownAt = (await handle.jsonValue()) as number;
  // A page that is "ready" because it shows an error has not shown its data.
  const failed = await page.locator(`[data-route="${target.hash}"] .message.error`).allTextContents();
  if (failed.length > 0)
    throw new Error(`${target.name} (${target.hash}) shows an error: ${failed.join(' | ')}`);
  return shownAt;
}

/**
 * Loads a page from scratch (a new document, so the browser records its paints) and waits for its data.
 * @example const t = await loadPage(page, url, LIST_PAGES[1]!); t.firstContentfulPaintMs
 */
export async function loadPage(page: Page, url: string, target: DashboardPageTarget): Promise<PaintTimes> {
  await page.goto('about:blank');
  await page.goto(`${url}/${target.hash}`);
  const dataShownMs = await waitForShown(page, target, 120_000);
  const paints = (await page.evaluate(PAINT_SCRIPT)) as Omit<PaintTimes, 'dataShownMs'>;
  return {
    firstPaintMs: paints.firstPaintMs,
    firstContentfulPaintMs: paints.firstContentfulPaintMs,
    dataShownMs,
  };
}

/** The median of each figure over `runs` loads of every page. */
export interface PageFigures {
  readonly name: string;
  readonly hash: string;
  readonly firstPaintMs: number | undefined;
  readonly firstContentfulPaintMs: number | undefined;
  readonly dataShownMs: number;
  readonly runs: number;
}

const median = (values: readonly (number | undefined)[]): number | undefined => {
  const known = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  return known.length === 0 ? undefined : known[Math.floor(known.length / 2)];
};

/**
 * Loads each page `runs` times from scratch and keeps the medians.
 * @example const figures = await measurePages(page, url, [...LIST_PAGES, ...details.pages], 5);
 */
export async function measurePages(
  page: Page,
  url: string,
  targets: readonly DashboardPageTarget[],
  runs: number,
): Promise<PageFigures[]> {
  const figures: PageFigures[] = [];
  for (const target of targets) {
    const samples: PaintTimes[] = [];
    for (let i = 0; i < runs; i++) samples.push(await loadPage(page, url, target));
    figures.push({
      name: target.name,
      hash: target.hash,
      firstPaintMs: median(samples.map((t) => t.firstPaintMs)),
      firstContentfulPaintMs: median(samples.map((t) => t.firstContentfulPaintMs)),
      dataShownMs: median(samples.map((t) => t.dataShownMs)) ?? Number.NaN,
      runs,
    });
  }
  return figures;
}

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? 'n/a' : `${Math.round(value)} ms`;

/** The figures as the rows of a markdown table (page | first paint | first contentful paint | data shown). */
export function figureRows(figures: readonly PageFigures[]): string[] {
  return figures.map(
    (f) => `| ${f.name} | ${ms(f.firstPaintMs)} | ${ms(f.firstContentfulPaintMs)} | ${ms(f.dataShownMs)} |`,
  );
}

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.js';
import { silentLogger } from '../api/logger.js';
import { createAuthService } from '../auth/auth-service.js';
import type { Role } from '../auth/roles.js';
import { main } from '../cli/main.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

/**
 * What the dashboard's end-to-end tests and the `web` benchmark share: a simulated county run through the
 * demo's pipeline into a store, the real HTTP server (API and built dashboard) on a free loopback port, users
 * with known passwords, and Debian's Chromium driven by playwright-core.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built dashboard (npm run build:web). */
export const WEB_ROOT = join(REPO_ROOT, 'dist', 'web');
export const CHROMIUM = process.env.GHOSTWATCH_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

export interface HarnessUser {
  readonly name: string;
  readonly password: string;
  readonly role: Role;
  readonly unit: string;
}

export interface DashboardServer {
  readonly url: string;
  readonly dbPath: string;
  readonly countyDir: string;
  readonly store: Store;
  readonly users: {
    readonly supervisor: HarnessUser;
    readonly investigator: HarnessUser;
    readonly analyst: HarnessUser;
  };
  /** What the demo printed while building the county. */
  readonly demoOutput: string;
  close(): Promise<void>;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Collects what is written and passes it on to `progress` as it comes (a log file of a long build). */
class Tee extends Collect {
  constructor(private readonly progress: (text: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, encoding: string, done: () => void): void {
    this.progress(chunk.toString());
    super._write(chunk, encoding, done);
  }
}

/** Runs the CLI in process (the same code `ghostwatch` runs); throws with its stderr when it fails. */
export async function runGhostwatch(
  args: readonly string[],
  progress?: (text: string) => void,
): Promise<string> {
  const stdout = progress === undefined ? new Collect() : new Tee(progress);
  const stderr = new Collect();
  const code = await main(args, { io: { stdout, stderr } });
  if (code !== 0) throw new Error(`ghostwatch ${args.join(' ')} exited ${code}: ${stderr.text}`);
  return stdout.text;
}

/** Runs `bin/ghostwatch.js ARGS` in a child process; throws with its stderr when it fails. */
async function runBin(args: readonly string[], progress?: (text: string) => void): Promise<string> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'ghostwatch.js'), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    progress?.(chunk.toString());
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`ghostwatch ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return stdout;
}

/**
 * Builds a county of `size` beneficiaries through the demo's pipeline (simulate → ingest → match → monitor →
 * analyze → cases) into `workDir/ghostwatch.db`, unless `reuse` is set and the store is already there.
 * `progress` receives the demo's step lines as they come (a build at 1M takes a long while).
 * @example const { dbPath } = await buildCounty({ size: 200_000, workDir: '.bench/web-200000', reuse: true });
 */
export async function buildCounty(options: {
  readonly size: number;
  readonly workDir: string;
  readonly seed?: number;
  readonly reuse?: boolean;
  readonly progress?: (text: string) => void;
  /**
   * Run the demo as `bin/ghostwatch.js` in a child process (compiled code, with the heap a 1M county needs: see the
   * README, "Memory") rather than in this process.
   */
  readonly inChild?: boolean;
}): Promise<{ readonly dbPath: string; readonly demoOutput: string; readonly reused: boolean }> {
  const dbPath = join(options.workDir, 'ghostwatch.db');
  // Written once the whole pipeline has run: an interrupted build is never reused.
  const builtMark = `${dbPath}.built`;
  if (options.reuse === true && existsSync(dbPath) && existsSync(builtMark))
    return { dbPath, demoOutput: '', reused: true };
  rmSync(dbPath, { force: true });
  rmSync(`${dbPath}-wal`, { force: true });
  rmSync(`${dbPath}-shm`, { force: true });
  const args = [
    '--db',
    dbPath,
    'demo',
    '--no-serve',
    '--size',
    String(options.size),
    '--seed',
    String(options.seed ?? 2021),
    '--out',
    join(options.workDir, 'county'),
  ];
  const demoOutput =
    options.inChild === true
      ? await runBin(args, options.progress)
      : await runGhostwatch(args, options.progress);
  writeFileSync(builtMark, `${JSON.stringify({ size: options.size, builtAt: new Date().toISOString() })}\n`);
  return { dbPath, demoOutput, reused: false };
}

/**
 * Builds a county through the demo's pipeline (see buildCounty) unless the store already holds one, or takes an
 * existing store, then serves it.
 * @example const server = await startDashboardServer({ size: 1500 }); … await server.close();
 */
export async function startDashboardServer(options: {
  readonly size: number;
  readonly seed?: number;
  readonly workDir?: string;
  /** Reuse the store in workDir when it exists (benchmarks on a large county built once). */
  readonly reuse?: boolean;
  /** Serve this SQLite store as it is instead of building a county (users are added to it). */
  readonly existingDb?: string;
}): Promise<DashboardServer> {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) {
    throw new Error(`the dashboard is not built (${WEB_ROOT}/index.html missing): run npm run build:web`);
  }
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'ghostwatch-web-'));
  const countyDir = join(workDir, 'county');
  let dbPath = options.existingDb ?? join(workDir, 'ghostwatch.db');
  let demoOutput = '';
  if (options.existingDb === undefined) {
    const county = await buildCounty({ ...options, workDir });
    dbPath = county.dbPath;
    demoOutput = county.demoOutput;
  }
  const store = await openStore(dbPath);
  const stamp = Date.now().toString(36);
  const auth = createAuthService({ users: store.users, clock: Date.now });
  const add = async (role: Role, unit: string): Promise<HarnessUser> => {
    const name = `e2e.${role}.${stamp}`;
    const issued = await auth.addUser({ name, role, unit });
    if (!issued.ok) throw new Error(`cannot add ${name}: ${issued.issues[0]?.message}`);
    return { name, password: issued.value.password ?? '', role, unit };
  };
  const users = {
    supervisor: await add('supervisor', 'provincial-fund-supervision'),
    investigator: await add('investigator', 'county-discipline-inspection'),
    analyst: await add('analyst', 'county-fund-supervision'),
  };
  const app = createApp({
    store,
    clock: Date.now,
    logger: silentLogger,
    webRoot: WEB_ROOT,
    loginLimits: { perUser: 1000, perAddress: 10_000 },
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dbPath,
    countyDir,
    store,
    users,
    demoOutput,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

/** Why Chromium cannot be used here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;
}

/** First paint, first contentful paint, and when the page's data was shown (ms since navigation start). */
export interface PaintTimes {
  readonly firstPaintMs: number | undefined;
  readonly firstContentfulPaintMs: number | undefined;
  readonly dataShownMs: number;
}

/** The paint entries of the current document (Performance API), as the browser recorded them. */
export const PAINT_SCRIPT = `(() => {
  const entries = performance.getEntriesByType('paint');
  const at = (name) => entries.find((e) => e.name === name)?.startTime;
  return { firstPaintMs: at('first-paint'), firstContentfulPaintMs: at('first-contentful-paint'), dataShownMs: performance.now() };
})()`;

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { luhnCheckDigit } from '../core/card-number.js';
import { openStore } from '../store/open-store.js';
import { measureInChild } from './child.js';
import { describeMachine } from './machine.js';
import type { SuiteReport } from './report.js';

/** Writes `count` valid card events (card_events.jsonl), deterministic, reusing a file already written. */
async function generateEvents(path: string, count: number): Promise<void> {
  if (existsSync(path) && statSync(path).size > 0) return;
  const out = createWriteStream(path);
  const start = Date.parse('2021-01-01T00:00:00+08:00');
  for (let i = 0; i < count; i++) {
    const payload = `621700${String(i % 50_000).padStart(12, '0')}`;
    const ts = new Date(start + i * 7_000 + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
    const line = JSON.stringify({
      event_id: `BENCH-${i}`,
      ts,
      card: `${payload}${luhnCheckDigit(payload)}`,
      terminal_id: `ATM-430422-${String(i % 300).padStart(4, '0')}`,
      terminal_region: '430422',
      channel: 'atm',
      type: i % 5 === 0 ? 'balance_inquiry' : 'withdrawal',
      ...(i % 5 === 0 ? {} : { amount: `${100 + (i % 20) * 50}.00` }),
      session_id: `S${i >> 2}`,
    });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Starts the API in a child process on a free loopback port; returns its URL, a bank token and a stop function. */
async function startServer(
  db: string,
  mode: 'plain' | 'monitor',
): Promise<{ url: string; token: string; stop: () => Promise<void> }> {
  const path = fileURLToPath(new URL('api-server-worker.js', import.meta.url));
  const child = spawn(process.execPath, [path, db, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line) as { port: number; token: string });
    });
    child.once('exit', (code) => reject(new Error(`API server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${ready.port}`,
    token: ready.token,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
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
const ms = (n: number) => n.toFixed(1);

/**
 * Card-event ingest over HTTP: a load generator in its own process posts NDJSON batches on loopback to the API
 * (in another process), beside the same events loaded with ingestFile directly and a no-op route.
 */
export async function runApiBench(options: {
  readonly workDir: string;
  readonly events: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly postgresUrl: string;
}): Promise<SuiteReport> {
  mkdirSync(options.workDir, { recursive: true });
  const file = join(options.workDir, `card-events-${options.events}.jsonl`);
  process.stderr.write(`bench api: generating ${fmt(options.events)} card events\n`);
  await generateEvents(file, options.events);
  const rows = [
    '| store | what | events/s | vs ingestFile | requests | p50 (ms) | p99 (ms) |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  const stores: { label: string; db: (tag: string) => Promise<string> }[] = [
    {
      label: 'SQLite',
      db: async (tag) => {
        const path = join(options.workDir, `api-${tag}.db`);
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
        return path;
      },
    },
  ];
  const hasPostgres = await postgresUp(options.postgresUrl);
  if (hasPostgres) {
    stores.push({
      label: 'PostgreSQL',
      db: async (tag) => {
        // A fresh schema per measurement, dropped first: every run starts from an empty store.
        const schema = `gw_bench_api_${tag}`;
        const url = new URL(options.postgresUrl);
        if (url.username === '') url.username = process.env.PGUSER ?? process.env.USER ?? userInfo().username;
        const client = new pg.Client({ connectionString: url.toString() });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await client.end();
        }
        return `${options.postgresUrl}?schema=${schema}`;
      },
    });
  }
  for (const store of stores) {
    process.stderr.write(`bench api: ${store.label}: ingestFile directly (baseline)\n`);
    const direct = await measureInChild('api-direct-worker.js', [file, await store.db('direct')]);
    const directRate = Number(direct.events) / (Number(direct.ms) / 1000);
    rows.push(`| ${store.label} | ingestFile, no HTTP (baseline) | ${fmt(directRate)} | 1.00 | – | – | – |`);
    const server = await startServer(await store.db('noop'), 'plain');
    try {
      process.stderr.write(`bench api: ${store.label}: no-op route (GET /healthz)\n`);
      const noop = await measureInChild('api-load-worker.js', [
        server.url,
        server.token,
        '-',
        '1',
        String(options.concurrency),
        '5000',
      ]);
      rows.push(
        `| ${store.label} | GET /healthz (no-op; requests/s) | ${fmt(Number(noop.requests) / (Number(noop.ms) / 1000))} | – | ${fmt(Number(noop.requests))} | ${ms(Number(noop.p50Ms))} | ${ms(Number(noop.p99Ms))} |`,
      );
    } finally {
      await server.stop();
    }
    for (const mode of ['plain', 'monitor'] as const) {
      const feed = await startServer(await store.db(`http_${mode}`), mode);
      try {
        process.stderr.write(`bench api: ${store.label}: POST /api/card-events (${mode})\n`);
        const load = await measureInChild('api-load-worker.js', [
          feed.url,
          feed.token,
          file,
          String(options.batchSize),
          String(options.concurrency),
        ]);
        const rate = Number(load.events) / (Number(load.ms) / 1000);
        const what =
          mode === 'plain'
            ? `POST /api/card-events, ${fmt(options.batchSize)} events a request`
            : 'the same, with the card monitor behind the feed (as `serve` runs)';
        rows.push(
          `| ${store.label} | ${what} | ${fmt(rate)} | ${(rate / directRate).toFixed(2)} | ${fmt(Number(load.requests))} | ${ms(Number(load.p50Ms))} | ${ms(Number(load.p99Ms))} |`,
        );
      } finally {
        await feed.stop();
      }
    }
  }
  const notes = [
    '',
    `${fmt(options.events)} card events; ${options.concurrency} requests in flight on keep-alive connections; the load`,
    'generator, the API server and the store each run in a process of their own on the same machine (loopback),',
    'so they share its cores. Each POST is validated line by line (cardEventInput), written in one transaction,',
    'token-checked and recorded in the hash-chained audit log. Latency is per request (a whole batch). The',
    'baseline loads the same file with ingestFile in batches of the same size, reading and validating on the one',
    'thread that also writes; over HTTP the load generator reads the file and requests overlap. The stores hold',
    "no roll, so the monitor sees cards it does not know (its per-event cost, not a county's alert volume).",
    hasPostgres
      ? ''
      : `PostgreSQL was not reachable at ${options.postgresUrl}: its lines are missing from this run.`,
  ];
  return {
    suite: 'api',
    title: 'HTTP API: bank card-event feed',
    machine: describeMachine(),
    markdown: [...rows, ...notes].join('\n'),
  };
}

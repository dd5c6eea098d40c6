import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { unwrap } from '../core/result.js';
import type { Alert } from '../monitor/alert.js';
import { benchReplay } from '../monitor/bench-replay.js';
import { DEFAULT_RULES_FILE } from '../monitor/default-rules.js';
import { createMonitor } from '../monitor/monitor.js';
import { parseRules } from '../monitor/rules.js';
import { createNatsSource } from '../monitor/sources/nats-source.js';
import { trafficReference } from '../monitor/testing/traffic-reference.js';
import { storeReplicaSetup } from '../store/checkpoint-replica-setup.js';
import { openStore } from '../store/open-store.js';
import { peakRssMb } from './child.js';

/**
 * One monitor measurement in its own process (its peak RSS is its own):
 * `replay FILE` (bare JSON-line parsing of the file, then the replay with the default rules and reference data
 * for every card of the traffic) or `nats URL STREAM EXPECTED LATENESS_MINUTES BATCH_SIZE` (consume a JetStream stream the
 * parent publishes to, measuring each event's latency from its publish time, carried to the millisecond as its
 * `ts`, to processed and to its alert being stored in a SQLite store). Prints one JSON line.
 * The NATS consumer takes its checkpoints in a replica thread, as `monitor --nats` does;
 * `BENCH_MONITOR_NATS_CHECKPOINTS=inline` takes them on the consumer's thread instead (the design before).
 * `consumerCpuUsPerEvent` is the CPU time of the consumer's thread (this process's main thread, /proc) per event
 * received, GC included, the replica's thread apart: the figure to compare at a rate the machine does not limit.
 */

/**
 * CPU time (user + system, ms) of this process's main thread, the consumer's: from /proc (Linux; 10 ms ticks),
 * NaN elsewhere. Node 20 has no process.threadCpuUsage.
 */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command's closing parenthesis: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function nats(
  url: string,
  stream: string,
  expected: number,
  latenessMinutes: number,
  batchSize: number,
) {
  const file = structuredClone(DEFAULT_RULES_FILE);
  const rules = unwrap(
    parseRules({ ...file, engine: { ...file.engine, allowedLatenessMinutes: latenessMinutes } }),
  );
  // A real store (SQLite in a scratch folder): each batch's alerts are written in one transaction before the
  // batch is acknowledged, and checkpoints go there too.
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-nats-'));
  const dbPath = join(dir, 'ghostwatch.db');
  const store = await openStore(dbPath);
  const inline = process.env.BENCH_MONITOR_NATS_CHECKPOINTS === 'inline';
  const processed = new Float64Array(expected);
  const toAlert: number[] = [];
  let count = 0;
  const saveMs: number[] = [];
  let upsertMaxMs = 0;
  const sink = {
    async upsert(alerts: readonly Alert[]) {
      const t = performance.now();
      await store.monitor.upsert(alerts);
      upsertMaxMs = Math.max(upsertMaxMs, performance.now() - t);
      const now = Date.now();
      // lastTs is the ts (= publish time, to the millisecond) of the event whose result last changed the alert.
      for (const a of alerts) toAlert.push(now - a.lastTs);
    },
  };
  const monitor = createMonitor({
    rules,
    sink,
    reference: { card: () => undefined },
    checkpoints: {
      load: (name) => store.monitor.load(name),
      async save(name, checkpoint) {
        const t = performance.now();
        await store.monitor.save(name, checkpoint);
        saveMs.push(performance.now() - t);
      },
    },
    checkpointName: 'bench',
    onProcessed: (event) => {
      if (count < expected) processed[count++] = Date.now() - event.ts;
    },
  });
  const source = createNatsSource({
    monitor,
    servers: url,
    stream,
    subject: `${stream}.>`,
    consumer: 'bench',
    batchSize,
    ...(inline ? {} : { checkpointReplica: storeReplicaSetup(dbPath, { reference: 'none' }) }),
  });
  // Where the consumer's thread stalls: garbage collection pauses, and the event loop's longest delays.
  const gc = { pauses: 0, totalMs: 0, maxMs: 0, over10: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.pauses++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
      if (entry.duration > 10) gc.over10++;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const started = performance.now();
  const cpuStarted = mainThreadCpuMs();
  // The consumer thread's stalls over 100 ms: [ms since start, stall ms, messages received by then].
  const stalls: [number, number, number][] = [];
  let tick = performance.now();
  // Events processed in the first 5 s (start-up: code not yet optimized, the replica starting), left out of the
  // steady-state percentiles.
  let warmUpEvents = -1;
  const sampler = setInterval(() => {
    const now = performance.now();
    if (warmUpEvents < 0 && now - started >= 5000) warmUpEvents = count;
    if (now - tick > 100)
      stalls.push([Math.round(now - started), Math.round(now - tick), source.stats().messages]);
    tick = now;
  }, 5);
  const run = source.run();
  const deadline = Date.now() + 180_000;
  while (source.stats().messages < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const received = source.stats().messages;
  const ms = performance.now() - started;
  const cpuMs = mainThreadCpuMs() - cpuStarted;
  await source.stop();
  const stats = await run;
  clearInterval(sampler);
  loopDelay.disable();
  gcObserver.disconnect();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  // Where the slow events were (processing order): a stall at the start (warm-up) or spread over the run.
  let slowFirst = -1;
  let slowLast = -1;
  let slowCount = 0;
  for (let i = 0; i < count; i++) {
    if (processed[i]! > 100) {
      if (slowFirst < 0) slowFirst = i;
      slowLast = i;
      slowCount++;
    }
  }
  const sorted = processed.slice(0, count).sort();
  const steady = processed.slice(Math.max(0, warmUpEvents), count).sort();
  const alertSorted = Float64Array.from(toAlert).sort();
  return {
    received,
    processed: count,
    buffered: monitor.stats().buffered,
    late: monitor.stats().late,
    batches: stats.batches,
    ms: Math.round(ms),
    processedP50: percentile(sorted, 0.5),
    processedP99: percentile(sorted, 0.99),
    processedMax: percentile(sorted, 1),
    // After the first 5 s (NaN for a run shorter than that).
    steadyP50: warmUpEvents < 0 ? Number.NaN : percentile(steady, 0.5),
    steadyP99: warmUpEvents < 0 ? Number.NaN : percentile(steady, 0.99),
    steadyMax: warmUpEvents < 0 ? Number.NaN : percentile(steady, 1),
    alertWrites: toAlert.length,
    alertP50: percentile(alertSorted, 0.5),
    alertP99: percentile(alertSorted, 0.99),
    alertMax: percentile(alertSorted, 1),
    peakRssMb: peakRssMb(),
    slowFirst,
    slowLast,
    slowCount,
    checkpoints: inline ? 'inline' : 'replica',
    saveMaxMs: Math.round(Math.max(0, stats.checkpointMaxMs, ...saveMs)),
    saves: saveMs.length + (inline ? 0 : stats.checkpoints),
    upsertMaxMs: Math.round(upsertMaxMs),
    stalls: JSON.stringify(stalls.slice(0, 20)),
    // CPU of the consumer's thread per event received (µs), GC pauses included; the replica's thread apart.
    consumerCpuUsPerEvent: received > 0 ? Math.round((cpuMs * 1000) / received) : Number.NaN,
    gcPauses: gc.pauses,
    gcTotalMs: Math.round(gc.totalMs),
    gcMaxMs: Math.round(gc.maxMs),
    gcOver10Ms: gc.over10,
    loopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
    loopDelayMaxMs: Math.round(loopDelay.max / 1e6),
  };
}

const [mode, ...args] = process.argv.slice(2);
let result: Record<string, number | string>;
if (mode === 'replay') {
  const reference = trafficReference();
  result = { ...(await benchReplay(args[0]!, { reference })), referenceCards: reference.cards };
} else if (mode === 'nats') {
  result = await nats(args[0]!, args[1]!, Number(args[2]), Number(args[3]), Number(args[4] ?? 1000));
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
// The NATS client may keep timers alive: this process has said what it had to.
process.exit(0);

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
    return cpuMsOf(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

/** User + system CPU ms of a /proc/…/stat line (10 ms ticks). */
function cpuMsOf(stat: string): number {
  // Fields after the command's closing parenthesis: state is field 3, utime 14 and stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Messages in each CPU window of the NATS run: the first ones, and as many later on. */
const START_WINDOW = 20_000;

/**
 * µs of CPU per message over the first messages (`start…`) and over a later window (`later…`): the consumer's
 * thread (`Main`) and the rest of the process (`Other`: the replica, compiler and GC threads).
 */
function cpuWindows(marks: readonly [number, number, number][]): Record<string, number> {
  const per = (a: [number, number, number] | undefined, b: [number, number, number] | undefined) => {
    if (a === undefined || b === undefined || b[0] <= a[0]) return [Number.NaN, Number.NaN];
    const n = b[0] - a[0];
    return [Math.round(((b[1] - a[1]) * 1000) / n), Math.round(((b[2] - a[2] - (b[1] - a[1])) * 1000) / n)];
  };
  const [startMain, startOther] = per(marks[0], marks[1]);
  const [laterMain, laterOther] = per(marks[2], marks[3]);
  return {
    startCpuUsMain: startMain!,
    startCpuUsOther: startOther!,
    laterCpuUsMain: laterMain!,
    laterCpuUsOther: laterOther!,
  };
}

async function sampleAllocations(file: string, messages: () => number): Promise<void> {
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  while (messages() < 20_000) await new Promise((r) => setTimeout(r, 20));
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const from = messages();
  while (messages() < 80_000) await new Promise((r) => setTimeout(r, 20));
  const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
  writeFileSync(file, JSON.stringify({ messages: messages() - from, profile }));
  session.disconnect();
}

/** CPU ms of every thread of this process, by `name:tid` (/proc; for BENCH_MONITOR_NATS_TRACE). */
function threadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      out.set(`${name}:${tid}`, cpuMsOf(stat));
    } catch {
      // The thread ended.
    }
  }
  return out;
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
  // BENCH_MONITOR_NATS_TRACE=1: every 50th of the first 2,000 events processed, then every 250th up to 20,000, [count, latency ms, ms since
  // start, consumer thread CPU ms, process CPU ms], printed on stderr (where a start-up backlog comes from).
  const trace: number[][] | undefined = process.env.BENCH_MONITOR_NATS_TRACE === '1' ? [] : undefined;
  let started = performance.now();
  let firstTs: number | undefined;
  const bySecond: [number, number, number][] = [];
  /** With the trace: when (ms since start) the replica's saves were seen done, and GC pauses over 10 ms. */
  const savesSeen: number[] = [];
  const longGc: [number, number][] = [];
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
      if (trace !== undefined) {
        // By second of publishing: events over 10 ms and the slowest.
        firstTs ??= event.ts;
        const second = Math.floor((event.ts - firstTs) / 1000);
        const latency = processed[count - 1]!;
        let row = bySecond[second];
        if (row === undefined) {
          row = [second, 0, 0];
          bySecond[second] = row;
        }
        if (latency > 10) row[1]++;
        if (latency > row[2]) row[2] = latency;
      }
      if (trace !== undefined && count % (count <= 2000 ? 50 : 250) === 0 && count <= 20_000) {
        const u = process.cpuUsage();
        trace.push([
          count,
          processed[count - 1]!,
          Math.round(performance.now() - started),
          mainThreadCpuMs(),
          Math.round((u.user + u.system) / 1000),
        ]);
      }
    },
  });
  const source = createNatsSource({
    monitor,
    servers: url,
    stream,
    subject: `${stream}.>`,
    consumer: 'bench',
    batchSize,
    // BENCH_MONITOR_NATS_CHECKPOINT_EVERY_MS: the checkpoint interval (default the source's, 2 s), to tell the cost
    // of the saves from the rest.
    ...(process.env.BENCH_MONITOR_NATS_CHECKPOINT_EVERY_MS === undefined
      ? {}
      : { checkpointEveryMs: Number(process.env.BENCH_MONITOR_NATS_CHECKPOINT_EVERY_MS) }),
    ...(inline ? {} : { checkpointReplica: storeReplicaSetup(dbPath, { reference: 'none' }) }),
  });
  // Where the consumer's thread stalls: garbage collection pauses, and the event loop's longest delays.
  const gc = { pauses: 0, totalMs: 0, maxMs: 0, over10: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.pauses++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
      if (entry.duration > 10) {
        gc.over10++;
        if (trace !== undefined)
          longGc.push([Math.round(entry.startTime - started), Math.round(entry.duration)]);
      }
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  started = performance.now();
  const cpuStarted = mainThreadCpuMs();
  // The consumer thread's stalls over 100 ms: [ms since start, stall ms, messages received by then].
  const stalls: [number, number, number][] = [];
  let tick = performance.now();
  // Events processed in the first 5 s (start-up: code not yet optimized, the replica starting), left out of the
  // steady-state percentiles.
  let warmUpEvents = -1;
  // CPU over the first messages (code still cold) and over a later stretch of as many (warm): of the consumer's
  // thread, and of the rest of the process (the replica's thread, the compiler's and the GC's helpers), in µs
  // per message. Less sensitive to the machine's load than latencies. [messages, main ms, process ms] at each end.
  const cpuMarks: [number, number, number][] = [];
  const processCpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const threadMarks: Map<string, number>[] = [];
  const markAt = [1, START_WINDOW, 5 * START_WINDOW, 6 * START_WINDOW];
  const sampler = setInterval(() => {
    const now = performance.now();
    const messages = source.stats().messages;
    if (cpuMarks.length < markAt.length && messages >= markAt[cpuMarks.length]!) {
      cpuMarks.push([messages, mainThreadCpuMs(), processCpuMs()]);
      if (trace !== undefined) threadMarks.push(threadCpuMs());
    }
    if (warmUpEvents < 0 && now - started >= 5000) warmUpEvents = count;
    if (trace !== undefined && source.stats().checkpoints > savesSeen.length)
      savesSeen.push(Math.round(now - started));
    if (now - tick > 100)
      stalls.push([Math.round(now - started), Math.round(now - tick), source.stats().messages]);
    tick = now;
  }, 5);
  const run = source.run();
  // BENCH_MONITOR_NATS_HEAP_PROFILE=FILE: a sampling heap profile of the consumer's thread (collected objects
  // included: what it allocates, not what it keeps) from the 20,000th message to the 80,000th, written to FILE.
  const heapProfile = process.env.BENCH_MONITOR_NATS_HEAP_PROFILE;
  if (heapProfile !== undefined) void sampleAllocations(heapProfile, () => source.stats().messages);
  const deadline = Date.now() + 180_000;
  // BENCH_MONITOR_NATS_MARK=1: a line on stdout when the first message has arrived (to place --trace-deopt output).
  let marked = process.env.BENCH_MONITOR_NATS_MARK !== '1';
  while (source.stats().messages < expected && Date.now() < deadline) {
    if (!marked && source.stats().messages > 0) {
      marked = true;
      process.stdout.write(`=== first messages (${source.stats().messages}) ===\n`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const received = source.stats().messages;
  if (trace !== undefined) {
    process.stderr.write(`${JSON.stringify(trace)}\n`);
    // CPU ms of each thread over the first messages and over the later window.
    const delta = (a?: Map<string, number>, b?: Map<string, number>) =>
      a === undefined || b === undefined
        ? {}
        : Object.fromEntries([...b].map(([k, v]) => [k, v - (a.get(k) ?? 0)]).filter(([, v]) => v !== 0));
    process.stderr.write(
      `by second [s, events > 10 ms, max ms] ${JSON.stringify(bySecond.filter((r) => r !== undefined))}\nsaves seen at ${JSON.stringify(savesSeen)}\nGC > 10 ms [at, ms] ${JSON.stringify(longGc)}\n`,
    );
    process.stderr.write(
      `threads start ${JSON.stringify(delta(threadMarks[0], threadMarks[1]))} later ${JSON.stringify(delta(threadMarks[2], threadMarks[3]))}\n`,
    );
  }
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
    ...cpuWindows(cpuMarks),
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

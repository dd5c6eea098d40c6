import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { formatShanghaiTimestamp } from '../core/time.js';
import { cardNumber, writeTrafficFile } from '../monitor/testing/generate-events.js';
import { type ChildMeasurement, measureInChild } from './child.js';
import { describeMachine } from './machine.js';
import type { SuiteReport } from './report.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: unknown) => (Number.isFinite(Number(n)) ? `${Number(n).toFixed(0)} ms` : 'n/a');

async function natsUp(url: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 2000 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Publishes `rate` events a second for `seconds` on core NATS subjects the stream captures, each event's ts its
 * publish time, while a child process consumes them: the end-to-end latency of `monitor --nats`. Every second a
 * collector sweeps 12 cards at a fresh terminal (one alert opened, updated by each later card).
 */
async function natsRun(url: string, rate: number, seconds: number, latenessMinutes: number) {
  const stream = `GW_BENCH_${Date.now()}`;
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const expected = rate * seconds;
  const child = measureInChild('monitor-worker.js', [
    'nats',
    url,
    stream,
    String(expected),
    String(latenessMinutes),
  ]);
  await new Promise((r) => setTimeout(r, 1500)); // let the consumer connect
  const encoder = new TextEncoder();
  const tickMs = 10;
  const perTick = Math.round((rate * tickMs) / 1000);
  const started = Date.now();
  let sent = 0;
  let sweep = 0;
  while (sent < expected) {
    const due = Math.min(expected, Math.floor(((Date.now() - started) / 1000) * rate) + perTick);
    for (; sent < due; sent++) {
      const ts = formatShanghaiTimestamp(Date.now());
      const second = Math.floor(sent / rate);
      const inSweep = sent % rate < 12;
      if (inSweep && sent % rate === 0) sweep++;
      const card = inSweep ? cardNumber(900_000 + (sent % rate)) : cardNumber(sent % 200_000);
      const terminal = inSweep ? `ATM-BENCH-${second}` : `ATM-430422-${String(sent % 400).padStart(4, '0')}`;
      const line = `{"event_id":"N${sent}","ts":"${ts}","card":"${card}","terminal_id":"${terminal}","terminal_region":"430422","channel":"atm","type":"withdrawal","amount":"100.00"}`;
      nc.publish(`${stream}.${terminal}`, encoder.encode(line));
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  const publishSeconds = (Date.now() - started) / 1000;
  await nc.flush();
  const result = await child;
  await jsm.streams.delete(stream).catch(() => {});
  await nc.close();
  return { ...result, sweeps: sweep, publishedPerSecond: Math.round(expected / publishSeconds) };
}

/** Replay throughput beside bare JSON-line parsing of the same file, and NATS JetStream end to end. */
export async function runMonitorBench(options: {
  workDir: string;
  events: number;
  natsUrl: string;
  natsRate: number;
  natsSeconds: number;
}): Promise<SuiteReport> {
  mkdirSync(options.workDir, { recursive: true });
  const file = join(options.workDir, `card_events-${options.events}.jsonl`);
  if (!existsSync(file) || statSync(file).size === 0) {
    process.stderr.write(`bench monitor: generating ${fmt(options.events)} card events\n`);
    await writeTrafficFile(file, options.events);
  }
  process.stderr.write(`bench monitor: replay of ${fmt(options.events)} events\n`);
  const replay = await measureInChild('monitor-worker.js', ['replay', file]);
  const lines: string[] = [
    '### Replay (`monitor --replay`)',
    '',
    '| events | what | events/s | vs parse only | peak RSS (MB) |',
    '|---:|---|---:|---:|---:|',
    `| ${fmt(options.events)} | read + split lines + \`JSON.parse\` (baseline) | ${fmt(Number(replay.parseOnlyPerSecond))} | 1.00 | |`,
    `| ${fmt(options.events)} | replay: read, validate every line, engine, default rules, ${fmt(Number(replay.referenceCards))} cards of reference data | ${fmt(Number(replay.eventsPerSecond))} | ${Number(replay.ratio).toFixed(2)} | ${replay.peakRssMb} |`,
    '',
    `Alerts raised: ${replay.alerts}. Targets (issue #5): ≥ 500,000 events/s and ≥ 40% of the parse rate.`,
    '',
  ];
  if (await natsUp(options.natsUrl)) {
    const runs: { label: string; m: ChildMeasurement & { sweeps: number; publishedPerSecond: number } }[] =
      [];
    for (const lateness of [0, 5]) {
      process.stderr.write(
        `bench monitor: NATS ${fmt(options.natsRate)} events/s for ${options.natsSeconds} s, lateness ${lateness} min\n`,
      );
      runs.push({
        label: lateness === 0 ? 'lateness 0 (in-order partitions)' : 'lateness 5 min (default)',
        m: await natsRun(options.natsUrl, options.natsRate, options.natsSeconds, lateness),
      });
    }
    lines.push(
      '### NATS JetStream end to end (`monitor --nats`)',
      '',
      `${fmt(options.natsRate)} events/s published steadily for ${options.natsSeconds} s on core subjects the stream captures; one durable pull consumer (batches of 100, commit then ack) in another process; each event's ts is its publish time.`,
      '',
      '| watermark | published/s | received | processed | p50 / p99 / max publish → processed | alert writes | p50 / p99 publish → alert stored | peak RSS (MB) |',
      '|---|---:|---:|---:|---|---:|---|---:|',
      ...runs.map(
        ({ label, m }) =>
          `| ${label} | ${fmt(m.publishedPerSecond)} | ${fmt(Number(m.received))} | ${fmt(Number(m.processed))} | ${ms(m.processedP50)} / ${ms(m.processedP99)} / ${ms(m.processedMax)} | ${fmt(Number(m.alertWrites))} | ${ms(m.alertP50)} / ${ms(m.alertP99)} | ${m.peakRssMb} |`,
      ),
      '',
      'With the default 5-minute lateness an event is processed only when the watermark passes it, i.e. when an',
      'event 5 minutes later (event time) has arrived: within a run shorter than that nothing is processed before',
      'the end (the events wait in the buffer, and in the checkpoint), so publish → alert is at least 5 minutes by',
      'design. `engine.allowedLatenessMinutes: 0` processes each event as soon as a later one arrives: right for a',
      'partition whose events arrive in order (one terminal per subject, one switch), at the price that any event',
      'arriving out of order is dropped as late (counted, never processed).',
      '',
    );
  } else {
    lines.push(
      `NATS was not reachable at ${options.natsUrl}: the end-to-end figures are missing from this run.`,
    );
  }
  return { suite: 'monitor', title: 'Card monitor', machine: describeMachine(), markdown: lines.join('\n') };
}

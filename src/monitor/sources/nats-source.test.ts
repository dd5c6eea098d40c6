import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { CardEvent } from '../../records/schemas.js';
import { openStore } from '../../store/open-store.js';
import type { Alert } from '../alert.js';
import type { MonitorCheckpoint } from '../checkpoint.js';
import { defaultRules } from '../default-rules.js';
import { createMonitor } from '../monitor.js';
import type { CheckpointStore } from '../ports.js';
import { toEventLine } from '../testing/event-lines.js';
import { createMemoryAlertSink } from '../testing/memory-alert-sink.js';
import { createMemoryCheckpointStore } from '../testing/memory-checkpoint-store.js';
import { scenarioReplicaSetup } from '../testing/replica-setup.js';
import { runEvents } from '../testing/run.js';
import { scenario } from '../testing/scenario.js';
import {
  createNatsSource,
  deliveryOf,
  readReply,
  subjectFor,
  WARM_UP_STREAM_PREFIX,
  WARM_UP_SUBJECT_PREFIX,
} from './nats-source.js';

const SERVER = process.env.GHOSTWATCH_NATS_URL ?? 'nats://127.0.0.1:4222';

async function reachable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: SERVER, timeout: 2000, reconnect: false });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

const up = await reachable();
if (!up && process.env.CI !== 'true') {
  process.stderr.write(`monitor NATS test skipped: no NATS server at ${SERVER} (required when CI=true)\n`);
}

const unique = `${process.pid}_${Date.now()}`;
const STREAM = `GW_TEST_MONITOR_${unique}`;
const PREFIX = `gwtest.${unique}.card-events`;
const CONSUMER = `monitor-${unique}`;
const OLD_STREAM = `GW_TEST_MONITOR_OLD_${unique}`;
const OLD_PREFIX = `gwtest.${unique}.old-card-events`;
const REPLICA_STREAM = `GW_TEST_MONITOR_REPLICA_${unique}`;
const REPLICA_PREFIX = `gwtest.${unique}.replica-card-events`;
const ACK_STREAM = `GW_TEST_MONITOR_ACK_${unique}`;
const ACK_PREFIX = `gwtest.${unique}.ack-card-events`;
const WARM_STREAM = `GW_TEST_MONITOR_WARM_${unique}`;
const WARM_PREFIX = `gwtest.${unique}.warm-card-events`;
const BLOCKER_STREAM = `GW_TEST_MONITOR_WARM_BLOCKER_${unique}`;
const toLine = toEventLine;

/** Runs the source until it has taken `messages` messages (or `withinMs` passed), then stops it: its stats. */
async function runUntil(source: ReturnType<typeof createNatsSource>, messages: number, withinMs: number) {
  const running = source.run();
  const deadline = Date.now() + withinMs;
  while (source.stats().messages < messages && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  await source.stop();
  return running;
}

/**
 * Connects and adds stream `name` over `${prefix}.>`, with `events` published to it; `faults`: event 20 is
 * published twice (a duplicate delivery) and a junk line follows event 30.
 */
async function streamWith(name: string, prefix: string, events: readonly CardEvent[], faults = false) {
  const nc = await connect({ servers: SERVER });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [`${prefix}.>`] });
  const js = jetstream(nc);
  for (const [i, e] of events.entries()) {
    await js.publish(subjectFor(e.terminalId, prefix), toLine(e));
    if (faults && i === 20) await js.publish(subjectFor(e.terminalId, prefix), toLine(e));
    if (faults && i === 30) await js.publish(`${prefix}.junk`, '{"event_id":"BAD"}');
  }
  return { nc, jsm, js };
}

/** The options every source of these tests shares: the test consumer on stream `name` over `${prefix}.>`. */
const sourceOn = (stream: string, prefix: string) =>
  ({ servers: SERVER, stream, subject: `${prefix}.>`, consumer: CONSUMER, fetchExpiresMs: 1000 }) as const;

/** Waits (at most 20 s) until the test consumer on `stream` has nothing pending nor unacknowledged. */
async function untilConsumed(jsm: Awaited<ReturnType<typeof jetstreamManager>>, stream: string) {
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const info = await jsm.consumers.info(stream, CONSUMER);
    if (info.num_pending === 0 && info.num_ack_pending === 0) break;
  }
}

// Both real-server describes' streams, deleted once every test of the file has run.
afterAll(async () => {
  if (!up) return;
  const nc = await connect({ servers: SERVER });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(STREAM).catch(() => false);
  await jsm.streams.delete(OLD_STREAM).catch(() => false);
  await jsm.streams.delete(REPLICA_STREAM).catch(() => false);
  await jsm.streams.delete(ACK_STREAM).catch(() => false);
  await jsm.streams.delete(WARM_STREAM).catch(() => false);
  await jsm.streams.delete(BLOCKER_STREAM).catch(() => false);
  await nc.close();
});

describe.skipIf(!up && process.env.CI !== 'true')('NATS JetStream source (real server)', () => {
  it('a consumer killed mid-stream and restarted stores every alert exactly once', async () => {
    expect(up, `NATS must be reachable at ${SERVER} when CI=true`).toBe(true);
    const { events, reference } = scenario();
    const expected = runEvents(events, { reference }).alerts;

    const { nc, jsm } = await streamWith(STREAM, PREFIX, events, true);

    const sink = createMemoryAlertSink();
    const store = createMemoryCheckpointStore();
    const sourceOptions = { ...sourceOn(STREAM, PREFIX), batchSize: 40, ackWaitMs: 1000 };

    // First worker: dies while storing its third checkpoint, after that batch's alerts were written and before
    // any of its messages were acknowledged.
    let saves = 0;
    let killFirst: () => Promise<void> = async () => {};
    const dying: CheckpointStore = {
      load: (name) => store.load(name),
      async save(name: string, checkpoint: MonitorCheckpoint) {
        saves++;
        if (saves === 3) {
          await killFirst();
          throw new Error('worker killed');
        }
        await store.save(name, checkpoint);
      },
    };
    const first = createMonitor({
      rules: defaultRules(),
      sink,
      reference,
      checkpoints: dying,
      checkpointName: 'nats',
    });
    // Checkpoints after every batch, so that the third save comes whatever the speed of the consumer.
    const firstSource = createNatsSource({ ...sourceOptions, checkpointEveryMs: 0, monitor: first });
    killFirst = () => firstSource.kill();
    const crash = await firstSource.run().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(crash?.message).toBe('worker killed');
    expect(firstSource.stats().messages).toBeGreaterThan(80);
    const writtenBeforeCrash = sink.writes.size;

    // Second worker: restores the checkpoint; the unacknowledged messages are redelivered.
    const second = createMonitor({
      rules: defaultRules(),
      sink,
      reference,
      checkpoints: store,
      checkpointName: 'nats',
    });
    const secondSource = createNatsSource({ ...sourceOptions, monitor: second });
    const running = secondSource.run();
    await untilConsumed(jsm, STREAM);
    await secondSource.stop();
    const stats = await running;
    second.drain();
    await second.commit();
    await nc.close();

    // The second worker re-read what the first had pushed but not acknowledged.
    expect(firstSource.stats().messages + stats.messages).toBeGreaterThan(events.length + 2);
    expect(stats.messages).toBeLessThan(events.length);
    expect(stats.invalid + firstSource.stats().invalid).toBeGreaterThanOrEqual(1);
    expect(writtenBeforeCrash).toBeGreaterThanOrEqual(0);
    expect(sink.list()).toEqual(expected);
    expect([...sink.alerts.keys()].sort()).toEqual(expected.map((a) => a.alertId));
  });

  it('a consumer left with per-message acks by an older version is re-created with ack-all, after its ack floor', async () => {
    expect(up, `NATS must be reachable at ${SERVER} when CI=true`).toBe(true);
    const events = scenario().events.slice(0, 100);
    const { nc, jsm, js } = await streamWith(OLD_STREAM, OLD_PREFIX, events);
    await jsm.consumers.add(OLD_STREAM, {
      durable_name: CONSUMER,
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${OLD_PREFIX}.>`,
    });
    // The older version had processed and acknowledged the first 30 messages, one by one.
    const old = await js.consumers.get(OLD_STREAM, CONSUMER);
    const fetched = await old.fetch({ max_messages: 30, expires: 2000 });
    let acked = 0;
    for await (const m of fetched) {
      await m.ackAck();
      if (++acked === 30) break;
    }
    expect(acked).toBe(30);

    const monitor = createMonitor({
      rules: defaultRules(),
      sink: createMemoryAlertSink(),
      reference: { card: () => undefined },
    });
    const source = createNatsSource({ ...sourceOn(OLD_STREAM, OLD_PREFIX), monitor, batchSize: 40 });
    const stats = await runUntil(source, 70, 10000);
    const info = await jsm.consumers.info(OLD_STREAM, CONSUMER);
    await nc.close();
    expect(stats.messages).toBe(70);
    expect(info.config.ack_policy).toBe(AckPolicy.All);
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(100);
  });
  it('with checkpoints taken by a replica thread, a consumer killed mid-stream and restarted stores every alert exactly once, and never saves a checkpoint itself', async () => {
    expect(up, `NATS must be reachable at ${SERVER} when CI=true`).toBe(true);
    const { events, reference } = scenario();
    const expected = runEvents(events, { reference }).alerts;
    const { nc, jsm } = await streamWith(REPLICA_STREAM, REPLICA_PREFIX, events, true);

    // The consumer's own store (it loads the checkpoint on start) and the replica's: one SQLite database.
    const db = join(mkdtempSync(join(tmpdir(), 'gw-nats-replica-')), 'ghostwatch.db');
    const store = await openStore(db);
    let consumerSaves = 0;
    const checkpoints: CheckpointStore = {
      load: (name) => store.monitor.load(name),
      async save(name, checkpoint) {
        consumerSaves++;
        await store.monitor.save(name, checkpoint);
      },
    };
    const sink = createMemoryAlertSink();
    const sourceOptions = {
      ...sourceOn(REPLICA_STREAM, REPLICA_PREFIX),
      batchSize: 20,
      ackWaitMs: 1000,
      checkpointEveryMs: 0,
      checkpointReplica: scenarioReplicaSetup(db),
      // Every batch outruns this: the consumer waits for the replica after each one (the back-pressure path).
      maxReplicaLagEvents: 5,
    };

    // First worker: dies while storing the alerts of its second batch that has any (none of them stored), so
    // that batch must neither be acknowledged nor reach a checkpoint.
    let alertBatches = 0;
    let receivedAtKill = 0;
    let killFirst: () => Promise<void> = async () => {};
    const dyingSink = {
      async upsert(alerts: readonly Alert[]) {
        if (++alertBatches === 2) {
          receivedAtKill = first.stats().received;
          await killFirst();
          throw new Error('worker killed');
        }
        await sink.upsert(alerts);
      },
    };
    const first = createMonitor({
      rules: defaultRules(),
      sink: dyingSink,
      reference,
      checkpoints,
      checkpointName: 'nats',
    });
    const firstSource = createNatsSource({ ...sourceOptions, monitor: first });
    killFirst = () => firstSource.kill();
    const crash = await firstSource.run().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(crash?.message).toBe('worker killed');
    // The replica's checkpoint (if it saved one) does not cover the batch whose alerts were not stored.
    const afterCrash = await store.monitor.load('nats');
    expect(afterCrash?.engine.counters.received ?? 0).toBeLessThan(receivedAtKill);

    const second = createMonitor({
      rules: defaultRules(),
      sink,
      reference,
      checkpoints,
      checkpointName: 'nats',
    });
    const secondSource = createNatsSource({ ...sourceOptions, monitor: second });
    const running = secondSource.run();
    await untilConsumed(jsm, REPLICA_STREAM);
    await secondSource.stop();
    const stats = await running;
    second.drain();
    await second.commit(null, { checkpoint: false });
    await nc.close();
    // A clean stop leaves the replica's checkpoint at the last message, with the consumer's exact state.
    const saved = await store.monitor.load('nats');
    await store.close();

    // The second worker re-read at least the batch the first had processed but not acknowledged.
    expect(firstSource.stats().messages + stats.messages).toBeGreaterThan(events.length + 2);
    expect(stats.checkpoints).toBeGreaterThanOrEqual(1);
    expect(consumerSaves).toBe(0);
    expect(saved?.position).toEqual({
      kind: 'stream',
      stream: REPLICA_STREAM,
      consumer: CONSUMER,
      sequence: events.length + 2,
    });
    expect(sink.list()).toEqual(expected);
    expect([...sink.alerts.keys()].sort()).toEqual(expected.map((a) => a.alertId));
  });

  it('acknowledges stored batches together, at most every acknowledgeEveryMs, and everything on stop', async () => {
    expect(up, `NATS must be reachable at ${SERVER} when CI=true`).toBe(true);
    const { events, reference } = scenario();
    const { nc, jsm, js } = await streamWith(ACK_STREAM, ACK_PREFIX, []);
    const publish = async (from: number, to: number) => {
      for (const e of events.slice(from, to))
        await js.publish(subjectFor(e.terminalId, ACK_PREFIX), toLine(e));
    };
    const waitFor = async (what: () => Promise<boolean> | boolean) => {
      for (let i = 0; i < 200 && !(await what()); i++) await new Promise((r) => setTimeout(r, 50));
    };
    const sink = createMemoryAlertSink();
    const monitor = createMonitor({ rules: defaultRules(), sink, reference });
    const source = createNatsSource({
      ...sourceOn(ACK_STREAM, ACK_PREFIX),
      monitor,
      checkpointEveryMs: 600_000,
      acknowledgeEveryMs: 600_000,
    });
    await publish(0, 20);
    const running = source.run();
    await waitFor(() => source.stats().messages === 20 && source.stats().batches >= 1);
    await publish(20, 50);
    await waitFor(() => source.stats().messages === 50);
    await waitFor(async () => (await jsm.consumers.info(ACK_STREAM, CONSUMER)).num_ack_pending >= 30);
    // The first batch is acknowledged at once; the later ones, stored, wait for the interval (10 minutes).
    const during = await jsm.consumers.info(ACK_STREAM, CONSUMER);
    expect(source.stats().batches).toBeGreaterThanOrEqual(2);
    expect(during.ack_floor.stream_seq).toBeGreaterThanOrEqual(1);
    expect(during.ack_floor.stream_seq).toBeLessThanOrEqual(20);
    expect(during.num_ack_pending).toBe(50 - during.ack_floor.stream_seq);
    await source.stop();
    await running;
    const after = await jsm.consumers.info(ACK_STREAM, CONSUMER);
    expect(after.ack_floor.stream_seq).toBe(50);
    expect(after.num_ack_pending).toBe(0);

    // With the default interval (20 ms), a running consumer acknowledges everything it stored without more traffic.
    const again = createNatsSource({
      ...sourceOn(ACK_STREAM, ACK_PREFIX),
      monitor: createMonitor({ rules: defaultRules(), sink: createMemoryAlertSink(), reference }),
    });
    const runningAgain = again.run();
    await publish(50, 80);
    await waitFor(async () => (await jsm.consumers.info(ACK_STREAM, CONSUMER)).ack_floor.stream_seq === 80);
    const settled = await jsm.consumers.info(ACK_STREAM, CONSUMER);
    await again.stop();
    await runningAgain;
    await nc.close();
    expect(again.stats().messages).toBe(30);
    expect(settled.ack_floor.stream_seq).toBe(80);
    expect(settled.num_ack_pending).toBe(0);
  });
});

describe.skipIf(!up && process.env.CI !== 'true')('warm-up through a scratch stream (real server)', () => {
  const scratchStreams = async (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => {
    const names: string[] = [];
    for await (const info of jsm.streams.list())
      if (info.config.name.startsWith(`${WARM_UP_STREAM_PREFIX}${process.pid}_`))
        names.push(info.config.name);
    return names;
  };

  it('consumes made-up messages through a scratch stream it deletes, and leaves the real stream, consumer and alerts alone', async () => {
    expect(up, `NATS must be reachable at ${SERVER} when CI=true`).toBe(true);
    const { events, reference } = scenario();
    const expected = runEvents(events, { reference }).alerts;
    const { nc, jsm } = await streamWith(WARM_STREAM, WARM_PREFIX, events);
    const sink = createMemoryAlertSink();
    const checkpoints = createMemoryCheckpointStore();
    const monitor = createMonitor({
      rules: defaultRules(),
      sink,
      reference,
      checkpoints,
      checkpointName: 'nats',
    });
    const source = createNatsSource({ ...sourceOn(WARM_STREAM, WARM_PREFIX), monitor, warmUpMessages: 300 });
    const stats = await runUntil(source, events.length, 10000);
    monitor.drain();
    await monitor.commit(null, { checkpoint: false });

    // Both throwaway consumers read every made-up message; the real one counted only the real ones.
    expect(stats.warmedUp).toBe(600);
    expect(stats.messages).toBe(events.length);
    expect(monitor.stats().received).toBe(events.length);
    // The alerts are those of the real events alone, and the checkpoint is the real stream's.
    expect(sink.list()).toEqual(expected);
    expect((await checkpoints.load('nats'))?.position).toEqual({
      kind: 'stream',
      stream: WARM_STREAM,
      consumer: CONSUMER,
      sequence: events.length,
    });
    // No scratch stream (nor its consumers) is left; the real stream has its messages and its one consumer.
    expect(await scratchStreams(jsm)).toEqual([]);
    const real = await jsm.streams.info(WARM_STREAM);
    expect(real.state.messages).toBe(events.length);
    const consumers: string[] = [];
    for await (const c of jsm.consumers.list(WARM_STREAM)) consumers.push(c.name);
    expect(consumers).toEqual([CONSUMER]);
    await nc.close();
  });

  it('is skipped when the scratch stream cannot be made, and the source runs as without it', async () => {
    expect(up, `NATS must be reachable at ${SERVER} when CI=true`).toBe(true);
    const { events, reference } = scenario();
    const expected = runEvents(events.slice(0, 40), { reference }).alerts;
    const nc = await connect({ servers: SERVER });
    const jsm = await jetstreamManager(nc);
    // A stream that already holds every scratch subject: the scratch stream's subjects would overlap it.
    await jsm.streams.add({ name: BLOCKER_STREAM, subjects: [`${WARM_UP_SUBJECT_PREFIX}.>`] });
    await jsm.streams.purge(WARM_STREAM).catch(() => undefined);
    await jsm.streams.delete(WARM_STREAM).catch(() => false);
    await jsm.streams.add({ name: WARM_STREAM, subjects: [`${WARM_PREFIX}.>`] });
    const js = jetstream(nc);
    for (const e of events.slice(0, 40)) await js.publish(subjectFor(e.terminalId, WARM_PREFIX), toLine(e));
    const sink = createMemoryAlertSink();
    const monitor = createMonitor({ rules: defaultRules(), sink, reference });
    const source = createNatsSource({ ...sourceOn(WARM_STREAM, WARM_PREFIX), monitor, warmUpMessages: 300 });
    const stats = await runUntil(source, 40, 10000);
    await jsm.streams.delete(BLOCKER_STREAM);
    monitor.drain();
    await monitor.commit();
    expect(stats.warmedUp).toBe(0);
    expect(stats.messages).toBe(40);
    expect(sink.list()).toEqual(expected);
    expect(await scratchStreams(jsm)).toEqual([]);
    await nc.close();
  });
});

describe('delivery of a JetStream message read from its reply subject', () => {
  /** The client's own reading (split into tokens), for comparison. */
  function reference(reply: string): { sequence: number; count: number } | undefined {
    const tokens = reply.split('.');
    if (tokens.length === 9) tokens.splice(2, 0, '_', '');
    if (!(tokens.length === 11 || tokens.length === 12) || tokens[0] !== '$JS' || tokens[1] !== 'ACK')
      return undefined;
    if (!/^[0-9]{1,15}$/.test(tokens[6]!) || !/^[0-9]{1,15}$/.test(tokens[7]!)) return undefined;
    return { count: Number(tokens[6]), sequence: Number(tokens[7]) };
  }
  const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
  const number = fc.oneof(fc.nat(), fc.maxSafeNat()).map(String);

  it('agrees with the client on every form of reply subject, and declines what it cannot read', () => {
    const reply = fc.oneof(
      fc
        .tuple(name, name, number, number, number, number, number)
        .map(([stream, consumer, count, seq, dseq, ts, pending]) =>
          ['$JS', 'ACK', stream, consumer, count, seq, dseq, ts, pending].join('.'),
        ),
      fc
        .tuple(fc.constantFrom('_', 'hub'), name, name, name, number, number, number, number, number)
        .chain((t) => fc.option(name).map((random) => [...t, ...(random === null ? [] : [random])]))
        .map((tokens) => ['$JS', 'ACK', ...tokens].join('.')),
      fc
        .array(fc.oneof(name, number, fc.constantFrom('$JS', 'ACK', '', 'x1')), { maxLength: 13 })
        .map((t) => t.join('.')),
    );
    fc.assert(
      fc.property(reply, (r) => {
        const expected = reference(r);
        const read = readReply(r);
        if (expected === undefined) {
          expect(read).toBe(false);
          return;
        }
        expect(read).toBe(true);
        const message = { reply: r, info: { streamSequence: -1, deliveryCount: -1 } };
        expect({ ...deliveryOf(message as never) }).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("falls back on the client's info for a reply it cannot read", () => {
    const message = { reply: 'not-a-jetstream-reply', info: { streamSequence: 7, deliveryCount: 2 } };
    expect({ ...deliveryOf(message as never) }).toEqual({ sequence: 7, count: 2 });
  });
});

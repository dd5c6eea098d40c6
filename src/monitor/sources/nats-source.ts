import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Issue } from '../../core/result.js';
import type { SourcePosition } from '../checkpoint.js';
import { type CheckpointReplica, type ReplicaSetup, startCheckpointReplica } from '../checkpoint-replica.js';
import { parseCardEventLine } from '../event-line.js';
import { createMonitor, type Monitor } from '../monitor.js';
import { warmUp, warmUpLine, warmUpReference } from '../warm-up.js';

export const DEFAULT_STREAM = 'GHOSTWATCH_CARD_EVENTS';
/** The warm-up's scratch streams are named with this prefix, the process id and a random suffix. */
export const WARM_UP_STREAM_PREFIX = 'GHOSTWATCH_WARMUP_';
/** …and hold the subjects under this prefix (never a card-event subject). */
export const WARM_UP_SUBJECT_PREFIX = '_GHOSTWATCH_WARMUP';
export const DEFAULT_SUBJECT_PREFIX = 'ghostwatch.card-events';

/** The subject an event is published on: partitioned by terminal (`ghostwatch.card-events.ATM-430422-0007`). */
export function subjectFor(terminalId: string | undefined, prefix = DEFAULT_SUBJECT_PREFIX): string {
  // NATS subject tokens may not hold spaces, dots or wildcards.
  const token = (terminalId ?? '_none').replace(/[\s.*>]/g, '_');
  return `${prefix}.${token}`;
}

export interface NatsSourceOptions {
  readonly monitor: Monitor;
  /** NATS URL(s), e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  readonly stream?: string;
  /** Subjects the stream holds (created if the stream does not exist): default `ghostwatch.card-events.>`. */
  readonly subject?: string;
  /** The durable pull consumer's name. */
  readonly consumer?: string;
  /**
   * At most this many messages are processed and committed together (one store transaction, then their
   * acknowledgements); a batch also ends as soon as no further message is waiting. Default 1,000.
   */
  readonly batchSize?: number;
  /**
   * Acknowledgements (and, with a replica, the hand-off of the stored batches' lines to it) are sent at most this
   * often: once for every batch stored since, always after their alerts are stored. Each is a socket write (and a
   * message to the replica's thread), which costs far more than the few events of a batch under light load.
   * They are also sent as soon as a batch's worth of messages (`batchSize`) is waiting for them. Default 20 ms;
   * 0 acknowledges every batch at once.
   */
  readonly acknowledgeEveryMs?: number;
  /**
   * Before consuming, warm up so that the first real messages meet compiled code instead of queueing behind it
   * (src/monitor/warm-up.ts): made-up events through throwaway engines with the same rules (in the replica's
   * thread too), made-up messages to this connection itself, and `warmUpMessages` made-up messages through the
   * whole JetStream path (a scratch stream, see `warmUpMessages`). Default true.
   */
  readonly warmUp?: boolean;
  /**
   * With `warmUp`: made-up messages consumed, processed and acknowledged through this very source's code (twice,
   * by two throwaway consumers, monitors and engines: see warm-up.ts for why two) from a scratch stream in memory
   * (`GHOSTWATCH_WARMUP_<pid>_<random>`, subjects `_GHOSTWATCH_WARMUP.…`), deleted afterwards. Nothing of it
   * reaches the real stream, consumer, monitor, store or replica. Needs the right to create streams; a warm-up
   * that fails is skipped. 0: no scratch stream. Default 5,000.
   */
  readonly warmUpMessages?: number;
  /** How long each pull request of the consumer lasts before it is renewed (at least 1 s). Default 5 s. */
  readonly fetchExpiresMs?: number;
  /** Redelivery delay of a message that was not acknowledged. Default 30 s. */
  readonly ackWaitMs?: number;
  /**
   * Save a checkpoint at most this often (wall clock); alerts are stored after every batch, before its
   * acknowledgement. A restart re-reads the stream from the last checkpoint's sequence (the stream keeps its
   * messages: limits retention, not a work queue), so acknowledged messages after it are processed again and
   * their alerts rewritten under the same ids. Default 2,000 ms; 0 checkpoints every batch.
   */
  readonly checkpointEveryMs?: number;
  /**
   * Take the checkpoints in a replica of the engine in a worker thread (src/monitor/checkpoint-replica.ts)
   * rather than on this thread: the state is never serialized where events are processed, so a checkpoint no
   * longer stalls the stream. The replica saves to the store the setup gives it, from which the monitor's own
   * `checkpoints` must load (the same database). Without it, checkpoints are taken here, between batches.
   */
  readonly checkpointReplica?: ReplicaSetup;
  /**
   * With a replica: when it falls this many events behind (its queue of lines, in memory), the consumer waits
   * for it to catch up to half of that before the next batch. Default 1,000,000 (≈ 200 MB of lines).
   */
  readonly maxReplicaLagEvents?: number;
  /**
   * With a replica: the nice value added to its thread (Linux), so that the consumer's thread (and the NATS server,
   * on the same machine) get the CPU first when cores are short; the replica catches up when they are idle.
   * Default 10; 0 leaves it at the consumer's priority.
   */
  readonly replicaNiceness?: number;
  readonly onInvalid?: (sequence: number, issues: readonly Issue[]) => void;
}

export interface NatsSourceStats {
  readonly messages: number;
  readonly invalid: number;
  readonly redelivered: number;
  readonly batches: number;
  readonly alertsWritten: number;
  /** Checkpoints saved (by the replica, when there is one) and the longest of them. */
  readonly checkpoints: number;
  readonly checkpointMaxMs: number;
  /** Made-up messages the warm-up's throwaway sources consumed from their scratch stream (0: none, or it failed). */
  readonly warmedUp: number;
}

/**
 * A durable JetStream pull consumer feeding a monitor. Each batch: every message is validated and pushed, then
 * `monitor.commit` stores the alerts and the checkpoint, and only then are the messages acknowledged (invalid
 * ones terminated). A crash before the acknowledgement means redelivery, which the restored checkpoint and the
 * engine's duplicate filter absorb: every alert exactly once.
 * @example
 * const source = createNatsSource({ monitor, servers: 'nats://127.0.0.1:4222' });
 * const done = source.run();   // until stop()
 * await source.stop(); await done;
 */
export interface NatsSource {
  run(): Promise<NatsSourceStats>;
  /** Finishes the batch in hand (commit, then ack) and stops. */
  stop(): Promise<void>;
  /** Stops at once: the batch in hand is neither committed nor acknowledged (as a crash would). */
  kill(): Promise<void>;
  stats(): NatsSourceStats;
}

export function createNatsSource(options: NatsSourceOptions): NatsSource {
  const streamName = options.stream ?? DEFAULT_STREAM;
  const subject = options.subject ?? `${DEFAULT_SUBJECT_PREFIX}.>`;
  const consumerName = options.consumer ?? 'ghostwatch-monitor';
  const batchSize = options.batchSize ?? 1000;
  const checkpointEveryMs = options.checkpointEveryMs ?? 2000;
  const maxReplicaLag = options.maxReplicaLagEvents ?? 1_000_000;
  const acknowledgeEveryMs = options.acknowledgeEveryMs ?? 20;
  const monitor = options.monitor;
  const servers = typeof options.servers === 'string' ? options.servers : [...options.servers];
  let nc: NatsConnection | undefined;
  let messages: ConsumerMessages | undefined;
  let stopping = false;
  let killed = false;
  let replica: CheckpointReplica | undefined;
  let replicaFailure: Error | undefined;
  /** The warm-up's throwaway source while it runs (stopped with this one). */
  let scratch: NatsSource | undefined;
  const counts = {
    messages: 0,
    invalid: 0,
    redelivered: 0,
    batches: 0,
    alertsWritten: 0,
    checkpoints: 0,
    checkpointMaxMs: 0,
    warmedUp: 0,
  };
  const snapshotCounts = (): NatsSourceStats => {
    const r = replica?.stats();
    return r === undefined
      ? { ...counts }
      : { ...counts, checkpoints: r.saves, checkpointMaxMs: r.saveMaxMs };
  };

  /**
   * Makes sure the stream and the durable consumer exist. When the monitor resumed from a checkpoint of this
   * consumer, the consumer is re-created to start right after the checkpoint's last stream sequence: JetStream
   * would otherwise redeliver the unacknowledged messages only after `ack_wait`, behind newer ones, and the
   * watermark would then drop them as late. Re-delivery from the checkpoint, in stream order, keeps the alerts
   * exactly those of an uninterrupted run.
   */
  async function ensure(connection: NatsConnection, resumeAfter: number | undefined): Promise<void> {
    const jsm = await jetstreamManager(connection);
    try {
      await jsm.streams.info(streamName);
    } catch {
      await jsm.streams.add({ name: streamName, subjects: [subject] });
    }
    let existing: Awaited<ReturnType<typeof jsm.consumers.info>> | undefined;
    try {
      existing = await jsm.consumers.info(streamName, consumerName);
    } catch {
      existing = undefined;
    }
    // A consumer made by an older version acknowledges each message (explicit): it is re-created with ack-all,
    // starting after what it had acknowledged, since a consumer's ack policy cannot be changed.
    if (existing !== undefined && resumeAfter === undefined && existing.config.ack_policy === AckPolicy.All)
      return;
    const startAfter = resumeAfter ?? existing?.ack_floor.stream_seq;
    if (existing !== undefined) await jsm.consumers.delete(streamName, consumerName);
    await jsm.consumers.add(streamName, {
      durable_name: consumerName,
      // One acknowledgement per batch, of its last message, covers every message before it.
      ack_policy: AckPolicy.All,
      ...(startAfter === undefined || startAfter === 0
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startAfter + 1 }),
      filter_subject: subject,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
      max_ack_pending: Math.max(10_000, batchSize * 4),
    });
  }

  return {
    async run() {
      const resumed = await monitor.resume();
      if (!resumed.ok) throw new Error(resumed.issues.map((i) => i.message).join('; '));
      const position = resumed.value;
      const fromCheckpoint =
        position?.kind === 'stream' && position.stream === streamName && position.consumer === consumerName
          ? position.sequence
          : undefined;
      // With a replica, messages are acknowledged before the replica's checkpoint covers them: the consumer's ack
      // floor may be ahead of the checkpoint, or there may be no checkpoint yet. The consumer is then always
      // re-created to deliver from right after the checkpoint (from the stream's start without one), never from
      // its ack floor, so that the restored state sees every message after it.
      const resumeAfter = options.checkpointReplica !== undefined ? (fromCheckpoint ?? 0) : fromCheckpoint;
      const warm = options.warmUp !== false;
      // Started (its checkpoint restored, its engine warmed up in its thread) before the consumer exists, so that
      // no message waits for it.
      const replicaStarted =
        options.checkpointReplica === undefined
          ? undefined
          : startCheckpointReplica(
              {
                setup: options.checkpointReplica,
                rules: monitor.rules,
                checkpointName: monitor.checkpointName,
                checkpointEveryMs,
                resumedAt: position,
                warmUp: warm,
                niceness: options.replicaNiceness ?? 10,
              },
              (error) => {
                // Without checkpoints a restart would re-read ever more of the stream: stop, and say why.
                replicaFailure = error;
                messages?.stop();
              },
            );
      // Warm up before the consumer exists (and while the replica warms up in its own thread): nothing waits
      // for this process while it compiles its hot code.
      if (warm) warmUp(monitor.rules);
      if (replicaStarted !== undefined) {
        replica = await replicaStarted;
        if (killed) await replica.kill();
      }
      try {
        return await consumeStream(resumeAfter);
      } finally {
        await replica?.close();
      }
    },
    async stop() {
      stopping = true;
      await scratch?.kill();
      // Ends the pull: the messages already delivered are processed, committed and acknowledged.
      messages?.stop();
    },
    async kill() {
      killed = true;
      await scratch?.kill();
      messages?.stop();
      await replica?.kill();
      if (nc !== undefined && !nc.isClosed()) await nc.close();
    },
    stats: snapshotCounts,
  };

  /**
   * Runs `warmUpMessages` made-up messages through this source's own code: a scratch stream in memory, then two
   * throwaway sources (each its own durable consumer, monitor and engine, no store, no replica) consume, process
   * and acknowledge them as the real one will, one after the other; the stream is deleted at the end. Two, for
   * the reason the engine is warmed up twice (warm-up.ts): code compiled for one source's closures only would be
   * thrown away on the real source's first messages. Best effort: a failure (no right to create streams, a
   * subject taken …) skips what is left of it. Nothing waits for it: the real consumer does not exist yet.
   */
  async function warmThroughScratchStream(): Promise<void> {
    const count = options.warmUpMessages ?? 5000;
    if (count <= 0 || stopping || killed) return;
    const id = `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const stream = `${WARM_UP_STREAM_PREFIX}${id}`;
    const prefix = `${WARM_UP_SUBJECT_PREFIX}.${id}`;
    let connection: NatsConnection | undefined;
    let created = false;
    try {
      connection = await connect({ servers });
      const jsm = await jetstreamManager(connection);
      // In memory, and its messages expire: a process killed during the warm-up leaves at most an empty stream.
      await jsm.streams.add({
        name: stream,
        subjects: [`${prefix}.>`],
        storage: StorageType.Memory,
        max_age: nanos(60_000),
      });
      created = true;
      const encoder = new TextEncoder();
      for (let n = 0; n < count; n++) {
        // One subject per terminal, as the real stream's.
        connection.publish(`${prefix}.T${n % 3}`, encoder.encode(warmUpLine(n)));
      }
      await connection.flush();
      const deadline = Date.now() + 10_000;
      for (let round = 0; round < 2 && !stopping && !killed; round++) {
        const throwaway = createMonitor({
          rules: monitor.rules,
          sink: { upsert: async () => {} },
          reference: warmUpReference(),
        });
        scratch = createNatsSource({
          monitor: throwaway,
          servers: options.servers,
          stream,
          subject: `${prefix}.>`,
          consumer: `warmup-${round}`,
          batchSize,
          acknowledgeEveryMs,
          fetchExpiresMs: 1000,
          warmUp: false,
        });
        const running = scratch.run();
        while (scratch.stats().messages < count && Date.now() < deadline && !stopping && !killed) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await scratch.stop();
        counts.warmedUp += (await running).messages;
        scratch = undefined;
      }
    } catch {
      // The warm-up only saves time; the real consumer works without it.
      await scratch?.kill().catch(() => undefined);
      scratch = undefined;
    } finally {
      if (connection !== undefined) {
        if (created) {
          // Deleting the stream deletes its consumers too.
          await jetstreamManager(connection)
            .then((jsm) => jsm.streams.delete(stream))
            .catch(() => false);
        }
        await connection.close().catch(() => undefined);
      }
    }
  }

  async function consumeStream(resumeAfter: number | undefined): Promise<NatsSourceStats> {
    nc = await connect({ servers });
    const connection = nc;
    if (options.warmUp !== false) {
      await warmConnection(connection);
      await warmThroughScratchStream();
    }
    await ensure(connection, resumeAfter);
    const consumer = await jetstream(connection).consumers.get(streamName, consumerName);
    /** Messages of the batch in hand (valid and invalid), and its last message (highest sequence). */
    let inBatch = 0;
    let batchLast: JsMsg | undefined;
    let batchLastSequence = 0;
    let invalid: JsMsg[] = [];
    /** The lines of the batch's valid events, in push order, for the replica. */
    let lines: string[] = [];
    /**
     * Stored but not yet settled (acknowledged and handed to the replica): the last message of the stored batches,
     * how many messages they hold, their lines and the sequence they reach.
     */
    let toAcknowledge: JsMsg | undefined;
    let toAcknowledgeSequence = 0;
    let unsettled = 0;
    let storedLines: string[] = [];
    let storedSequence = resumeAfter ?? 0;
    let lastSettledAt = Number.NEGATIVE_INFINITY;
    let settleTimer: NodeJS.Timeout | undefined;
    // With a replica, a batch's worth of lines or the lag that makes the consumer wait settles at once.
    const settleAt = Math.max(
      1,
      replica === undefined ? batchSize : Math.min(batchSize, Math.max(1, maxReplicaLag)),
    );
    let lastSequence = resumeAfter ?? 0;
    let checkpointedSequence = lastSequence;
    let lastCheckpointAt = Number.NEGATIVE_INFINITY;
    let lastCheckpointCost = 0;

    const here = (sequence: number): SourcePosition => ({
      kind: 'stream',
      stream: streamName,
      consumer: consumerName,
      sequence,
    });

    /**
     * Effects first (alerts, checkpoint when due), acknowledgements after: a crash in between means redelivery.
     * The acknowledgement (and the replica's copy of the lines) may wait for later batches: see `settle`.
     */
    async function commitBatch(): Promise<void> {
      if (replica !== undefined) {
        const { alerts } = await monitor.commit(here(lastSequence), { checkpoint: false });
        if (killed || replicaFailure !== undefined) return;
        stored(alerts);
        if (unsettled < settleAt && Date.now() - lastSettledAt < acknowledgeEveryMs) {
          scheduleSettle();
          return;
        }
        settle();
        // The lag grows only when lines are handed over.
        if (replica.stats().lag > maxReplicaLag) {
          await replica.caughtUp(Math.floor(maxReplicaLag / 2)).catch((error: unknown) => {
            if (!killed) throw error;
          });
        }
        return;
      }
      const now = Date.now();
      // A checkpoint grows with the state (with a long lateness, the whole buffer): it is taken at most every
      // checkpointEveryMs, and never more often than 20 times its own cost, so that it stays under 5% of the work.
      // checkpointEveryMs 0: after every batch, as documented, whatever the cost (tests, tiny streams).
      const due =
        checkpointEveryMs === 0 ||
        now - lastCheckpointAt >= Math.max(checkpointEveryMs, 20 * lastCheckpointCost);
      const { alerts } = await monitor.commit(here(lastSequence), { checkpoint: due });
      if (killed) return;
      if (due) {
        lastCheckpointAt = now;
        lastCheckpointCost = Date.now() - now;
        checkpointedSequence = lastSequence;
        counts.checkpoints++;
        counts.checkpointMaxMs = Math.max(counts.checkpointMaxMs, lastCheckpointCost);
      }
      stored(alerts);
      if (due || unsettled >= settleAt || Date.now() - lastSettledAt >= acknowledgeEveryMs) settle();
      else scheduleSettle();
    }

    /** The batch in hand is stored: it joins those waiting to be settled. */
    function stored(alerts: number): void {
      counts.alertsWritten += alerts;
      counts.batches++;
      // Invalid messages are terminated one by one (rare).
      for (const m of invalid) m.term('not a valid card event');
      if (batchLast !== undefined && batchLastSequence >= toAcknowledgeSequence) {
        toAcknowledge = batchLast;
        toAcknowledgeSequence = batchLastSequence;
      }
      unsettled += inBatch;
      if (replica !== undefined) {
        if (storedLines.length === 0) storedLines = lines;
        else for (const line of lines) storedLines.push(line);
      }
      storedSequence = lastSequence;
      inBatch = 0;
      batchLast = undefined;
      batchLastSequence = 0;
      invalid = [];
      lines = [];
    }

    /**
     * Hands the stored batches' lines to the replica (its checkpoints never run ahead of the stored alerts), then
     * acknowledges them: with the consumer's ack-all policy, the one acknowledgement of their last message covers
     * every message before it.
     */
    function settle(): void {
      if (settleTimer !== undefined) clearTimeout(settleTimer);
      settleTimer = undefined;
      if (killed || replicaFailure !== undefined || unsettled === 0) return;
      if (replica !== undefined) {
        replica.push(storedLines, here(storedSequence));
        checkpointedSequence = storedSequence;
        storedLines = [];
      }
      toAcknowledge?.ack();
      toAcknowledge = undefined;
      unsettled = 0;
      lastSettledAt = Date.now();
    }

    function scheduleSettle(): void {
      settleTimer ??= setTimeout(settle, acknowledgeEveryMs);
    }

    /**
     * Messages delivered and not yet processed, in delivery order, from `head` on. The client hands each message
     * to `deliver` as it parses it (a callback, not an async iterator: no promise per message); they are
     * processed one microtask later, so that one socket read's messages make one batch, and never while a batch
     * is being committed (the checkpoint and the acknowledgements must cover exactly what was pushed).
     */
    const queue: JsMsg[] = [];
    let head = 0;
    let draining = false;
    let drained: Promise<void> = Promise.resolve();
    /** Set once the consumer has stopped: a message handed over later is left unacknowledged (redelivered). */
    let closed = false;
    let failure: { readonly error: unknown } | undefined;

    function deliver(m: JsMsg): void {
      if (closed || killed) return;
      queue.push(m);
      if (draining) return;
      draining = true;
      drained = Promise.resolve()
        .then(drain)
        .catch((error: unknown) => {
          failure ??= { error };
          messages?.stop();
        });
    }

    async function drain(): Promise<void> {
      try {
        while (head < queue.length && !killed && replicaFailure === undefined) {
          const m = queue[head++]!;
          counts.messages++;
          const delivery = deliveryOf(m);
          if (delivery.count > 1) counts.redelivered++;
          if (delivery.sequence > lastSequence) lastSequence = delivery.sequence;
          if (batchLast === undefined || delivery.sequence > batchLastSequence) {
            batchLast = m;
            batchLastSequence = delivery.sequence;
          }
          inBatch++;
          const line = m.string();
          const parsed = parseCardEventLine(line);
          if (parsed.ok) {
            monitor.push(parsed.value);
            if (replica !== undefined) lines.push(line);
          } else {
            counts.invalid++;
            options.onInvalid?.(delivery.sequence, parsed.issues);
            invalid.push(m);
          }
          // A batch ends when it is full or when no further message has arrived yet: under light load each
          // message is committed at once (low latency), under heavy load batches grow (throughput).
          if (inBatch >= batchSize || head === queue.length) {
            if (head === queue.length) {
              queue.length = 0;
              head = 0;
            }
            await commitBatch();
          }
        }
      } finally {
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
        }
        draining = false;
      }
    }

    try {
      // One long-lived pull (consume) rather than a fetch per batch: the server keeps up to max_messages
      // messages on the way, so a batch is processed while the next one is already arriving.
      messages = await consumer.consume({
        max_messages: Math.max(batchSize * 4, 1000),
        expires: Math.max(1000, options.fetchExpiresMs ?? 5000),
        callback: deliver,
      });
      if (stopping || killed || replicaFailure !== undefined) messages.stop();
      const ended = await messages.closed();
      closed = true;
      // The messages delivered before the end are processed (and committed) by the drain in progress.
      await drained;
      if (failure !== undefined) throw failure.error;
      if (ended instanceof Error && !stopping && !killed && replicaFailure === undefined) throw ended;
      if (replicaFailure !== undefined) throw replicaFailure;
      if (!killed && inBatch > 0) await commitBatch();
      if (!killed) settle();
      // A clean stop leaves a checkpoint of everything acknowledged.
      if (!killed && replica !== undefined) {
        await replica.flush();
      } else if (!killed && lastSequence !== checkpointedSequence) {
        await monitor.commit(here(lastSequence));
      }
      if (!killed) await connection.flush();
    } finally {
      if (settleTimer !== undefined) clearTimeout(settleTimer);
      messages?.stop();
      if (!connection.isClosed()) await connection.close();
    }
    return snapshotCounts();
  }
}

/** A message's stream sequence and delivery count. */
export interface Delivery {
  sequence: number;
  count: number;
}

const delivery: Delivery = { sequence: 0, count: 0 };

/**
 * Sends made-up event lines to this connection itself on a subject of its own (core NATS, nothing stored) and reads
 * them back, so that the client's protocol parser is compiled before the stream's first messages: cold, it took
 * most of a ~500 ms stall in which a 20k/s stream queued up. Gives up after two seconds.
 */
async function warmConnection(connection: NatsConnection, messages = 20_000): Promise<void> {
  const subject = `_GHOSTWATCH.warmup.${process.pid}.${Date.now()}`;
  const subscription = connection.subscribe(subject, { max: messages });
  const encoder = new TextEncoder();
  const timer = setTimeout(() => subscription.unsubscribe(), 2000);
  try {
    for (let n = 0; n < messages; n++) {
      const line = `{"event_id":"WARM-${n}","ts":"2020-01-01T08:00:00+08:00","card":"6217009000000000000","terminal_id":"ATM-WARM-${n % 7}","terminal_region":"430422","channel":"atm","type":"withdrawal","amount":"100.00"}`;
      connection.publish(subject, encoder.encode(line));
    }
    for await (const m of subscription) parseCardEventLine(m.string());
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The stream sequence and delivery count of a JetStream message, read in place from its reply subject
 * (`$JS.ACK.<domain>.<account>.<stream>.<consumer>.<count>.<sequence>.…`, or the older 9-token form without
 * domain and account) instead of the client's `info`, which splits the subject into an array and builds an
 * object for every message. The result is reused: read it before the next call. Anything unexpected is left
 * to the client's own parser.
 */
export function deliveryOf(m: JsMsg): Delivery {
  // The client's message keeps its reply subject (not in the JsMsg interface).
  const reply = (m as unknown as { reply?: unknown }).reply;
  if (typeof reply === 'string' && readReply(reply)) return delivery;
  delivery.sequence = m.info.streamSequence;
  delivery.count = m.info.deliveryCount;
  return delivery;
}

const dots = new Int32Array(12);

/** Reads `reply` into `delivery`; false when it is not of the form expected. */
export function readReply(reply: string): boolean {
  let n = 0;
  for (let i = 0; i < reply.length; i++) {
    if (reply.charCodeAt(i) === 46) {
      if (n === 12) return false;
      dots[n++] = i;
    }
  }
  // 9 tokens (8 dots) in the older form, 11 or 12 tokens in the newer one.
  if (!(n === 8 || n === 10 || n === 11) || !reply.startsWith('$JS.ACK.')) return false;
  const at = n === 8 ? 3 : 5;
  const count = digits(reply, dots[at]! + 1, dots[at + 1]!);
  const sequence = digits(reply, dots[at + 1]! + 1, dots[at + 2]!);
  if (Number.isNaN(count) || Number.isNaN(sequence)) return false;
  delivery.count = count;
  delivery.sequence = sequence;
  return true;
}

function digits(s: string, at: number, end: number): number {
  if (end <= at || end - at > 15) return Number.NaN;
  let value = 0;
  for (let i = at; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    value = value * 10 + c;
  }
  return value;
}

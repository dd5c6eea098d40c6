import { existsSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { SourcePosition } from './checkpoint.js';
import type {
  FromReplica,
  ReplicaEnvironment,
  ReplicaInput,
  ReplicaSetupFunction,
  ToReplica,
} from './checkpoint-replica.js';
import { parseCardEventLine } from './event-line.js';
import { createMonitor } from './monitor.js';
import { warmUp } from './warm-up.js';

/**
 * The replica's thread (see checkpoint-replica.ts): restores the consumer's checkpoint, pushes the event lines
 * the consumer posts, in order, and saves a checkpoint when one is due and when asked to (flush).
 */
const port = parentPort!;
/** How often (in events pushed) the replica says how far it has got, besides each save. */
const PROGRESS_EVERY = 20_000;
const input = workerData as ReplicaInput;
const send = (message: FromReplica) => port.postMessage(message);
const sameSpot = (a: SourcePosition | null, b: SourcePosition | null) =>
  JSON.stringify(a) === JSON.stringify(b);

/** The setup module: a `.js` URL that does not exist is looked for as `.ts` (running from the sources). */
async function loadSetup(): Promise<ReplicaEnvironment> {
  let url = input.setup.module;
  if (url.startsWith('file:') && url.endsWith('.js') && !existsSync(fileURLToPath(url))) {
    url = `${url.slice(0, -3)}.ts`;
  }
  const module = (await import(url)) as Record<string, unknown>;
  const setup = module[input.setup.export];
  if (typeof setup !== 'function')
    throw new Error(`${input.setup.module} exports no function ${input.setup.export}`);
  return await (setup as (...args: unknown[]) => ReturnType<ReplicaSetupFunction>)(
    ...(input.setup.args ?? []),
  );
}

/**
 * Lowers this thread's priority by `niceness` (Linux keeps a nice value per thread: `/proc/thread-self` names
 * this thread's id). Best effort: elsewhere, or without the right, the thread keeps its priority.
 */
function lowerPriority(niceness: number): void {
  if (niceness <= 0) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + niceness));
  } catch {
    // Not Linux, or not allowed: the replica runs at the consumer's priority.
  }
}

async function main(): Promise<void> {
  lowerPriority(input.niceness ?? 0);
  const env = await loadSetup();
  const monitor = createMonitor({
    rules: input.rules,
    // The consumer stores the alerts; the replica's are the same and are dropped.
    sink: { upsert: async () => {} },
    reference: env.reference,
    checkpoints: env.checkpoints,
    checkpointName: input.checkpointName,
  });
  const resumed = await monitor.resume();
  if (!resumed.ok) throw new Error(resumed.issues.map((i) => i.message).join('; '));
  if (!sameSpot(resumed.value, input.resumedAt)) {
    throw new Error(
      `checkpoint "${input.checkpointName}" is at ${JSON.stringify(resumed.value)}, the consumer restored ${JSON.stringify(input.resumedAt)}: another process is writing it; run one consumer per checkpoint name`,
    );
  }
  // Before saying it is ready: the consumer is created only after that, so no line waits for this.
  if (input.warmUp === true) warmUp(input.rules);
  let position: SourcePosition | null = resumed.value;
  let saved: SourcePosition | null = resumed.value;
  let lastSaveAt = Number.NEGATIVE_INFINITY;
  /** Event lines pushed so far (reported, so that the consumer knows how far behind the replica is). */
  let events = 0;
  let reportedAt = 0;
  let lastSaveCost = 0;

  async function save(): Promise<void> {
    const started = performance.now();
    await monitor.commit(position);
    const ms = performance.now() - started;
    lastSaveAt = Date.now();
    lastSaveCost = ms;
    saved = position;
    send({ type: 'saved', position, ms, events });
  }

  async function handle(message: ToReplica): Promise<void> {
    switch (message.type) {
      case 'batch': {
        for (const line of message.lines) {
          const parsed = parseCardEventLine(line);
          // The consumer posts only the lines it parsed and pushed: a failure here is a bug, not bad input.
          if (!parsed.ok)
            throw new Error(
              `an event line the consumer accepted does not parse here (${parsed.issues[0]?.message})`,
            );
          monitor.push(parsed.value);
        }
        events += message.lines.length;
        position = message.position;
        if (events - reportedAt >= PROGRESS_EVERY) {
          reportedAt = events;
          send({ type: 'progress', events });
        }
        // Same rule as the consumer had: at most every checkpointEveryMs, at most 5% of the replica's time.
        // checkpointEveryMs 0: after every batch, whatever the cost.
        const every = input.checkpointEveryMs;
        if (every === 0 || Date.now() - lastSaveAt >= Math.max(every, 20 * lastSaveCost)) await save();
        break;
      }
      case 'flush':
        if (!sameSpot(position, saved)) await save();
        send({ type: 'flushed', position: saved, events });
        break;
      case 'ping':
        send({ type: 'progress', events });
        break;
      case 'close':
        await env.close?.();
        port.close();
        process.exit(0);
    }
  }

  // One message at a time, in order: each waits for the previous one's save.
  let chain = Promise.resolve();
  port.on('message', (message: ToReplica) => {
    chain = chain.then(() => handle(message));
    chain.catch((error: unknown) => {
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    });
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
});

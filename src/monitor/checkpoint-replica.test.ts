import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import type { SourcePosition } from './checkpoint.js';
import { startCheckpointReplica } from './checkpoint-replica.js';
import { defaultRules } from './default-rules.js';
import { parseCardEventLine } from './event-line.js';
import { createMonitor } from './monitor.js';
import { toEventLine } from './testing/event-lines.js';
import { createMemoryAlertSink } from './testing/memory-alert-sink.js';
import { scenarioReplicaSetup } from './testing/replica-setup.js';
import { scenario } from './testing/scenario.js';

const { events, reference } = scenario();
const lines = events.map(toEventLine);
const at = (sequence: number): SourcePosition => ({ kind: 'stream', stream: 'S', consumer: 'C', sequence });
const scratch = () => join(mkdtempSync(join(tmpdir(), 'gw-replica-')), 'ghostwatch.db');

/** The checkpoint stored in the SQLite database at `db` (the store opened and closed again). */
async function savedIn(db: string) {
  const store = await openStore(db);
  const saved = await store.monitor.load('nats:S:C');
  await store.close();
  return saved;
}

/** The consumer's side: a monitor fed the same lines in the same order, checkpointed inline. */
function consumerCheckpoint(upTo: number) {
  const monitor = createMonitor({ rules: defaultRules(), sink: createMemoryAlertSink(), reference });
  for (const line of lines.slice(0, upTo)) {
    const parsed = parseCardEventLine(line);
    if (!parsed.ok) throw new Error('scenario line does not parse');
    monitor.push(parsed.value);
  }
  return JSON.parse(JSON.stringify(monitor.checkpoint(at(upTo))));
}

describe('checkpoint replica (worker thread)', () => {
  it('saves exactly the checkpoint the consumer would have taken, however the events are split into batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: lines.length - 1 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: lines.length }),
        async (cuts, upTo) => {
          const db = scratch();
          const replica = await startCheckpointReplica({
            setup: scenarioReplicaSetup(db),
            rules: defaultRules(),
            checkpointName: 'nats:S:C',
            // Saves after every batch too: intermediate saves must not change the final state.
            checkpointEveryMs: 0,
            resumedAt: null,
          });
          const bounds = [0, ...cuts.filter((c) => c < upTo).sort((a, b) => a - b), upTo];
          for (let i = 1; i < bounds.length; i++) {
            replica.push(lines.slice(bounds[i - 1], bounds[i]), at(bounds[i]!));
          }
          expect(await replica.flush()).toEqual(at(upTo));
          await replica.close();
          expect(await savedIn(db)).toEqual(consumerCheckpoint(upTo));
        },
      ),
      { numRuns: 6 },
    );
  });

  it('resumes from the checkpoint it saved and carries on as one uninterrupted replica would', async () => {
    const db = scratch();
    const options = { rules: defaultRules(), checkpointName: 'nats:S:C', checkpointEveryMs: 60_000 };
    const first = await startCheckpointReplica({
      ...options,
      setup: scenarioReplicaSetup(db),
      resumedAt: null,
    });
    first.push(lines.slice(0, 100), at(100));
    await first.flush();
    // Pushed but never flushed (the process was killed): lost, the stream re-delivers it after the checkpoint.
    first.push(lines.slice(100, 150), at(150));
    await first.kill();

    const second = await startCheckpointReplica({
      ...options,
      setup: scenarioReplicaSetup(db),
      resumedAt: at(100),
    });
    second.push(lines.slice(100), at(lines.length));
    await second.flush();
    await second.close();
    const saved = await savedIn(db);
    expect(saved).toEqual(consumerCheckpoint(lines.length));
    expect(second.stats()).toMatchObject({
      saves: 1,
      lastSaved: at(lines.length),
      events: lines.length - 100,
    });
  });

  it('carries on from a checkpoint the consumer wrote itself (before replicas, or without one)', async () => {
    const db = scratch();
    const store = await openStore(db);
    const inline = createMonitor({
      rules: defaultRules(),
      sink: createMemoryAlertSink(),
      reference,
      checkpoints: store.monitor,
      checkpointName: 'nats:S:C',
    });
    for (const line of lines.slice(0, 200)) {
      const parsed = parseCardEventLine(line);
      if (parsed.ok) inline.push(parsed.value);
    }
    await inline.commit(at(200));
    await store.close();
    const replica = await startCheckpointReplica({
      setup: scenarioReplicaSetup(db),
      rules: defaultRules(),
      checkpointName: 'nats:S:C',
      checkpointEveryMs: 60_000,
      resumedAt: at(200),
    });
    replica.push(lines.slice(200), at(lines.length));
    await replica.flush();
    await replica.close();
    expect(await savedIn(db)).toEqual(consumerCheckpoint(lines.length));
  });

  it('says how far behind it is, and lets a consumer wait until it has caught up', async () => {
    const replica = await startCheckpointReplica({
      setup: scenarioReplicaSetup(scratch()),
      rules: defaultRules(),
      checkpointName: 'n',
      checkpointEveryMs: 60_000,
      resumedAt: null,
    });
    await replica.caughtUp(0);
    for (let i = 0; i < lines.length; i += 10)
      replica.push(lines.slice(i, i + 10), at(Math.min(i + 10, lines.length)));
    expect(replica.stats().events).toBe(lines.length);
    await replica.caughtUp(0);
    expect(replica.stats().lag).toBe(0);
    await replica.close();
    await expect(replica.caughtUp(0)).resolves.toBeUndefined();
  });

  it('refuses to start when the stored checkpoint is not the one the consumer restored', async () => {
    const db = scratch();
    const replica = startCheckpointReplica({
      setup: scenarioReplicaSetup(db),
      rules: defaultRules(),
      checkpointName: 'nats:S:C',
      checkpointEveryMs: 0,
      resumedAt: at(42),
    });
    await expect(replica).rejects.toThrow(
      /is at null, the consumer restored .*run one consumer per checkpoint name/,
    );
  });

  it('reports a setup that fails, and a store that fails later, as failures of the replica', async () => {
    await expect(
      startCheckpointReplica({
        setup: scenarioReplicaSetup(scratch(), { failWith: 'cannot open the store' }),
        rules: defaultRules(),
        checkpointName: 'n',
        checkpointEveryMs: 0,
        resumedAt: null,
      }),
    ).rejects.toThrow('checkpoint replica: cannot open the store');

    const failures: Error[] = [];
    const replica = await startCheckpointReplica(
      {
        setup: scenarioReplicaSetup(scratch(), { failSaveAfter: 1 }),
        rules: defaultRules(),
        checkpointName: 'n',
        checkpointEveryMs: 0,
        resumedAt: null,
      },
      (error) => failures.push(error),
    );
    replica.push(lines.slice(0, 10), at(10));
    replica.push(lines.slice(10, 20), at(20));
    await expect(replica.flush()).rejects.toThrow('the checkpoint store went away');
    expect(failures.map((f) => f.message)).toEqual(['checkpoint replica: the checkpoint store went away']);
    expect(replica.failure?.message).toBe('checkpoint replica: the checkpoint store went away');
    await replica.close();
  });
  it('warmed up and at a lower priority, saves the same checkpoint; only its own thread is lowered', async () => {
    const niceOf = (tid: string) =>
      Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const linux = existsSync('/proc/self/task');
    const threadsBefore = linux ? new Set(readdirSync('/proc/self/task')) : new Set<string>();
    const db = scratch();
    const replica = await startCheckpointReplica({
      setup: scenarioReplicaSetup(db),
      rules: defaultRules(),
      checkpointName: 'nats:S:C',
      checkpointEveryMs: 0,
      resumedAt: null,
      warmUp: true,
      niceness: 5,
    });
    if (linux) {
      // The replica's thread is 5 nicer than this one; this thread (the consumer's) keeps its priority.
      const mine = niceOf(String(process.pid));
      const started = readdirSync('/proc/self/task').filter((tid) => !threadsBefore.has(tid));
      expect(started.map(niceOf)).toContain(Math.min(19, mine + 5));
      expect(niceOf(String(process.pid))).toBe(mine);
    }
    replica.push(lines.slice(0, 40), at(40));
    replica.push(lines.slice(40), at(lines.length));
    expect(await replica.flush()).toEqual(at(lines.length));
    await replica.close();
    const saved = await savedIn(db);
    // Nothing of the warm-up's made-up events is in the replica's state.
    expect(saved).toEqual(consumerCheckpoint(lines.length));
  });
});

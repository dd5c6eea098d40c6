import { startWorker } from '../core/worker-thread.js';
import type { SourcePosition } from './checkpoint.js';
import type { CheckpointStore, ReferenceData } from './ports.js';
import type { Rules } from './rules.js';

/**
 * Checkpoints taken off the consumer's thread. A checkpoint is the whole engine state (the detectors' windows:
 * every event of the last 30 minutes), so serializing and writing it on the thread that processes events stalls
 * every event behind it. Instead a replica of the engine runs in a worker thread: after each batch's alerts are
 * stored, the source posts the batch's event lines there; the replica pushes them into its own engine (same
 * rules, same reference data, same order: the engine is deterministic, so its state is the consumer's state)
 * and saves its checkpoints itself, with its own connection to the store. The consumer never serializes state.
 *
 * The replica only ever holds events whose alerts are stored, so a checkpoint never runs ahead of the alerts: a
 * restart from it re-reads the stream after it, as before (alert ids are deterministic, re-writes are upserts).
 */

/**
 * How the worker gets its ports, since functions and connections cannot cross threads: a module (file URL; a
 * `.js` URL also finds the `.ts` source when running from the sources) exporting a function that is called with
 * `args` (structured-cloneable) inside the worker and returns the replica's environment.
 * @example { module: new URL('../store/checkpoint-replica-setup.js', import.meta.url).href,
 *            export: 'storeReplicaEnvironment', args: ['./ghostwatch.db'] }
 */
export interface ReplicaSetup {
  readonly module: string;
  readonly export: string;
  readonly args?: readonly unknown[];
}

/** What the setup function returns, in the worker. */
export interface ReplicaEnvironment {
  /** The same reference data as the consumer's (results, hence state, depend on it). */
  readonly reference: ReferenceData;
  /** Where checkpoints are saved: the consumer loads them from the same place on restart. */
  readonly checkpoints: CheckpointStore;
  close?(): Promise<void>;
}

export type ReplicaSetupFunction = (...args: never[]) => Promise<ReplicaEnvironment> | ReplicaEnvironment;

/** What the worker is started with. */
export interface ReplicaInput {
  readonly setup: ReplicaSetup;
  readonly rules: Rules;
  readonly checkpointName: string;
  /** Save at most this often (wall clock), and never more often than 20 times the save's own cost. */
  readonly checkpointEveryMs: number;
  /** Where the consumer's restored checkpoint had got to: the replica must restore the same one. */
  readonly resumedAt: SourcePosition | null;
  /**
   * Run made-up events through throwaway engines (src/monitor/warm-up.ts) in the replica's thread before it says
   * it is ready, so that its first real lines meet compiled code: cold, the replica took a core of a 2-core
   * machine away from the consumer in the stream's first second. Default false.
   */
  readonly warmUp?: boolean;
  /**
   * Nice value added to the replica's thread (Linux: a thread's own priority; elsewhere ignored), so that on a
   * busy machine the consumer's thread, the NATS server and the publishers get the cores first: the replica
   * only has to keep up on average (it may lag by up to `maxReplicaLagEvents`), the consumer must answer each
   * event within milliseconds. Default 0 (unchanged).
   */
  readonly niceness?: number;
}

export type ToReplica =
  | { readonly type: 'batch'; readonly lines: readonly string[]; readonly position: SourcePosition }
  | { readonly type: 'flush' }
  | { readonly type: 'ping' }
  | { readonly type: 'close' };

export type FromReplica =
  | { readonly type: 'ready' }
  | {
      readonly type: 'saved';
      readonly position: SourcePosition | null;
      readonly ms: number;
      readonly events: number;
    }
  | { readonly type: 'progress'; readonly events: number }
  | { readonly type: 'flushed'; readonly position: SourcePosition | null; readonly events: number }
  | { readonly type: 'error'; readonly message: string };

export interface ReplicaStats {
  /** Checkpoints the replica saved. */
  readonly saves: number;
  readonly lastSaved: SourcePosition | null;
  /** The longest save (snapshot, serialization, write), in the replica's thread. */
  readonly saveMaxMs: number;
  /** Events posted to the replica. */
  readonly events: number;
  /** Events posted that the replica had not pushed yet, when it last said (its queue, in memory). */
  readonly lag: number;
}

/**
 * The consumer's handle on its replica.
 * @example
 * const replica = await startCheckpointReplica({ setup, rules, checkpointName, checkpointEveryMs: 2000, resumedAt });
 * await monitor.commit(position, { checkpoint: false }); // alerts stored
 * replica.push(lines, position);                         // then acknowledge
 * await replica.flush(); await replica.close();          // clean stop: a checkpoint of everything
 */
export interface CheckpointReplica {
  /** Event lines (valid ones, in the order the consumer pushed them) whose alerts are stored, through `position`. */
  push(lines: readonly string[], position: SourcePosition): void;
  /** Saves a checkpoint of everything pushed so far (unless already saved) and resolves once it is stored. */
  flush(): Promise<SourcePosition | null>;
  /** Closes the replica's store and ends the worker (what is not flushed is not saved). */
  close(): Promise<void>;
  /** Ends the worker at once, as a crash would. */
  kill(): Promise<void>;
  /**
   * Resolves once the replica is at most `maxLag` events behind (at once when it is): a consumer that outruns
   * its replica waits rather than let the replica's queue grow without bound.
   */
  caughtUp(maxLag: number): Promise<void>;
  /** Set once the replica has failed (its store, its setup …): the consumer must stop. */
  readonly failure: Error | undefined;
  stats(): ReplicaStats;
}

/**
 * Starts the replica and resolves once it has restored the same checkpoint as the consumer (its `resumedAt`).
 * @param onFailure called once if the replica fails later on.
 */
export async function startCheckpointReplica(
  input: ReplicaInput,
  onFailure?: (error: Error) => void,
): Promise<CheckpointReplica> {
  const worker = startWorker(new URL('./checkpoint-replica-worker.js', import.meta.url), input);
  let failure: Error | undefined;
  let closed = false;
  let ready: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const flushes: { resolve: (p: SourcePosition | null) => void; reject: (e: Error) => void }[] = [];
  const stats = { saves: 0, lastSaved: null as SourcePosition | null, saveMaxMs: 0, events: 0 };
  /** Events the replica has said it pushed. */
  let done = 0;
  const waiters: { maxLag: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  const progressed = (events: number) => {
    done = Math.max(done, events);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (stats.events - done <= w.maxLag) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };

  const fail = (error: Error) => {
    if (failure !== undefined || closed) return;
    failure = error;
    ready?.reject(error);
    for (const f of flushes.splice(0)) f.reject(error);
    for (const w of waiters.splice(0)) w.reject(error);
    onFailure?.(error);
    void worker.terminate();
  };
  worker.on('message', (message: FromReplica) => {
    switch (message.type) {
      case 'ready':
        ready?.resolve();
        break;
      case 'saved':
        stats.saves++;
        stats.lastSaved = message.position;
        stats.saveMaxMs = Math.max(stats.saveMaxMs, message.ms);
        progressed(message.events);
        break;
      case 'progress':
        progressed(message.events);
        break;
      case 'flushed':
        progressed(message.events);
        flushes.shift()?.resolve(message.position);
        break;
      case 'error':
        fail(new Error(`checkpoint replica: ${message.message}`));
        break;
    }
  });
  worker.on('error', (error) => fail(new Error(`checkpoint replica: ${error.message}`)));
  worker.on('exit', (code) => fail(new Error(`checkpoint replica stopped unexpectedly (exit code ${code})`)));

  await new Promise<void>((resolve, reject) => {
    ready = { resolve, reject };
  });
  ready = undefined;

  return {
    push(lines, position) {
      if (failure !== undefined || closed) return;
      stats.events += lines.length;
      worker.postMessage({ type: 'batch', lines, position } satisfies ToReplica);
    },
    flush() {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        flushes.push({ resolve, reject });
        worker.postMessage({ type: 'flush' } satisfies ToReplica);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const f of flushes.splice(0)) f.reject(new Error('checkpoint replica closed'));
      for (const w of waiters.splice(0)) w.reject(new Error('checkpoint replica closed'));
      if (failure !== undefined) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' } satisfies ToReplica);
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (closed) return;
      closed = true;
      for (const f of flushes.splice(0)) f.reject(new Error('checkpoint replica killed'));
      for (const w of waiters.splice(0)) w.reject(new Error('checkpoint replica killed'));
      await worker.terminate();
    },
    caughtUp(maxLag) {
      if (failure !== undefined) return Promise.reject(failure);
      if (stats.events - done <= maxLag) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({ maxLag, resolve, reject });
        // Answered after every batch posted before it: the exact count, whatever the progress reports' pace.
        worker.postMessage({ type: 'ping' } satisfies ToReplica);
      });
    },
    get failure() {
      return failure;
    },
    stats: () => ({ ...stats, lag: stats.events - done }),
  };
}

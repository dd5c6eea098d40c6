import { fail, ok, type Result } from '../core/result.js';
import type { EpochMs } from '../core/time.js';
import type { CardEvent } from '../records/schemas.js';
import type { MonitorCheckpoint, SourcePosition } from './checkpoint.js';
import {
  createEngine,
  type DetectorFailure,
  type Engine,
  type EngineStats,
  type PushOutcome,
} from './engine.js';
import type { AlertSink, CheckpointStore, ReferenceData } from './ports.js';
import type { Rules } from './rules.js';

export interface MonitorOptions {
  readonly rules: Rules;
  readonly sink: AlertSink;
  readonly reference: ReferenceData;
  /** Wall clock, for statistics only: alerts depend on event time alone. */
  readonly clock?: () => EpochMs;
  /** Where checkpoints go, and under which name; without one, `commit` only writes alerts. */
  readonly checkpoints?: CheckpointStore;
  readonly checkpointName?: string;
  readonly onError?: (failure: DetectorFailure) => void;
  readonly onLate?: (event: CardEvent) => void;
  /**
   * Called after each event has run through the detectors (latency metrics). The event is the engine's record,
   * set again for the next event: read it during the call, copy what is kept.
   */
  readonly onProcessed?: (event: CardEvent) => void;
}

/**
 * The monitor: the engine wired to its ports. Push events synchronously; `commit` stores their effects (alerts
 * first, then the checkpoint). A source acknowledges its input only after `commit` resolves.
 * @example
 * const monitor = createMonitor({ rules: defaultRules(), sink, reference, checkpoints, checkpointName: 'replay' });
 * await monitor.resume();                       // restore the last checkpoint, if any
 * for (const e of events) monitor.push(e);
 * monitor.drain();
 * await monitor.commit({ kind: 'file', path, line });
 */
export interface Monitor {
  /** `cardIndex`: see `Engine.push`. */
  push(event: CardEvent, cardIndex?: number): PushOutcome;
  /** `push` for a caller that reuses its event object: see `Engine.pushReused`. */
  pushReused(event: CardEvent, cardIndex?: number): PushOutcome;
  drain(): void;
  /**
   * Writes changed alerts to the sink, then saves a checkpoint (when a store is configured and `checkpoint` is
   * not false: a source that can re-read its input from the last checkpoint may checkpoint less often).
   */
  commit(
    position?: SourcePosition | null,
    options?: { readonly checkpoint?: boolean },
  ): Promise<{ readonly alerts: number }>;
  /** Restores the last checkpoint; returns where its source had got to (null when there was none). */
  resume(): Promise<Result<SourcePosition | null>>;
  checkpoint(position?: SourcePosition | null): MonitorCheckpoint;
  stats(): EngineStats & { readonly commits: number; readonly lastCommitAt: EpochMs | null };
  readonly engine: Engine;
  /** The rules and checkpoint name it was made with (a checkpoint replica is made with the same). */
  readonly rules: Rules;
  readonly checkpointName: string;
}

export function createMonitor(options: MonitorOptions): Monitor {
  const engine = createEngine({
    rules: options.rules,
    reference: options.reference,
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.onLate ? { onLate: options.onLate } : {}),
    ...(options.onProcessed ? { onProcessed: options.onProcessed } : {}),
  });
  const clock = options.clock ?? Date.now;
  const name = options.checkpointName ?? 'monitor';
  let commits = 0;
  let lastCommitAt: EpochMs | null = null;

  const checkpoint = (position: SourcePosition | null = null, copy = true): MonitorCheckpoint => ({
    format: 'ghostwatch.monitor.checkpoint/1',
    ruleVersion: engine.ruleVersion,
    position,
    engine: engine.snapshot({ copy }),
  });

  return {
    engine,
    rules: options.rules,
    checkpointName: name,
    push: (event, cardIndex) => engine.push(event, cardIndex),
    pushReused: (event, cardIndex) => engine.pushReused(event, cardIndex),
    drain: () => engine.drain(),
    checkpoint,
    async commit(position = null, commitOptions = {}) {
      const alerts = engine.takeChanges();
      if (alerts.length > 0) await options.sink.upsert(alerts);
      if (options.checkpoints && commitOptions.checkpoint !== false) {
        // No copy of the state: the store serializes it before its first await (CheckpointStore contract),
        // while the engine cannot move on.
        await options.checkpoints.save(name, checkpoint(position, false));
      }
      commits++;
      lastCommitAt = clock();
      return { alerts: alerts.length };
    },
    async resume() {
      if (!options.checkpoints) return ok(null);
      const saved = await options.checkpoints.load(name);
      if (saved === undefined) return ok(null);
      if (saved.format !== 'ghostwatch.monitor.checkpoint/1') {
        return fail('checkpoint.format', `checkpoint "${name}" is not a monitor checkpoint`);
      }
      if (saved.ruleVersion !== engine.ruleVersion) {
        return fail(
          'checkpoint.rules_changed',
          `checkpoint "${name}" was made with rules ${saved.ruleVersion}, not ${engine.ruleVersion}: replay from the start or use another checkpoint name`,
        );
      }
      const restored = engine.restore(saved.engine);
      return restored.ok ? ok(saved.position) : restored;
    },
    stats: () => ({ ...engine.stats(), commits, lastCommitAt }),
  };
}

import { resolve } from 'node:path';
import type { Issue } from '../../core/result.js';
import type { EpochMs } from '../../core/time.js';
import {
  type IngestSink,
  type LoadId,
  MONITOR_REPLAY_FILE_KEY,
  type QuarantinedRow,
} from '../../ingest/ports.js';
import type { CardEvent } from '../../records/schemas.js';
import type { Monitor } from '../monitor.js';
import { BatchReader, type EventBatch } from './event-columns.js';
import { readEventBatches, readEventBatchesInWorker } from './replay-reader.js';

export interface ReplayOptions {
  /** Resume from the monitor's last checkpoint for this file (skipping the lines it covers). Default true. */
  readonly resume?: boolean;
  /** Commit (alerts, then checkpoint) after at least this many lines. Default 1,000,000. */
  readonly commitEveryLines?: number;
  /**
   * The most of the replay's time its commits may take (default 0.1). A commit that took a second or more (the
   * whole state of a county of a million cards is hundreds of MB) puts the next one off until the replay has run
   * (1 / share − 1) times as long since: the checkpoints then cost at most that share, and a crash re-reads at most
   * that much more. Commits of a smaller state (under a second) come every `commitEveryLines`, as before.
   */
  readonly maxCommitShare?: number;
  /** Keep at most this many invalid-line reports. Default 100. */
  readonly maxInvalidReports?: number;
  /**
   * Where invalid lines are quarantined (file, line, column, reason, raw text), as ingest quarantines them: the
   * store's ingest sink, one load of kind `card-events` per replay under the file key `monitor-replay:PATH`
   * (so that it neither replaces nor is replaced by the quarantine of an ingest of the same file). A resumed
   * replay validates the lines its checkpoint covers too: the quarantine always covers the whole file.
   */
  readonly quarantine?: IngestSink;
  readonly clock?: () => EpochMs;
  /** Called after each chunk of the file (about 1 MiB): for a progress display. */
  readonly onProgress?: (progress: ReplayProgress) => void;
  /**
   * Read and validate the file in a worker thread while this thread runs the engine (default true); false reads
   * in this thread. The events, alerts, quarantine and checkpoints are the same either way.
   */
  readonly readInWorker?: boolean;
}

export interface ReplayProgress {
  readonly lines: number;
  readonly events: number;
  readonly bytesRead: number;
  readonly alertsOpened: number;
}

/** One line that is not a valid card event: its number and why (values masked). */
export interface InvalidLine {
  readonly line: number;
  readonly issues: readonly Issue[];
}

export interface ReplaySummary {
  readonly file: string;
  readonly lines: number;
  /** Lines skipped because the checkpoint already covered them. */
  readonly skipped: number;
  readonly events: number;
  readonly invalid: number;
  readonly invalidLines: readonly InvalidLine[];
  /** Invalid lines written to the quarantine (the whole file's, skipped lines included); 0 without one. */
  readonly quarantined: number;
  readonly duplicates: number;
  readonly late: number;
  readonly detectorErrors: number;
  readonly alertsWritten: number;
  /** Alerts the engine opened, updated and closed during this run. */
  readonly alertsOpened: number;
  readonly alertUpdates: number;
  readonly alertsClosed: number;
  readonly ms: number;
  readonly eventsPerSecond: number;
}

/**
 * Replays a card_events.jsonl file through a monitor in event time, as fast as the machine allows: each line
 * validated (invalid lines counted and reported, never fatal), duplicates ignored, out-of-order events within
 * the allowed lateness reordered. At the end of the file the buffer is drained and everything is committed.
 * Re-running over the same file writes the same alerts (their ids are deterministic).
 * @example
 * const summary = await replayFile('card_events.jsonl', monitor);
 * // { events: 1000000, invalid: 2, alertsWritten: 41, eventsPerSecond: 612000, … }
 */
export async function replayFile(
  path: string,
  monitor: Monitor,
  options: ReplayOptions = {},
): Promise<ReplaySummary> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const file = resolve(path);
  const every = options.commitEveryLines ?? 1_000_000;
  const share = Math.min(1, Math.max(0.001, options.maxCommitShare ?? 0.1));
  /** When the next commit may come (clock time), after a slow one. */
  let nextCommitAt = Number.NEGATIVE_INFINITY;
  const maxReports = options.maxInvalidReports ?? 100;
  let skipThrough = 0;
  if (options.resume !== false) {
    const resumed = await monitor.resume();
    if (!resumed.ok) throw new Error(resumed.issues.map((i) => i.message).join('; '));
    const position = resumed.value;
    if (position?.kind === 'file' && position.path === file) skipThrough = position.line;
  }
  const before = monitor.stats();
  let events = 0;
  let invalid = 0;
  let alertsWritten = 0;
  let sinceCommit = 0;
  const invalidLines: InvalidLine[] = [];
  const quarantine = options.quarantine;
  let loadId: LoadId | undefined;
  if (quarantine !== undefined) {
    loadId = await quarantine.beginLoad({
      fileKey: `${MONITOR_REPLAY_FILE_KEY}${file}`,
      fileName: path,
      kind: 'card-events',
      startedAt: Date.now(),
    });
  }
  let quarantined = 0;
  let pending: QuarantinedRow[] = [];
  const flushQuarantine = async (throughLine: number) => {
    if (quarantine === undefined || pending.length === 0) return;
    const rows = pending;
    pending = [];
    await quarantine.writeBatch(loadId!, {
      kind: 'card-events',
      records: [],
      quarantined: rows,
      flags: [],
      throughLine,
    });
  };

  const reader = new BatchReader(monitor.engine.cards);
  // The reader sets each event on one record (no object per event): the engine copies what it keeps.
  const push = (event: CardEvent, cardIndex: number) => {
    monitor.pushReused(event, cardIndex);
  };
  let lines = 0;
  const onBatch = async (batch: EventBatch) => {
    lines = batch.lastLine;
    for (const bad of batch.invalid) {
      const skipped = bad.line <= skipThrough;
      if (quarantine !== undefined) {
        pending.push(quarantineRow(bad.line, bad.raw, bad.issues));
        quarantined++;
      }
      if (skipped) continue;
      sinceCommit++;
      invalid++;
      if (invalidLines.length < maxReports) invalidLines.push({ line: bad.line, issues: bad.issues });
    }
    sinceCommit += batch.count;
    events += batch.count;
    reader.forEachReused(batch, push);
    if (batch.final) return;
    const lastLine = batch.lastLine;
    options.onProgress?.({
      lines: lastLine,
      events,
      bytesRead: batch.bytesRead,
      alertsOpened: monitor.stats().alertsOpened - before.alertsOpened,
    });
    if (pending.length >= QUARANTINE_BATCH) await flushQuarantine(lastLine);
    if (sinceCommit >= every && lastLine > skipThrough && clock() >= nextCommitAt) {
      sinceCommit = 0;
      const commitStarted = clock();
      await flushQuarantine(lastLine);
      alertsWritten += (await monitor.commit({ kind: 'file', path: file, line: lastLine })).alerts;
      const took = clock() - commitStarted;
      nextCommitAt = took >= SLOW_COMMIT_MS ? clock() + took * (1 / share - 1) : Number.NEGATIVE_INFINITY;
    }
  };
  const input = { path: file, skipThrough, validateSkipped: quarantine !== undefined };
  if (options.readInWorker === false) await readEventBatches(input, onBatch);
  else await readEventBatchesInWorker(input, onBatch);
  monitor.drain();
  await flushQuarantine(lines);
  alertsWritten += (await monitor.commit({ kind: 'file', path: file, line: lines })).alerts;
  if (quarantine !== undefined) {
    await quarantine.finishLoad(loadId!, {
      finishedAt: Date.now(),
      rows: lines,
      loaded: lines - quarantined,
      quarantined,
      flagged: 0,
    });
  }
  const after = monitor.stats();
  const ms = clock() - started;
  return {
    file: path,
    lines,
    skipped: Math.min(skipThrough, lines),
    events,
    invalid,
    invalidLines,
    quarantined,
    duplicates: after.duplicates - before.duplicates,
    late: after.late - before.late,
    detectorErrors: after.detectorErrors - before.detectorErrors,
    alertsWritten,
    alertsOpened: after.alertsOpened - before.alertsOpened,
    alertUpdates: after.alertUpdates - before.alertUpdates,
    alertsClosed: after.alertsClosed - before.alertsClosed,
    ms,
    eventsPerSecond: ms > 0 ? Math.round((events / ms) * 1000) : 0,
  };
}

/** A commit at least this long (ms) puts the next one off (`maxCommitShare`). */
const SLOW_COMMIT_MS = 1000;

/** Quarantined rows written together (and at every commit). */
const QUARANTINE_BATCH = 1000;

/** A line that is not a card event, as the quarantine keeps it: the first issue's field is its column. */
function quarantineRow(line: number, raw: string, issues: readonly Issue[]): QuarantinedRow {
  const first = issues[0];
  const column = first !== undefined && first.path.length > 0 ? String(first.path[0]) : undefined;
  return {
    line,
    column,
    code: first?.code ?? 'card_event.invalid',
    reason: issues.map((i) => i.message).join('; '),
    raw,
  };
}

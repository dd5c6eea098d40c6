import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemorySink } from '../../ingest/testing/memory-sink.js';
import { openStore } from '../../store/open-store.js';
import { defaultRules } from '../default-rules.js';
import { parseCardEventLine } from '../event-line.js';
import { createMonitor } from '../monitor.js';
import { toEventLine } from '../testing/event-lines.js';
import { writeTrafficFile } from '../testing/generate-events.js';
import { createMemoryAlertSink } from '../testing/memory-alert-sink.js';
import { createMemoryCheckpointStore } from '../testing/memory-checkpoint-store.js';
import { runEvents } from '../testing/run.js';
import { scenario } from '../testing/scenario.js';
import { trafficReference } from '../testing/traffic-reference.js';
import { replayFile } from './replay-file.js';

const { events, reference } = scenario();
const expected = runEvents(events, { reference }).alerts;

function writeFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-monitor-'));
  const path = join(dir, 'card_events.jsonl');
  writeFileSync(path, `\uFEFF${lines.join('\r\n')}\n`);
  return path;
}

describe('replayFile', () => {
  const lines = events.map(toEventLine);
  lines.splice(10, 0, '{"event_id":"BAD","ts":"not a time","card":"6217001234567890123"}', '', 'not json');
  lines.splice(31, 0, lines[30]!); // a duplicate delivery, right after the first
  const path = writeFile(lines);

  it('replays a file in event time: invalid lines counted and reported, duplicates ignored, same alerts', async () => {
    const sink = createMemoryAlertSink();
    const monitor = createMonitor({ rules: defaultRules(), sink, reference });
    const summary = await replayFile(path, monitor);
    expect(summary).toMatchObject({
      lines: lines.length,
      events: events.length + 1,
      invalid: 3,
      duplicates: 1,
      late: 0,
    });
    expect(summary.invalidLines.map((l) => l.line)).toEqual([11, 12, 13]);
    expect(JSON.stringify(summary.invalidLines)).not.toContain('6217001234567890123');
    expect(sink.list()).toEqual(expected);
  });

  it('a second replay of the same file writes the same alerts, no new ones', async () => {
    const sink = createMemoryAlertSink();
    await replayFile(path, createMonitor({ rules: defaultRules(), sink, reference }));
    await replayFile(path, createMonitor({ rules: defaultRules(), sink, reference }));
    expect(sink.list()).toEqual(expected);
  });

  it('resumes from its checkpoint after a crash mid-file: no alert lost, none duplicated', async () => {
    const sink = createMemoryAlertSink();
    const checkpoints = createMemoryCheckpointStore();
    const options = { rules: defaultRules(), sink, reference, checkpoints, checkpointName: 'replay' };
    const crashed = createMonitor(options);
    const k = Math.floor(lines.length / 2);
    lines.slice(0, k).forEach((line) => {
      const parsed = parseCardEventLine(line);
      if (parsed.ok) crashed.push(parsed.value);
    });
    await crashed.commit({ kind: 'file', path: resolve(path), line: k });
    // Work after the checkpoint, then the crash: never committed.
    for (const line of lines.slice(k, k + 40)) {
      const parsed = parseCardEventLine(line);
      if (parsed.ok) crashed.push(parsed.value);
    }
    const summary = await replayFile(path, createMonitor(options));
    expect(summary.skipped).toBe(k);
    expect(summary.duplicates).toBe(0);
    expect(sink.list()).toEqual(expected);
    expect([...sink.writes.keys()].sort()).toEqual(expected.map((a) => a.alertId));
  });

  it('quarantines invalid lines with line, column and reason, and processes the rest', async () => {
    const quarantine = createMemorySink();
    const sink = createMemoryAlertSink();
    const summary = await replayFile(path, createMonitor({ rules: defaultRules(), sink, reference }), {
      quarantine,
    });
    expect(summary.quarantined).toBe(3);
    const rows = quarantine.quarantined(`monitor-replay:${resolve(path)}`);
    expect(rows.map((r) => [r.line, r.column])).toEqual([
      [11, 'ts'],
      [12, undefined],
      [13, undefined],
    ]);
    expect(rows[0]!.reason).toMatch(/^ts: /);
    expect(rows[2]!.code).toBe('jsonl.invalid_json');
    expect(rows[2]!.raw).toBe('not json');
    expect(quarantine.loads[0]!.summary).toMatchObject({ rows: lines.length, quarantined: 3 });
    expect(sink.list()).toEqual(expected);
  });

  it('a resumed replay still quarantines the invalid lines its checkpoint covered', async () => {
    const checkpoints = createMemoryCheckpointStore();
    const options = { rules: defaultRules(), sink: createMemoryAlertSink(), reference, checkpoints };
    const first = createMonitor(options);
    // A checkpoint past the invalid lines (11-13), as a killed replay would have left.
    for (const line of lines.slice(0, 20)) {
      const parsed = parseCardEventLine(line);
      if (parsed.ok) first.push(parsed.value);
    }
    await first.commit({ kind: 'file', path: resolve(path), line: 20 });
    const quarantine = createMemorySink();
    const summary = await replayFile(path, createMonitor(options), { quarantine });
    expect(summary.skipped).toBe(20);
    expect(summary.invalid).toBe(0);
    expect(quarantine.quarantined(`monitor-replay:${resolve(path)}`).map((r) => r.line)).toEqual([
      11, 12, 13,
    ]);
  });

  it('reads in a worker or in this thread alike: same summary, alerts, quarantine and checkpoint', async () => {
    const runs = [];
    for (const readInWorker of [true, false]) {
      const quarantine = createMemorySink();
      const sink = createMemoryAlertSink();
      const checkpoints = createMemoryCheckpointStore();
      const monitor = createMonitor({ rules: defaultRules(), sink, reference, checkpoints });
      const {
        ms: _ms,
        eventsPerSecond: _eps,
        ...summary
      } = await replayFile(path, monitor, {
        quarantine,
        readInWorker,
        commitEveryLines: 1,
      });
      runs.push({
        summary,
        alerts: sink.list(),
        rows: quarantine.quarantined(`monitor-replay:${resolve(path)}`),
        checkpoint: await checkpoints.load('monitor'),
      });
    }
    expect(runs[0]!.alerts).toEqual(expected);
    expect(runs[0]).toStrictEqual(runs[1]);
  });

  it('records the quarantine in the store, listed beside the ingest quarantine of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-monitor-store-'));
    const store = await openStore(join(dir, 'ghostwatch.db'));
    try {
      const monitor = createMonitor({ rules: defaultRules(), sink: store.monitor, reference });
      await replayFile(path, monitor, { quarantine: store });
      const listed = await store.quarantine({ file: path });
      expect(listed.map((q) => q.line)).toEqual([11, 12, 13]);
      expect(listed[0]).toMatchObject({ kind: 'card-events', column: 'ts' });
      // Replaying again replaces the replay's quarantine: still three rows.
      await replayFile(path, createMonitor({ rules: defaultRules(), sink: store.monitor, reference }), {
        quarantine: store,
      });
      expect((await store.quarantine({ file: path })).length).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('puts commits off after a slow one, so that they take at most their share of the replay; fast ones as before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-monitor-'));
    const traffic = join(dir, 'traffic.jsonl');
    await writeTrafficFile(traffic, 14_000); // four chunks of the reader: three commits on the way, one at the end
    const run = async (saveMs: number, maxCommitShare?: number) => {
      // Time stands still but for the saves: each takes `saveMs`.
      let now = 0;
      const checkpoints = createMemoryCheckpointStore();
      const save = checkpoints.save;
      checkpoints.save = async (name, checkpoint) => {
        now += saveMs;
        await save(name, checkpoint);
      };
      const sink = createMemoryAlertSink();
      const monitor = createMonitor({
        rules: defaultRules(),
        sink,
        reference: trafficReference(),
        checkpoints,
        checkpointName: 'replay',
      });
      const summary = await replayFile(traffic, monitor, {
        commitEveryLines: 1,
        clock: () => now,
        ...(maxCommitShare === undefined ? {} : { maxCommitShare }),
      });
      return { saves: checkpoints.saves, alerts: sink.list(), summary, position: await monitor.resume() };
    };
    const fast = await run(5);
    const slow = await run(2000);
    const slowAnyShare = await run(2000, 1);
    expect(fast.saves).toBe(4);
    expect(slowAnyShare.saves).toBe(4);
    // After the first 2 s save the next may come only after 18 s more of replay: none before the end.
    expect(slow.saves).toBe(2);
    // The same alerts and the same end, whatever the commits.
    expect(slow.alerts).toEqual(fast.alerts);
    expect(slow.alerts.length).toBeGreaterThan(0);
    expect(slow.summary.lines).toBe(14_000);
    expect(slow.position).toEqual(fast.position);
  });
});

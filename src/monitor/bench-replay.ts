import { defaultRules } from './default-rules.js';
import { createMonitor } from './monitor.js';
import type { ReferenceData } from './ports.js';
import type { Rules } from './rules.js';
import { forEachLine } from './sources/line-reader.js';
import { replayFile } from './sources/replay-file.js';
import { createMemoryAlertSink } from './testing/memory-alert-sink.js';

export interface ReplayBenchResult {
  readonly events: number;
  readonly alerts: number;
  /** Replay with the rules: read, validate, engine, detectors, alerts. */
  readonly eventsPerSecond: number;
  /** The same file read and split into lines, each through JSON.parse only. */
  readonly parseOnlyPerSecond: number;
  /** eventsPerSecond / parseOnlyPerSecond. */
  readonly ratio: number;
  readonly peakRssMb: number;
}

/**
 * The replay micro-benchmark for `npm run bench`: bare JSON-line parsing of the file, then a full replay with
 * the rules (default rules, empty reference data unless given), in the same process.
 * @example await benchReplay('.bench/card_events-10M.jsonl') // { eventsPerSecond: 612000, ratio: 0.71, … }
 */
export async function benchReplay(
  path: string,
  options: { rules?: Rules; reference?: ReferenceData } = {},
): Promise<ReplayBenchResult> {
  let parsed = 0;
  const t0 = performance.now();
  await forEachLine(path, (line) => {
    if (line.length > 0) {
      JSON.parse(line);
      parsed++;
    }
  });
  const parseMs = performance.now() - t0;
  const sink = createMemoryAlertSink();
  const monitor = createMonitor({
    rules: options.rules ?? defaultRules(),
    sink,
    reference: options.reference ?? { card: () => undefined },
  });
  const summary = await replayFile(path, monitor, { resume: false });
  const parseOnlyPerSecond = Math.round((parsed / parseMs) * 1000);
  return {
    events: summary.events,
    alerts: sink.alerts.size,
    eventsPerSecond: summary.eventsPerSecond,
    parseOnlyPerSecond,
    ratio: Math.round((summary.eventsPerSecond / parseOnlyPerSecond) * 100) / 100,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

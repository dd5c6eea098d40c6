import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { maskText } from '../../core/mask.js';
import { createProgressReporter, type IngestProgress } from '../../ingest/progress.js';
import { createMonitor, type Monitor } from '../../monitor/monitor.js';
import type { LoadedReferenceData } from '../../monitor/ports.js';
import type { Rules } from '../../monitor/rules.js';
import { createNatsSource, DEFAULT_STREAM } from '../../monitor/sources/nats-source.js';
import { replayFile } from '../../monitor/sources/replay-file.js';
import { storeReplicaSetup } from '../../store/checkpoint-replica-setup.js';
import type { Store } from '../../store/store.js';
import { booleanOption, type Command, type CommandContext, stringOption } from '../context.js';
import { CliError, EXIT_OK, usageError } from '../errors.js';
import { rulesFromOption } from './monitor-rules.js';

const SYNOPSIS =
  'monitor --replay FILE | --nats URL [--subject S] [--stream N] [--durable D] [--rules FILE] [--from-start] [--json]';

/** How many invalid lines are printed (each with its line number and masked reasons); all are counted. */
const INVALID_SHOWN = 10;

function monitorFor(store: Store, rules: Rules, reference: LoadedReferenceData, name: string): Monitor {
  return createMonitor({
    rules,
    sink: store.monitor,
    reference,
    checkpoints: store.monitor,
    checkpointName: name,
  });
}

async function replay(
  context: CommandContext,
  store: Store,
  rules: Rules,
  reference: LoadedReferenceData,
  file: string,
): Promise<Record<string, unknown>> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new CliError(`${file}: no such file; give a card_events.jsonl file (DATA_FORMATS.md)`);
  }
  const path = resolve(file);
  const monitor = monitorFor(store, rules, reference, `replay:${path}`);
  const bytesTotal = statSync(path).size;
  const started = context.clock();
  const progress = createProgressReporter({ stream: context.io.stderr, clock: context.clock, label: file });
  let last: IngestProgress | undefined;
  let summary: Awaited<ReturnType<typeof replayFile>>;
  try {
    summary = await replayFile(file, monitor, {
      resume: !booleanOption(context.values, 'from-start'),
      quarantine: store,
      onProgress: (p) => {
        last = { rows: p.lines, bytesRead: p.bytesRead, bytesTotal, elapsedMs: context.clock() - started };
        progress.update(last);
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/checkpoint/.test(message)) {
      throw new CliError(`${message} (monitor --replay ${file} --from-start replays from the first line)`);
    }
    throw error;
  } finally {
    if (last) progress.done(last);
  }
  for (const invalid of summary.invalidLines.slice(0, INVALID_SHOWN)) {
    context.io.stderr.write(
      `${file}:${invalid.line}: not a valid card event: ${maskText(invalid.issues.map((i) => i.message).join('; '))}\n`,
    );
  }
  if (summary.quarantined > 0) {
    context.io.stderr.write(
      `${file}: ${summary.quarantined} invalid lines quarantined, the rest processed (see: ghostwatch quarantine --file ${file})\n`,
    );
  }
  return {
    source: 'replay',
    file,
    ruleVersion: rules.version,
    lines: summary.lines,
    skipped: summary.skipped,
    events: summary.events,
    duplicates: summary.duplicates,
    late: summary.late,
    invalid: summary.invalid,
    quarantined: summary.quarantined,
    detectorErrors: summary.detectorErrors,
    alertsOpened: summary.alertsOpened,
    alertsUpdated: summary.alertUpdates,
    alertsClosed: summary.alertsClosed,
    alertsWritten: summary.alertsWritten,
    ms: Math.round(summary.ms),
    eventsPerSecond: summary.eventsPerSecond,
  };
}

async function consume(
  context: CommandContext,
  store: Store,
  rules: Rules,
  reference: LoadedReferenceData,
  url: string,
): Promise<Record<string, unknown>> {
  const stream = stringOption(context.values, 'stream') ?? DEFAULT_STREAM;
  const durable = stringOption(context.values, 'durable') ?? 'ghostwatch-monitor';
  const subject = stringOption(context.values, 'subject');
  const monitor = monitorFor(store, rules, reference, `nats:${stream}:${durable}`);
  let invalidShown = 0;
  const source = createNatsSource({
    monitor,
    servers: url,
    stream,
    consumer: durable,
    ...(subject === undefined ? {} : { subject }),
    // Checkpoints are taken by a replica of the engine in a worker thread, with its own connection to the store.
    checkpointReplica: storeReplicaSetup(context.dbLocation),
    onInvalid: (sequence, issues) => {
      if (invalidShown++ < INVALID_SHOWN) {
        context.io.stderr.write(
          `${stream} #${sequence}: not a valid card event: ${maskText(issues.map((i) => i.message).join('; '))}\n`,
        );
      }
    },
  });
  const stop = () => {
    void source.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const tty = context.io.stderr.isTTY === true;
  const started = context.clock();
  const ticker = tty
    ? setInterval(() => {
        const s = monitor.stats();
        const seconds = Math.max(1, (context.clock() - started) / 1000);
        context.io.stderr.write(
          `\r${stream}: ${s.received} events  ${Math.round(s.received / seconds)}/s  ${s.alertsOpened} alerts opened  (Ctrl-C stops)\u001b[K`,
        );
      }, 500)
    : undefined;
  if (!tty) context.io.stderr.write(`monitor: consuming ${stream} as ${durable} until SIGINT or SIGTERM\n`);
  let counts: Awaited<ReturnType<typeof source.run>>;
  try {
    counts = await source.run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `cannot consume ${stream} at ${url} (${message}): check that NATS with JetStream runs there`,
    );
  } finally {
    if (ticker) {
      clearInterval(ticker);
      context.io.stderr.write('\n');
    }
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  const s = monitor.stats();
  return {
    source: 'nats',
    stream,
    durable,
    ruleVersion: rules.version,
    messages: counts.messages,
    redelivered: counts.redelivered,
    events: counts.messages - counts.invalid,
    duplicates: s.duplicates,
    late: s.late,
    invalid: counts.invalid,
    detectorErrors: s.detectorErrors,
    alertsOpened: s.alertsOpened,
    alertsUpdated: s.alertUpdates,
    alertsClosed: s.alertsClosed,
    alertsWritten: counts.alertsWritten,
    buffered: s.buffered,
  };
}

function formatSummary(s: Record<string, unknown>): string {
  const what = s.source === 'replay' ? String(s.file) : `${String(s.stream)} (${String(s.durable)})`;
  const skipped = Number(s.skipped ?? 0) > 0 ? `, ${s.skipped} lines already covered by the checkpoint` : '';
  return (
    `monitor ${what}: ${s.events} events${skipped}, ${s.duplicates} duplicates, ${s.late} late, ${s.invalid} invalid; ` +
    `alerts: ${s.alertsOpened} opened, ${s.alertsUpdated} updates, ${s.alertsClosed} closed (rules ${s.ruleVersion})\n`
  );
}

export const monitorCommand: Command = {
  name: 'monitor',
  synopsis: SYNOPSIS,
  summary: 'stream monitoring of card events (event time): replay a card_events.jsonl file or consume NATS',
  options: {
    replay: { type: 'string' },
    nats: { type: 'string' },
    subject: { type: 'string' },
    stream: { type: 'string' },
    durable: { type: 'string' },
    rules: { type: 'string' },
    'from-start': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(context) {
    const file = stringOption(context.values, 'replay');
    const url = stringOption(context.values, 'nats');
    if ((file === undefined) === (url === undefined) || context.positionals.length > 0) {
      throw usageError(`monitor takes one of --replay FILE or --nats URL; usage: ghostwatch ${SYNOPSIS}`);
    }
    const rules = await rulesFromOption(stringOption(context.values, 'rules'));
    const store = await context.openStore();
    const startedAt = context.clock();
    try {
      const reference = await store.monitor.loadReferenceData();
      let summary: Record<string, unknown>;
      try {
        summary =
          file !== undefined
            ? await replay(context, store, rules, reference, file)
            : await consume(context, store, rules, reference, url!);
      } catch (error) {
        await store.recordJobRun({
          job: 'monitor',
          startedAt,
          finishedAt: context.clock(),
          outcome: 'failed',
          summary: { error: maskText(error instanceof Error ? error.message : String(error)) },
        });
        throw error;
      }
      summary = { ...summary, referenceCards: reference.cards };
      await store.recordJobRun({
        job: 'monitor',
        startedAt,
        finishedAt: context.clock(),
        outcome: 'ok',
        summary,
      });
      context.io.stdout.write(
        booleanOption(context.values, 'json') ? `${JSON.stringify(summary)}\n` : formatSummary(summary),
      );
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

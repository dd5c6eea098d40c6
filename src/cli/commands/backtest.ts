import { maskCardNumber } from '../../core/card-number.js';
import {
  type CalendarDate,
  formatShanghaiTimestamp,
  parseDate,
  startOfShanghaiDay,
} from '../../core/time.js';
import { type BacktestReport, backtest } from '../../monitor/backtest.js';
import type { CardEventHistory } from '../../monitor/ports.js';
import type { CardEvent } from '../../records/schemas.js';
import { booleanOption, type Command, stringOption } from '../context.js';
import { EXIT_OK, usageError } from '../errors.js';
import { rulesFromOption } from './monitor-rules.js';

const SYNOPSIS = 'backtest --rules FILE [--from DATE] [--to DATE] [--json]';
const DAY = 86_400_000;
/** Flags listed in the human form (all are in --json). */
const LISTED = 20;

function dateOption(value: string | undefined, name: string): CalendarDate | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDate(value);
  if (!parsed.ok) throw usageError(`--${name} must be a date YYYY-MM-DD, got "${value}"`);
  return parsed.value;
}

async function* eventsOf(history: CardEventHistory, from?: number, to?: number): AsyncGenerator<CardEvent> {
  const query = { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
  for await (const batch of history.readCardEvents(query)) yield* batch;
}

const shown = (entityType: string, id: string) => (entityType === 'card' ? maskCardNumber(id) : id);

/** The human form: alerts opened per month (rows) and typology (columns), then the first flags. */
export function formatBacktest(report: BacktestReport): string {
  const typologies = Object.keys(report.byTypology);
  const months = [...new Set(typologies.flatMap((t) => Object.keys(report.byTypology[t] ?? {})))].sort();
  const width = typologies.map((t) => Math.max(t.length, 5));
  const lines = [
    `backtest (rules ${report.ruleVersion}): ${report.events} stored events, ${report.alerts.length} alerts would have opened`,
    '',
    `month    ${typologies.map((t, i) => t.padStart(width[i]!)).join('  ')}  total`,
  ];
  for (const month of months) {
    const counts = typologies.map((t) => report.byTypology[t]?.[month] ?? 0);
    const total = counts.reduce((a, b) => a + b, 0);
    lines.push(
      `${month}  ${counts.map((c, i) => String(c).padStart(width[i]!)).join('  ')}  ${String(total).padStart(5)}`,
    );
  }
  if (months.length === 0) lines.push('(none)');
  lines.push('', `first flags (when each would have been raised, Asia/Shanghai)`);
  for (const f of report.flags.slice(0, LISTED)) {
    lines.push(
      `  ${formatShanghaiTimestamp(f.firstTs)}  ${f.rule}  ${f.severity}  ${f.entityType} ${shown(f.entityType, f.entityId)}`,
    );
  }
  if (report.flags.length > LISTED) lines.push(`  … ${report.flags.length - LISTED} more (--json lists all)`);
  return `${lines.join('\n')}\n`;
}

export const backtestCommand: Command = {
  name: 'backtest',
  synopsis: SYNOPSIS,
  summary: 'what a rule set would have flagged over the stored card events, and when (live alerts untouched)',
  options: {
    rules: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(context) {
    const rulesPath = stringOption(context.values, 'rules');
    if (rulesPath === undefined || context.positionals.length > 0) {
      throw usageError(`backtest needs --rules FILE (or --rules default); usage: ghostwatch ${SYNOPSIS}`);
    }
    const fromDate = dateOption(stringOption(context.values, 'from'), 'from');
    const toDate = dateOption(stringOption(context.values, 'to'), 'to');
    const from = fromDate === undefined ? undefined : startOfShanghaiDay(fromDate);
    // --to is inclusive: the whole day.
    const to = toDate === undefined ? undefined : startOfShanghaiDay(toDate) + DAY;
    if (from !== undefined && to !== undefined && to <= from)
      throw usageError('--to must not be before --from');
    const rules = await rulesFromOption(rulesPath);
    const store = await context.openStore();
    const startedAt = context.clock();
    try {
      const reference = await store.monitor.loadReferenceData();
      const report = await backtest({
        rules,
        reference,
        events: eventsOf(store.monitor, from, to),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
      });
      const summary = {
        ruleVersion: report.ruleVersion,
        from: fromDate ?? null,
        to: toDate ?? null,
        events: report.events,
        alerts: report.alerts.length,
        byTypology: report.byTypology,
      };
      await store.recordJobRun({
        job: 'backtest',
        startedAt,
        finishedAt: context.clock(),
        outcome: 'ok',
        summary,
      });
      if (booleanOption(context.values, 'json')) {
        const flags = report.flags.map((f) => ({ ...f, entityId: shown(f.entityType, f.entityId) }));
        context.io.stdout.write(`${JSON.stringify({ ...summary, flags, stats: report.stats })}\n`);
      } else {
        context.io.stdout.write(formatBacktest(report));
      }
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

import type { EpochMs } from '../core/time.js';
import type { CardEvent } from '../records/schemas.js';
import type { Alert } from './alert.js';
import { monthLabel, shanghaiMonthIndex } from './detector.js';
import { createEngine } from './engine.js';
import type { ReferenceData } from './ports.js';
import type { Rules } from './rules.js';

export interface BacktestOptions {
  readonly rules: Rules;
  readonly reference: ReferenceData;
  /** Stored events (any order within the allowed lateness, e.g. the store's events by time). */
  readonly events: Iterable<CardEvent> | AsyncIterable<CardEvent>;
  /** Only events in [from, to) count. */
  readonly from?: EpochMs;
  readonly to?: EpochMs;
}

export interface BacktestFlag {
  readonly alertId: string;
  readonly rule: string;
  readonly severity: Alert['severity'];
  readonly entityType: Alert['entityType'];
  readonly entityId: string;
  /** When the rule would first have flagged it (event time). */
  readonly firstTs: EpochMs;
  readonly lastTs: EpochMs;
}

export interface BacktestReport {
  readonly ruleVersion: string;
  readonly events: number;
  /** Every alert the rules would have raised, final state, in the order they would have opened. */
  readonly alerts: readonly Alert[];
  readonly flags: readonly BacktestFlag[];
  /** Per typology: alerts opened per month (`YYYY-MM`, Asia/Shanghai). */
  readonly byTypology: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly stats: ReturnType<ReturnType<typeof createEngine>['stats']>;
}

/**
 * "Had this rule run since 2016, what would it have flagged, and when": runs a rule set over stored events into
 * its own in-memory engine and alert list. It never touches the live alerts or checkpoints.
 * @example
 * const report = await backtest({ rules, reference, events: store.cardEvents({ from, to }) });
 * report.byTypology['hengnan-atm-sweep'] // { '2016-03': 1, '2016-04': 2, … }
 */
export async function backtest(options: BacktestOptions): Promise<BacktestReport> {
  const engine = createEngine({ rules: options.rules, reference: options.reference });
  const alerts = new Map<string, Alert>();
  const from = options.from ?? Number.NEGATIVE_INFINITY;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  let events = 0;
  const collect = () => {
    for (const alert of engine.takeChanges()) alerts.set(alert.alertId, alert);
  };
  for await (const event of options.events) {
    if (event.ts < from || event.ts >= to) continue;
    events++;
    engine.push(event);
    if (events % 10_000 === 0) collect();
  }
  engine.drain();
  collect();
  const ordered = [...alerts.values()].sort(
    (a, b) => a.firstTs - b.firstTs || (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0),
  );
  const byTypology: Record<string, Record<string, number>> = {};
  for (const t of options.rules.typologies) byTypology[t.id] = {};
  for (const a of ordered) {
    const months = byTypology[a.rule] ?? {};
    byTypology[a.rule] = months;
    const month = monthLabel(shanghaiMonthIndex(a.firstTs));
    months[month] = (months[month] ?? 0) + 1;
  }
  return {
    ruleVersion: options.rules.version,
    events,
    alerts: ordered,
    flags: ordered.map((a) => ({
      alertId: a.alertId,
      rule: a.rule,
      severity: a.severity,
      entityType: a.entityType,
      entityId: a.entityId,
      firstTs: a.firstTs,
      lastTs: a.lastTs,
    })),
    byTypology,
    stats: engine.stats(),
  };
}

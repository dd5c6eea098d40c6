import { describe, expect, it } from 'vitest';
import { backtest } from './backtest.js';
import { defaultRules } from './default-rules.js';
import { at } from './testing/events.js';
import { runEvents } from './testing/run.js';
import { scenario } from './testing/scenario.js';

describe('backtest', () => {
  const { events, reference } = scenario();

  it('reports what the rules would have flagged, when, and per month', async () => {
    const report = await backtest({ rules: defaultRules(), reference, events });
    expect(report.alerts).toEqual(
      [...runEvents(events, { reference }).alerts].sort(
        (a, b) => a.firstTs - b.firstTs || (a.alertId < b.alertId ? -1 : 1),
      ),
    );
    expect(report.byTypology['hengnan-atm-sweep']).toEqual({ '2021-01': 1 });
    expect(report.byTypology['collector-ring']).toEqual({ '2021-03': 1 });
    expect(report.flags.find((f) => f.rule === 'collector-ring')?.firstTs).toBeGreaterThanOrEqual(
      at('2021-03-16T23:10'),
    );
  });

  it('honours the time range', async () => {
    const report = await backtest({
      rules: defaultRules(),
      reference,
      events,
      from: at('2021-01-01T00:00'),
      to: at('2021-02-01T00:00'),
    });
    expect(report.events).toBeLessThan(events.length);
    expect(report.byTypology['collector-ring']).toEqual({});
    expect(report.byTypology['hengnan-atm-sweep']).toEqual({ '2021-01': 1 });
  });
});

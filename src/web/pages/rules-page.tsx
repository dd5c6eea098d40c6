import { useMemo, useState } from 'react';
import type { AlertView, Page as ApiPage, BacktestView, RulesView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { EChart } from '../components/echart.js';
import { Page } from '../components/page.js';
import { StatusMessage } from '../components/status-message.js';
import { monthOf, monthRange } from '../format/format.js';
import { useApiData } from '../use-api-data.js';

interface Series {
  readonly months: readonly string[];
  readonly byRule: ReadonlyMap<string, readonly number[]>;
}

/** Alerts counted by month and rule, empty months filled in. */
export function alertsByMonth(
  alerts: readonly { readonly rule: string; readonly firstTs: number }[],
): Series {
  const counts = new Map<string, Map<string, number>>();
  for (const a of alerts) {
    const month = monthOf(a.firstTs);
    const perRule = counts.get(a.rule) ?? new Map<string, number>();
    perRule.set(month, (perRule.get(month) ?? 0) + 1);
    counts.set(a.rule, perRule);
  }
  const all = [...counts.values()].flatMap((m) => [...m.keys()]).sort();
  const months = all.length === 0 ? [] : monthRange(all[0]!, all[all.length - 1]!);
  return {
    months,
    byRule: new Map([...counts].map(([rule, m]) => [rule, months.map((month) => m.get(month) ?? 0)])),
  };
}

function fromBacktest(view: BacktestView): Series {
  const rules = new Set(view.months.flatMap((m) => Object.keys(m.byRule ?? { all: 0 })));
  return {
    months: view.months.map((m) => m.month),
    byRule: new Map(
      [...rules].map((rule) => [
        rule,
        view.months.map((m) => (m.byRule === undefined ? m.alerts : (m.byRule[rule] ?? 0))),
      ]),
    ),
  };
}

/**
 * The rule set in force (detectors, parameters, typologies and thresholds), the stored alerts by month and rule,
 * and on request a back-test chart by month. The back-test runs the rules over a year of stored events in the
 * request (minutes on a 1M-beneficiary roll), so it is asked for, not loaded with the page.
 */
export function RulesPage() {
  const { api, i18n } = useApp();
  const [backtestAsked, setBacktestAsked] = useState(false);
  const { data, error, loading, reload } = useApiData(async () => {
    const [rules, months] = await Promise.all([
      api.getOptional<RulesView>('/api/rules'),
      api.getOptional<BacktestView>('/api/alert-months'),
    ]);
    let series: Series;
    if (months !== undefined) series = fromBacktest(months);
    else {
      // An older server: count the first alerts in the browser.
      const alerts: AlertView[] = [];
      for (let offset = 0; offset < 2000; offset += 500) {
        const page = await api.get<ApiPage<AlertView>>('/api/alerts', {
          offset,
          limit: 500,
          sort: 'first_ts',
          order: 'asc',
        });
        alerts.push(...page.items);
        if (offset + 500 >= page.total) break;
      }
      series = alertsByMonth(alerts);
    }
    return { rules, series };
  }, [api]);
  const backtest = useApiData(
    async () => (backtestAsked ? await api.getOptional<BacktestView>('/api/backtest') : undefined),
    [api, backtestAsked],
  );
  const shown = useMemo(
    () =>
      backtest.data !== undefined
        ? { series: fromBacktest(backtest.data), backtested: true }
        : data === undefined
          ? undefined
          : { series: data.series, backtested: false },
    [data, backtest.data],
  );
  const option = useMemo(
    () =>
      shown === undefined
        ? undefined
        : {
            animation: false,
            tooltip: { trigger: 'axis' },
            legend: { top: 0, type: 'scroll' },
            grid: { left: 48, right: 16, top: 40, bottom: 32 },
            xAxis: { type: 'category', data: shown.series.months },
            yAxis: { type: 'value', minInterval: 1 },
            series: [...shown.series.byRule].map(([rule, counts]) => ({
              name: rule,
              type: 'bar',
              stack: 'alerts',
              data: counts,
            })),
          },
    [shown],
  );
  return (
    <Page title={i18n.t('rules.title')} ready={data !== undefined || error !== undefined}>
      <StatusMessage loading={loading && data === undefined} error={error} onRetry={reload} />
      {data === undefined ? null : (
        <>
          {data.rules === undefined ? (
            <p className="message">{i18n.t('app.missingRoute', { route: '/api/rules' })}</p>
          ) : (
            <>
              <p>{i18n.t('rules.version', { version: data.rules.version })}</p>
              <h2>{i18n.t('rules.typologies')}</h2>
              <table>
                <caption className="visually-hidden">{i18n.t('rules.typologies')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{i18n.t('rules.id')}</th>
                    <th scope="col">{i18n.t('alerts.entity')}</th>
                    <th scope="col" className="num">
                      {i18n.t('rules.threshold')}
                    </th>
                    <th scope="col">{i18n.t('rules.weights')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rules.typologies.map((t) => (
                    <tr key={t.id}>
                      <td>
                        {t.id}
                        <br />
                        <small>{t.title}</small>
                      </td>
                      <td>{i18n.term('entity', t.entityType)}</td>
                      <td className="num">{t.threshold}</td>
                      <td>{t.detectors.map((d) => `${d.detector} × ${d.weight}`).join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h2>{i18n.t('rules.detectors')}</h2>
              <table>
                <caption className="visually-hidden">{i18n.t('rules.detectors')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{i18n.t('rules.id')}</th>
                    <th scope="col">{i18n.t('rules.kind')}</th>
                    <th scope="col">{i18n.t('rules.params')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rules.detectors.map((d) => (
                    <tr key={d.id}>
                      <td>{d.id}</td>
                      <td>{d.kind}</td>
                      <td>
                        <code>
                          {Object.entries(d.params)
                            .map(([k, v]) => `${k}=${String(v)}`)
                            .join(' ')}
                        </code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          <h2>{shown?.backtested === true ? i18n.t('rules.backtest') : i18n.t('rules.fromAlerts')}</h2>
          <p className="help">
            {shown?.backtested === true ? i18n.t('rules.backtestHelp') : i18n.t('rules.fromAlertsHelp')}
          </p>
          {backtestAsked ? (
            <StatusMessage loading={backtest.loading} error={backtest.error} onRetry={backtest.reload} />
          ) : (
            <button type="button" onClick={() => setBacktestAsked(true)} data-testid="run-backtest">
              {i18n.t('rules.runBacktest')}
            </button>
          )}
          {option === undefined || shown === undefined || shown.series.months.length === 0 ? (
            <p>{i18n.t('app.empty')}</p>
          ) : (
            <EChart
              option={option}
              label={shown.backtested ? i18n.t('rules.backtest') : i18n.t('rules.fromAlerts')}
              testId={shown.backtested ? 'backtest-chart' : 'alert-months-chart'}
              height={300}
            />
          )}
        </>
      )}
    </Page>
  );
}

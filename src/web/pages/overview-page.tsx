import { useMemo } from 'react';
import { useApp } from '../app-context.js';
import { DataTable } from '../components/data-table.js';
import { EChart } from '../components/echart.js';
import { Page } from '../components/page.js';
import { StatCard } from '../components/stat-card.js';
import { StatusMessage } from '../components/status-message.js';
import { fenToYuan, formatCount, formatFen, formatTime } from '../format/format.js';
import type { Translator } from '../i18n/messages.js';
import { useApiData } from '../use-api-data.js';
import { loadOverview, type MonthPoint } from './overview-data.js';

function trendOption(months: readonly MonthPoint[], i18n: Translator) {
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 64, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: months.map((m) => m.month) },
    yAxis: [
      {
        type: 'value',
        name: i18n.t('overview.trendDeaths'),
        nameTextStyle: { align: 'left' },
        minInterval: 1,
      },
      { type: 'value', name: i18n.t('overview.trendOverpaid'), nameTextStyle: { align: 'right' } },
    ],
    series: [
      {
        name: i18n.t('overview.trendDeaths'),
        type: 'bar',
        data: months.map((m) => m.deaths),
        itemStyle: { color: '#7a4fb5' },
      },
      {
        name: i18n.t('overview.trendAlerts'),
        type: 'bar',
        data: months.map((m) => m.alerts),
        itemStyle: { color: '#b9770e' },
      },
      {
        name: i18n.t('overview.trendOverpaid'),
        type: 'line',
        yAxisIndex: 1,
        data: months.map((m) => fenToYuan(m.overpaidFen)),
        itemStyle: { color: '#c0392b' },
        showSymbol: false,
      },
    ],
  };
}

/** The headline figures (beneficiaries, suspects, money overpaid and recovered, alerts, cases) and monthly trends. */
export function OverviewPage() {
  const { api, i18n } = useApp();
  const { data, error, loading, reload } = useApiData(() => loadOverview(api), [api]);
  const option = useMemo(
    () => (data === undefined ? undefined : trendOption(data.months, i18n)),
    [data, i18n],
  );
  const rows = data?.status.rows ?? {};
  const quarantined = (data?.status.quarantine ?? []).reduce((n, q) => n + q.rows, 0);
  const money = (fen: number | undefined) =>
    fen === undefined ? i18n.t('overview.notComputed') : formatFen(fen);
  return (
    <Page title={i18n.t('overview.title')} ready={data !== undefined || error !== undefined}>
      <StatusMessage loading={loading && data === undefined} error={error} onRetry={reload} />
      {data === undefined ? null : (
        <>
          <dl className="stats">
            <StatCard
              testId="stat-beneficiaries"
              label={i18n.t('overview.beneficiaries')}
              value={formatCount(rows.beneficiaries ?? 0)}
            />
            <StatCard
              testId="stat-suspects"
              label={i18n.t('overview.suspects')}
              value={formatCount(data.suspects)}
              {...(data.confirmed === undefined
                ? {}
                : { note: `${i18n.t('overview.confirmed')} ${formatCount(data.confirmed)}` })}
            />
            <StatCard
              testId="stat-overpaid"
              label={i18n.t('overview.overpaid')}
              value={money(data.overpaidFen)}
              {...(data.overpaidSetAsideFen === undefined || data.overpaidSetAsideFen === 0
                ? {}
                : { note: `${i18n.t('overview.setAside')} ${money(data.overpaidSetAsideFen)}` })}
            />
            <StatCard
              testId="stat-recovered"
              label={i18n.t('overview.recovered')}
              value={money(data.recoveredFen)}
            />
            <StatCard
              testId="stat-alerts"
              label={i18n.t(data.alertsOpenOnly ? 'overview.openAlerts' : 'overview.allAlerts')}
              value={formatCount(data.alerts)}
            />
            <StatCard
              testId="stat-cases"
              label={i18n.t('overview.openCases')}
              value={formatCount(data.status.cases.notClosed)}
              note={`${i18n.t('overview.casesTotal')} ${formatCount(data.status.cases.total)}`}
            />
          </dl>
          <dl className="stats small">
            <StatCard
              testId="stat-payments"
              label={i18n.t('overview.payments')}
              value={formatCount(rows.payments ?? 0)}
            />
            <StatCard
              testId="stat-deaths"
              label={i18n.t('overview.deaths')}
              value={formatCount(rows.deaths ?? 0)}
            />
            <StatCard
              testId="stat-card-events"
              label={i18n.t('overview.cardEvents')}
              value={formatCount(rows['card-events'] ?? 0)}
            />
            <StatCard
              testId="stat-quarantined"
              label={i18n.t('overview.quarantined')}
              value={formatCount(quarantined)}
            />
          </dl>
          <h2>{i18n.t('overview.trends')}</h2>
          {data.sampled === undefined ? null : (
            <p className="help">
              {i18n.t('overview.sampled', {
                count: formatCount(data.sampled.count),
                total: formatCount(data.sampled.total),
              })}
            </p>
          )}
          {option === undefined || data.months.length === 0 ? (
            <p>{i18n.t('app.empty')}</p>
          ) : (
            <EChart option={option} label={i18n.t('overview.trends')} testId="trend-chart" height={300} />
          )}
          <DataTable
            caption={i18n.t('overview.jobs')}
            rowKey={(j) => j.job}
            rows={data.status.jobs}
            columns={[
              { key: 'job', header: i18n.t('overview.job'), render: (j) => j.job },
              { key: 'outcome', header: i18n.t('overview.outcome'), render: (j) => j.outcome },
              { key: 'at', header: i18n.t('overview.finishedAt'), render: (j) => formatTime(j.finishedAt) },
            ]}
          />
        </>
      )}
    </Page>
  );
}

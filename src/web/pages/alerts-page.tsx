import { useId, useState } from 'react';
import type { AlertView, Page as ApiPage } from '../api/types.js';
import { useApp } from '../app-context.js';
import { DataTable } from '../components/data-table.js';
import { Page } from '../components/page.js';
import { StatusMessage } from '../components/status-message.js';
import { usePaging } from '../components/use-paging.js';
import { formatTime } from '../format/format.js';
import { hrefOf } from '../route.js';
import { useApiData } from '../use-api-data.js';
import { AlertActions } from './alert-actions.js';

type AlertSort = 'last_ts' | 'first_ts' | 'score' | 'severity';
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** The alerts queue: filter by severity, sort and page on the server, assign, open a case. */
export function AlertsPage() {
  const { api, i18n } = useApp();
  const paging = usePaging<AlertSort>({ offset: 0, limit: 25, sort: 'score', order: 'desc' });
  const [severity, setSeverity] = useState('');
  const filterId = useId();
  const query = { ...paging.state, severity: severity === '' ? undefined : severity };
  const { data, error, loading, reload } = useApiData(
    () => api.get<ApiPage<AlertView>>('/api/alerts', query),
    [api, JSON.stringify(query)],
  );
  return (
    <Page title={i18n.t('alerts.title')} ready={!loading}>
      <div className="filters">
        <label htmlFor={filterId}>{i18n.t('alerts.filterSeverity')}</label>
        <select
          id={filterId}
          value={severity}
          onChange={(e) => {
            setSeverity(e.target.value);
            paging.reset();
          }}
        >
          <option value="">{i18n.t('alerts.all')}</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {i18n.term('severity', s)}
            </option>
          ))}
        </select>
      </div>
      <StatusMessage loading={loading} error={error} onRetry={reload} />
      <DataTable
        caption={i18n.t('alerts.title')}
        testId="alerts-table"
        rows={data?.items ?? []}
        rowKey={(a) => a.alertId}
        paging={{ ...paging.state, total: data?.total, onPage: paging.onPage, onSort: paging.onSort }}
        columns={[
          {
            key: 'id',
            header: i18n.t('alerts.alert'),
            render: (a) => (
              <a href={hrefOf({ page: 'alert', id: a.alertId })} data-entity={a.entityType}>
                {a.alertId}
              </a>
            ),
          },
          { key: 'rule', header: i18n.t('alerts.rule'), render: (a) => a.rule },
          {
            key: 'severity',
            header: i18n.t('alerts.severity'),
            sort: 'severity',
            render: (a) => (
              <span className={`badge sev-${a.severity}`}>{i18n.term('severity', a.severity)}</span>
            ),
          },
          {
            key: 'score',
            header: i18n.t('alerts.score'),
            sort: 'score',
            numeric: true,
            render: (a) => a.score.toFixed(2),
          },
          {
            key: 'entity',
            header: i18n.t('alerts.entity'),
            render: (a) => `${i18n.term('entity', a.entityType)} ${a.entityId}`,
          },
          {
            key: 'last',
            header: i18n.t('alerts.lastSeen'),
            sort: 'last_ts',
            render: (a) => formatTime(a.lastTs),
          },
          {
            key: 'assignee',
            header: i18n.t('alerts.assignee'),
            render: (a) => a.assignee ?? i18n.t('alerts.unassigned'),
          },
          {
            key: 'actions',
            header: i18n.t('alerts.actions'),
            render: (a) => <AlertActions alertId={a.alertId} assignee={a.assignee} onChanged={reload} />,
          },
        ]}
      />
    </Page>
  );
}

import { useId, useState } from 'react';
import { type Page as ApiPage, CASE_STATUSES, type CaseSummary } from '../api/types.js';
import { useApp } from '../app-context.js';
import { DataTable } from '../components/data-table.js';
import { Page } from '../components/page.js';
import { StatusMessage } from '../components/status-message.js';
import { usePaging } from '../components/use-paging.js';
import { formatFen, formatTime } from '../format/format.js';
import { hrefOf } from '../route.js';
import { useApiData } from '../use-api-data.js';
import { ApprovalsTable } from './approvals-table.js';

type CaseSort = 'opened_at' | 'updated_at' | 'status' | 'amount_at_risk' | 'amount_recovered';

/** Cases (filter by status, paged and sorted on the server) and the approvals waiting for a second person. */
export function CasesPage() {
  const { api, i18n } = useApp();
  const paging = usePaging<CaseSort>({ offset: 0, limit: 25, sort: 'opened_at', order: 'desc' });
  const [status, setStatus] = useState('');
  const filterId = useId();
  const query = { ...paging.state, status: status === '' ? undefined : status };
  const { data, error, loading, reload } = useApiData(
    () => api.get<ApiPage<CaseSummary>>('/api/cases', query),
    [api, JSON.stringify(query)],
  );
  return (
    <Page title={i18n.t('cases.title')} ready={!loading}>
      <div className="filters">
        <label htmlFor={filterId}>{i18n.t('cases.filterStatus')}</label>
        <select
          id={filterId}
          value={status}
          onChange={(e) => {
            setStatus(e.target.value);
            paging.reset();
          }}
        >
          <option value="">{i18n.t('cases.all')}</option>
          {CASE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {i18n.term('caseStatus', s)}
            </option>
          ))}
        </select>
      </div>
      <StatusMessage loading={loading} error={error} onRetry={reload} />
      <DataTable
        caption={i18n.t('cases.title')}
        testId="cases-table"
        rows={data?.items ?? []}
        rowKey={(c) => c.caseId}
        paging={{ ...paging.state, total: data?.total, onPage: paging.onPage, onSort: paging.onSort }}
        columns={[
          {
            key: 'id',
            header: i18n.t('cases.case'),
            render: (c) => <a href={hrefOf({ page: 'case', id: c.caseId })}>{c.caseId}</a>,
          },
          { key: 'title', header: i18n.t('cases.caseTitle'), render: (c) => c.title },
          {
            key: 'subject',
            header: i18n.t('cases.subject'),
            render: (c) => `${i18n.term('entity', c.subjectType)} ${c.subjectId}`,
          },
          {
            key: 'status',
            header: i18n.t('cases.status'),
            sort: 'status',
            render: (c) => i18n.term('caseStatus', c.status),
          },
          {
            key: 'risk',
            header: i18n.t('cases.atRisk'),
            sort: 'amount_at_risk',
            numeric: true,
            render: (c) => formatFen(c.amountAtRiskFen),
          },
          {
            key: 'recovered',
            header: i18n.t('cases.recovered'),
            sort: 'amount_recovered',
            numeric: true,
            render: (c) => formatFen(c.amountRecoveredFen),
          },
          { key: 'assignee', header: i18n.t('cases.assignee'), render: (c) => c.assignee ?? '' },
          {
            key: 'opened',
            header: i18n.t('cases.openedAt'),
            sort: 'opened_at',
            render: (c) => formatTime(c.openedAt),
          },
        ]}
      />
      <h2>{i18n.t('cases.approvals')}</h2>
      <ApprovalsTable />
    </Page>
  );
}

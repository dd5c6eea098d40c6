import { useId, useState } from 'react';
import type { Page as ApiPage, Suspect } from '../api/types.js';
import { useApp } from '../app-context.js';
import { DataTable } from '../components/data-table.js';
import { Page } from '../components/page.js';
import { StatusMessage } from '../components/status-message.js';
import { usePaging } from '../components/use-paging.js';
import { formatFen, formatProbability } from '../format/format.js';
import { hrefOf } from '../route.js';
import { useApiData } from '../use-api-data.js';

type SuspectSort = 'overpaid' | 'match_probability' | 'death_date' | 'beneficiary_id';

/** Death-matching findings: a filterable table, paged and sorted on the server. */
export function SuspectsPage() {
  const { api, i18n } = useApp();
  const paging = usePaging<SuspectSort>({ offset: 0, limit: 25, sort: 'overpaid', order: 'desc' });
  const [decision, setDecision] = useState('');
  const filterId = useId();
  const query = { ...paging.state, decision: decision === '' ? undefined : decision };
  const { data, error, loading, reload } = useApiData(
    () => api.get<ApiPage<Suspect>>('/api/suspects', query),
    [api, JSON.stringify(query)],
  );
  return (
    <Page title={i18n.t('suspects.title')} ready={!loading}>
      <div className="filters">
        <label htmlFor={filterId}>{i18n.t('suspects.filterDecision')}</label>
        <select
          id={filterId}
          value={decision}
          onChange={(e) => {
            setDecision(e.target.value);
            paging.reset();
          }}
        >
          <option value="">{i18n.t('suspects.all')}</option>
          <option value="confirmed">{i18n.term('decision', 'confirmed')}</option>
          <option value="review">{i18n.term('decision', 'review')}</option>
        </select>
      </div>
      <StatusMessage loading={loading} error={error} onRetry={reload} />
      <DataTable
        caption={i18n.t('suspects.title')}
        testId="suspects-table"
        rows={data?.items ?? []}
        rowKey={(s) => s.beneficiaryId}
        paging={{ ...paging.state, total: data?.total, onPage: paging.onPage, onSort: paging.onSort }}
        columns={[
          {
            key: 'id',
            header: i18n.t('suspects.beneficiary'),
            sort: 'beneficiary_id',
            render: (s) => <a href={hrefOf({ page: 'suspect', id: s.beneficiaryId })}>{s.beneficiaryId}</a>,
          },
          {
            key: 'name',
            header: i18n.t('suspects.name'),
            render: (s) => <span className="masked">{s.nameMasked}</span>,
          },
          { key: 'handler', header: i18n.t('suspects.handler'), render: (s) => s.handlerId ?? '' },
          {
            key: 'death',
            header: i18n.t('suspects.deathDate'),
            sort: 'death_date',
            render: (s) => s.deathDate,
          },
          {
            key: 'p',
            header: i18n.t('suspects.probability'),
            sort: 'match_probability',
            numeric: true,
            render: (s) => formatProbability(s.matchProbability),
          },
          {
            key: 'decision',
            header: i18n.t('suspects.decision'),
            render: (s) => i18n.term('decision', s.decision),
          },
          {
            key: 'first',
            header: i18n.t('suspects.firstUnentitled'),
            render: (s) => s.firstUnentitledPeriod,
          },
          {
            key: 'overpaid',
            header: i18n.t('suspects.overpaid'),
            sort: 'overpaid',
            numeric: true,
            render: (s) => formatFen(s.overpaidFen),
          },
          {
            key: 'status',
            header: i18n.t('suspects.status'),
            render: (s) => i18n.term('status', s.statusAfter),
          },
        ]}
      />
    </Page>
  );
}

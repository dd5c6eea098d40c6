import type { Page as ApiPage, HandlerRiskView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { DataTable } from '../components/data-table.js';
import { Page } from '../components/page.js';
import { StatusMessage } from '../components/status-message.js';
import { usePaging } from '../components/use-paging.js';
import { formatCount } from '../format/format.js';
import { explain } from '../i18n/explanations.js';
import { useApiData } from '../use-api-data.js';

/** Handlers ranked by risk against their peers, with the reasons in words. */
export function HandlersPage() {
  const { api, i18n } = useApp();
  const paging = usePaging<'rank' | 'deceased_linked'>({ offset: 0, limit: 25, sort: 'rank', order: 'asc' });
  const { data, error, loading, reload } = useApiData(
    () => api.get<ApiPage<HandlerRiskView>>('/api/handlers', { ...paging.state }),
    [api, JSON.stringify(paging.state)],
  );
  return (
    <Page title={i18n.t('handlers.title')} ready={!loading}>
      <StatusMessage loading={loading} error={error} onRetry={reload} />
      <DataTable
        caption={i18n.t('handlers.title')}
        testId="handlers-table"
        rows={data?.items ?? []}
        rowKey={(h) => h.handlerId}
        paging={{ ...paging.state, total: data?.total, onPage: paging.onPage, onSort: paging.onSort }}
        columns={[
          {
            key: 'rank',
            header: i18n.t('handlers.rank'),
            sort: 'rank',
            numeric: true,
            render: (h) => h.rank,
          },
          { key: 'id', header: i18n.t('handlers.handler'), render: (h) => h.handlerId },
          {
            key: 'score',
            header: i18n.t('handlers.score'),
            numeric: true,
            render: (h) => h.riskScore.toFixed(1),
          },
          {
            key: 'n',
            header: i18n.t('handlers.beneficiaries'),
            numeric: true,
            render: (h) => formatCount(h.beneficiaries),
          },
          {
            key: 'dead',
            header: i18n.t('handlers.deceasedLinked'),
            sort: 'deceased_linked',
            numeric: true,
            render: (h) => formatCount(h.deceasedLinked),
          },
          {
            key: 'expected',
            header: i18n.t('handlers.expected'),
            numeric: true,
            render: (h) => h.expectedDeceased.toPrecision(2),
          },
          {
            key: 'p',
            header: i18n.t('handlers.pValue'),
            numeric: true,
            render: (h) => h.pValue.toPrecision(2),
          },
          {
            key: 'reasons',
            header: i18n.t('handlers.reasons'),
            render: (h) => (
              <ul className="reasons">
                {h.reasons.map((r) => (
                  <li key={r}>{explain(r, i18n)}</li>
                ))}
              </ul>
            ),
          },
        ]}
      />
    </Page>
  );
}

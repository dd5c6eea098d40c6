import { useId } from 'react';
import type { Page as ApiPage, RingView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { Page } from '../components/page.js';
import { StatusMessage } from '../components/status-message.js';
import { formatFen } from '../format/format.js';
import { useApiData } from '../use-api-data.js';
import { RingPanel } from './ring-panel.js';

/** Rings of cards used together, highest score first; the chosen one drawn as a graph. */
export function NetworkPage(props: { readonly ringId: string | undefined }) {
  const { api, i18n, navigate } = useApp();
  const selectId = useId();
  const { data, error, loading, reload } = useApiData(
    () => api.get<ApiPage<RingView>>('/api/rings', { sort: 'score', order: 'desc', limit: 100 }),
    [api],
  );
  const rings = data?.items ?? [];
  const ring = rings.find((r) => r.ringId === props.ringId) ?? rings[0];
  return (
    <Page title={i18n.t('network.title')} ready={data !== undefined || error !== undefined}>
      <StatusMessage loading={loading} error={error} onRetry={reload} />
      {data === undefined ? null : rings.length === 0 ? (
        <p>{i18n.t('network.none')}</p>
      ) : (
        <>
          <div className="filters">
            <label htmlFor={selectId}>{i18n.t('network.chooseRing')}</label>
            <select
              id={selectId}
              value={ring?.ringId}
              onChange={(e) => navigate({ page: 'network', ringId: e.target.value })}
            >
              {rings.map((r) => (
                <option key={r.ringId} value={r.ringId}>
                  {`${r.ringId} · ${r.cardsMasked.length} ${i18n.t('network.cards')} · ${formatFen(r.withdrawnFen)}`}
                </option>
              ))}
            </select>
          </div>
          {ring === undefined ? null : <RingPanel key={ring.ringId} ring={ring} />}
        </>
      )}
    </Page>
  );
}

import type { AlertView, Page as ApiPage, RevealedAlert, RingView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { GraphView } from '../components/graph-view.js';
import { Page } from '../components/page.js';
import { RevealPanel } from '../components/reveal-panel.js';
import { StatusMessage } from '../components/status-message.js';
import { formatTime } from '../format/format.js';
import { explain } from '../i18n/explanations.js';
import { hrefOf } from '../route.js';
import { useApiData } from '../use-api-data.js';
import { AlertActions } from './alert-actions.js';
import { ringOfAlert } from './ring-graph.js';
import { RingPanel } from './ring-panel.js';

/** One alert: what fired and why, its evidence, its beneficiaries, and the ring it belongs to drawn as a graph. */
export function AlertPage(props: { readonly id: string }) {
  const { api, i18n } = useApp();
  const path = `/api/alerts/${encodeURIComponent(props.id)}`;
  const { data, error, loading, reload } = useApiData(async () => {
    const [alert, rings] = await Promise.all([
      api.get<AlertView>(path),
      api.get<ApiPage<RingView>>('/api/rings', { sort: 'score', order: 'desc', limit: 500 }),
    ]);
    return { alert, ring: ringOfAlert(rings.items, alert.beneficiaryIds) };
  }, [api, props.id]);
  const alert = data?.alert;
  return (
    <Page title={i18n.t('alert.title', { id: props.id })} ready={data !== undefined || error !== undefined}>
      <StatusMessage loading={loading && data === undefined} error={error} onRetry={reload} />
      {alert === undefined ? null : (
        <>
          <div className="two-columns">
            <section className="panel" aria-labelledby="alert-facts">
              <h2 id="alert-facts">{i18n.t('alert.explanation')}</h2>
              <RevealPanel<RevealedAlert>
                reveal={(reason) => api.post<RevealedAlert>(`${path}/reveal`, { reason })}
              >
                {(revealed) => (
                  <dl className="facts">
                    <dt>{i18n.t('alerts.rule')}</dt>
                    <dd>{alert.rule}</dd>
                    <dt>{i18n.t('alerts.severity')}</dt>
                    <dd>
                      <span className={`badge sev-${alert.severity}`}>
                        {i18n.term('severity', alert.severity)}
                      </span>
                    </dd>
                    <dt>{i18n.t('alerts.score')}</dt>
                    <dd>{alert.score.toFixed(2)}</dd>
                    <dt>{i18n.t('alerts.entity')}</dt>
                    <dd data-testid="alert-entity" className={revealed ? 'revealed' : 'masked'}>
                      {`${i18n.term('entity', alert.entityType)} ${revealed?.entityId ?? alert.entityId}`}
                    </dd>
                    <dt>{i18n.t('alert.period')}</dt>
                    <dd>{`${formatTime(alert.firstTs)} – ${formatTime(alert.lastTs)}`}</dd>
                    <dt>{i18n.t('alerts.assignee')}</dt>
                    <dd>{alert.assignee ?? i18n.t('alerts.unassigned')}</dd>
                  </dl>
                )}
              </RevealPanel>
              <p data-testid="alert-explanation">{explain(alert.explanation, i18n)}</p>
              <AlertActions alertId={alert.alertId} assignee={alert.assignee} onChanged={reload} />
            </section>
            <section className="panel" aria-labelledby="alert-people">
              <h2 id="alert-people">{i18n.t('alert.beneficiaries')}</h2>
              <ul className="chips">
                {alert.beneficiaryIds.map((id) => (
                  <li key={id}>
                    <a href={hrefOf({ page: 'suspect', id })}>{id}</a>
                  </li>
                ))}
              </ul>
              <h2>{i18n.t('alert.evidence')}</h2>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the evidence list scrolls; keyboard users need to reach it. */}
              <ul className="evidence" tabIndex={0} aria-label={i18n.t('alert.evidence')}>
                {alert.evidence.slice(0, 50).map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            </section>
          </div>
          <h2>{i18n.t('alert.graph')}</h2>
          {data?.ring === undefined ? (
            <GraphView
              label={i18n.t('network.graphLabel', { count: alert.beneficiaryIds.length + 1 })}
              testId="ring-graph"
              graph={{
                nodes: [
                  {
                    id: 'entity',
                    kind: alert.entityType === 'terminal' ? 'terminal' : 'card',
                    label: alert.entityId,
                  },
                  ...alert.beneficiaryIds.map((id) => ({
                    id: `b:${id}`,
                    kind: 'beneficiary' as const,
                    label: id,
                  })),
                ],
                edges: alert.beneficiaryIds.map((id) => ({
                  source: 'entity',
                  target: `b:${id}`,
                  kind: 'involves',
                })),
              }}
            />
          ) : (
            <RingPanel ring={data.ring} />
          )}
        </>
      )}
    </Page>
  );
}

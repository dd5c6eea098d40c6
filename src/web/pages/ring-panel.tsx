import type { RingGraph, RingView } from '../api/types.js';
import { useApp } from '../app-context.js';
import { GraphView } from '../components/graph-view.js';
import { StatusMessage } from '../components/status-message.js';
import { formatCount, formatFen, formatTime } from '../format/format.js';
import { explain } from '../i18n/explanations.js';
import { useApiData } from '../use-api-data.js';
import { loadRingGraph } from './ring-graph.js';

/** One ring: its figures, its explanation, its graph, and the graph's nodes as a list (for keyboard and screen readers). */
export function RingPanel(props: { readonly ring: RingView }) {
  const { api, i18n } = useApp();
  const { ring } = props;
  const {
    data: graph,
    error,
    loading,
  } = useApiData<RingGraph>(() => loadRingGraph(api, ring), [api, ring.ringId]);
  return (
    <section
      className="panel"
      aria-labelledby="ring-heading"
      data-testid="ring-panel"
      data-graph-ready={graph === undefined ? 'false' : 'true'}
    >
      <h2 id="ring-heading">{`${i18n.t('network.ring')} ${ring.ringId}`}</h2>
      <dl className="facts inline">
        <dt>{i18n.t('network.cards')}</dt>
        <dd>{formatCount(ring.cardsMasked.length)}</dd>
        <dt>{i18n.t('network.sweeps')}</dt>
        <dd>{formatCount(ring.sweeps)}</dd>
        <dt>{i18n.t('network.terminals')}</dt>
        <dd>{ring.terminals.join(', ')}</dd>
        <dt>{i18n.t('network.withdrawn')}</dt>
        <dd>{formatFen(ring.withdrawnFen)}</dd>
        <dt>{i18n.t('network.deceased')}</dt>
        <dd>{formatCount(ring.deceasedBeneficiaries)}</dd>
        <dt>{i18n.t('network.period')}</dt>
        <dd>{`${formatTime(ring.firstTs)} – ${formatTime(ring.lastTs)}`}</dd>
      </dl>
      <p data-testid="ring-explanation">{explain(ring.explanation, i18n)}</p>
      <StatusMessage loading={loading} error={error} />
      {graph === undefined ? null : (
        <>
          <p className="legend">
            <span className="key card">■</span> {i18n.term('entity', 'card')}{' '}
            <span className="key beneficiary">●</span> {i18n.term('entity', 'beneficiary')}{' '}
            <span className="key handler">◆</span> {i18n.term('entity', 'handler')}{' '}
            <span className="key terminal">⬢</span> {i18n.term('entity', 'terminal')}
          </p>
          {graph.cards !== undefined && graph.cards.drawn < graph.cards.total ? (
            <p className="help" data-testid="ring-cards-drawn">
              {i18n.t('network.cardsDrawn', {
                drawn: formatCount(graph.cards.drawn),
                total: formatCount(graph.cards.total),
              })}
            </p>
          ) : null}
          <GraphView
            graph={graph}
            label={i18n.t('network.graphLabel', { count: graph.nodes.length })}
            testId="ring-graph"
          />
          <details>
            <summary>{i18n.t('network.nodeList')}</summary>
            <ul className="node-list">
              {graph.nodes.map((n) => (
                <li key={n.id}>{`${i18n.term('entity', n.kind)}: ${n.label}`}</li>
              ))}
            </ul>
          </details>
        </>
      )}
    </section>
  );
}

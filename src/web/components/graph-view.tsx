import cytoscape from 'cytoscape';
import { useEffect, useMemo, useRef } from 'react';
import type { RingGraph } from '../api/types.js';
import { useApp } from '../app-context.js';
import { formatCount } from '../format/format.js';
import { trimGraph } from '../pages/ring-graph.js';

const COLOURS: Readonly<Record<string, string>> = {
  card: '#1f6fb2',
  beneficiary: '#7a4fb5',
  handler: '#c0392b',
  terminal: '#1e8449',
  alert: '#b9770e',
};

const SHAPES: Readonly<Record<string, string>> = {
  card: 'round-rectangle',
  beneficiary: 'ellipse',
  handler: 'diamond',
  terminal: 'hexagon',
  alert: 'star',
};

/**
 * A network drawn with Cytoscape.js (cards, beneficiaries, handlers, terminals). The canvas is an image to
 * assistive technology; the page lists the same nodes as text.
 */
export function GraphView(props: {
  readonly graph: RingGraph;
  readonly label: string;
  readonly testId?: string;
}) {
  const { i18n } = useApp();
  const element = useRef<HTMLDivElement>(null);
  const drawn = useMemo(() => trimGraph(props.graph), [props.graph]);
  useEffect(() => {
    if (element.current === null) return;
    const cy = cytoscape({
      container: element.current,
      elements: [
        ...drawn.nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind } })),
        ...drawn.edges.map((e, i) => ({
          data: { id: `e${i}`, source: e.source, target: e.target, kind: e.kind },
        })),
      ],
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'font-size': 9,
            color: '#222',
            'text-valign': 'bottom',
            'text-margin-y': 3,
            width: 18,
            height: 18,
            'background-color': (node: cytoscape.NodeSingular) =>
              COLOURS[String(node.data('kind'))] ?? '#555',
            shape: (node: cytoscape.NodeSingular) =>
              (SHAPES[String(node.data('kind'))] ?? 'ellipse') as 'ellipse',
          },
        },
        { selector: 'edge', style: { width: 1, 'line-color': '#a0a8b0', 'curve-style': 'haystack' } },
      ],
      layout: {
        name: 'cose',
        animate: false,
        randomize: false,
        nodeRepulsion: () => 9000,
        idealEdgeLength: () => 60,
      },
      userZoomingEnabled: true,
      boxSelectionEnabled: false,
    });
    return () => cy.destroy();
  }, [drawn]);
  return (
    <>
      {drawn.nodes.length < props.graph.nodes.length ? (
        <p className="help" data-testid="graph-trimmed">
          {i18n.t('network.trimmed', {
            shown: formatCount(drawn.nodes.length),
            total: formatCount(props.graph.nodes.length),
          })}
        </p>
      ) : null}
      <div ref={element} className="graph" role="img" aria-label={props.label} data-testid={props.testId} />
    </>
  );
}

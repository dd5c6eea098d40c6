import type { ApiClient } from '../api/api-client.js';
import type { BeneficiaryView, RingGraph, RingView } from '../api/types.js';

type Node = RingGraph['nodes'][number];
type Edge = RingGraph['edges'][number];

/** The most beneficiaries whose record (handler, card) the page reads to draw a ring. */
export const MAX_RING_BENEFICIARIES = 60;

/**
 * A ring as a graph of cards, beneficiaries, handlers and terminals: every card of the ring was used at the ring's
 * terminals; a beneficiary is joined to the card their record names (masked numbers compared) and to their
 * handler.
 */
export function ringGraph(ring: RingView, beneficiaries: readonly BeneficiaryView[]): RingGraph {
  const nodes = new Map<string, Node>();
  const edges: Edge[] = [];
  const add = (node: Node) => {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
  };
  const cardIds = new Map<string, string>();
  ring.cardsMasked.forEach((card, i) => {
    const id = `card:${i}`;
    cardIds.set(card, cardIds.get(card) ?? id);
    add({ id, kind: 'card', label: card });
  });
  for (const terminal of ring.terminals)
    add({ id: `terminal:${terminal}`, kind: 'terminal', label: terminal });
  for (const cardId of new Set(cardIds.values())) {
    for (const terminal of ring.terminals)
      edges.push({ source: cardId, target: `terminal:${terminal}`, kind: 'used_at' });
  }
  const known = new Map(beneficiaries.map((b) => [b.beneficiaryId, b]));
  for (const id of ring.beneficiaryIds) {
    const b = known.get(id);
    add({ id: `beneficiary:${id}`, kind: 'beneficiary', label: id });
    const card = b?.bankCardMasked === undefined ? undefined : cardIds.get(b.bankCardMasked);
    if (card !== undefined) edges.push({ source: `beneficiary:${id}`, target: card, kind: 'holds' });
    if (b?.handlerId !== undefined) {
      add({ id: `handler:${b.handlerId}`, kind: 'handler', label: b.handlerId });
      edges.push({ source: `handler:${b.handlerId}`, target: `beneficiary:${id}`, kind: 'handles' });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

/** The most cards of a ring the page asks the server to draw (the most active first). */
export const MAX_DRAWN_CARDS = 40;

/** Reads a ring's graph: the API's own when it has the route, else drawn from the ring and its beneficiaries. */
export async function loadRingGraph(api: ApiClient, ring: RingView): Promise<RingGraph> {
  const graph = await api.getOptional<RingGraph>(`/api/rings/${encodeURIComponent(ring.ringId)}/graph`, {
    maxCards: MAX_DRAWN_CARDS,
  });
  if (graph !== undefined) return graph;
  const beneficiaries = await Promise.all(
    ring.beneficiaryIds
      .slice(0, MAX_RING_BENEFICIARIES)
      .map((id) =>
        api.get<BeneficiaryView>(`/api/beneficiaries/${encodeURIComponent(id)}`).catch(() => undefined),
      ),
  );
  return ringGraph(
    ring,
    beneficiaries.filter((b): b is BeneficiaryView => b !== undefined),
  );
}

/** The ring that shares the most beneficiaries with an alert, if any shares one. */
export function ringOfAlert(
  rings: readonly RingView[],
  beneficiaryIds: readonly string[],
): RingView | undefined {
  const wanted = new Set(beneficiaryIds);
  let best: RingView | undefined;
  let bestOverlap = 0;
  for (const ring of rings) {
    const overlap = ring.beneficiaryIds.filter((id) => wanted.has(id)).length;
    if (overlap > bestOverlap) {
      best = ring;
      bestOverlap = overlap;
    }
  }
  return best;
}

/** The most nodes a graph is drawn with: the layout is quadratic, and a ring of a thousand cards froze the page. */
export const MAX_DRAWN_NODES = 120;

/**
 * The part of a graph that is drawn: every terminal and handler, then cards in the API's order with the
 * beneficiaries and handlers they link to, until `max` nodes; edges between kept nodes only. The page lists every
 * node as text beside it.
 * @example trimGraph(graph, 240).nodes.length <= 240
 */
export function trimGraph(graph: RingGraph, max = MAX_DRAWN_NODES): RingGraph {
  if (graph.nodes.length <= max) return graph;
  const kept = new Set<string>();
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const neighbours = new Map<string, string[]>();
  const link = (from: string, to: string) => {
    const list = neighbours.get(from);
    if (list === undefined) neighbours.set(from, [to]);
    else list.push(to);
  };
  for (const e of graph.edges) {
    link(e.source, e.target);
    link(e.target, e.source);
  }
  const keep = (id: string) => {
    if (kept.size < max) kept.add(id);
  };
  for (const n of graph.nodes) if (n.kind === 'terminal') keep(n.id);
  for (const n of graph.nodes) {
    if (kept.size >= max) break;
    if (n.kind !== 'card') continue;
    keep(n.id);
    // The card's holders, and each holder's handler.
    for (const holder of neighbours.get(n.id) ?? []) {
      if (byId.get(holder)?.kind !== 'beneficiary') continue;
      keep(holder);
      for (const h of neighbours.get(holder) ?? []) if (byId.get(h)?.kind === 'handler') keep(h);
    }
  }
  for (const n of graph.nodes) if (n.kind === 'handler' && kept.size < max) keep(n.id);
  for (const n of graph.nodes) if (kept.size < max) keep(n.id);
  return {
    nodes: graph.nodes.filter((n) => kept.has(n.id)),
    edges: graph.edges.filter((e) => kept.has(e.source) && kept.has(e.target)),
  };
}

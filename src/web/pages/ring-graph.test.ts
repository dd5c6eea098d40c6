import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BeneficiaryView, RingView } from '../api/types.js';
import { ringGraph, ringOfAlert, trimGraph } from './ring-graph.js';

const ring: RingView = {
  ringId: 'R1',
  cardsMasked: ['6217********0001', '6217********0002'],
  beneficiaryIds: ['B1', 'B2'],
  sweeps: 4,
  terminals: ['ATM-1'],
  firstTs: 0,
  lastTs: 1,
  withdrawnFen: 100,
  deceasedBeneficiaries: 2,
  score: 0.9,
  explanation: '',
};
const b = (id: string, card: string, handlerId: string): BeneficiaryView => ({
  beneficiaryId: id,
  nameMasked: '王*',
  bankCardMasked: card,
  status: 'active',
  handlerId,
  benefitOrders: [],
});

describe('ring graph', () => {
  it('joins cards to terminals, beneficiaries to their cards and handlers', () => {
    const graph = ringGraph(ring, [b('B1', '6217********0001', 'H7'), b('B2', '6217********0002', 'H7')]);
    expect(graph.nodes.map((n) => n.kind).sort()).toEqual([
      'beneficiary',
      'beneficiary',
      'card',
      'card',
      'handler',
      'terminal',
    ]);
    expect(graph.edges).toContainEqual({ source: 'beneficiary:B2', target: 'card:1', kind: 'holds' });
    expect(graph.edges).toContainEqual({ source: 'card:0', target: 'terminal:ATM-1', kind: 'used_at' });
    expect(graph.edges.filter((e) => e.kind === 'handles')).toHaveLength(2);
    for (const e of graph.edges) {
      expect(graph.nodes.some((n) => n.id === e.source)).toBe(true);
      expect(graph.nodes.some((n) => n.id === e.target)).toBe(true);
    }
  });

  it('finds the ring an alert belongs to by shared beneficiaries', () => {
    expect(ringOfAlert([ring], ['B9', 'B2'])?.ringId).toBe('R1');
    expect(ringOfAlert([ring], ['B9'])).toBeUndefined();
  });
});

describe('trimGraph', () => {
  /** A ring of `cards` cards at 3 terminals, each card held by one beneficiary managed by one of 5 handlers. */
  const big = (cards: number) => {
    const nodes: { id: string; kind: 'card' | 'beneficiary' | 'handler' | 'terminal'; label: string }[] = [];
    const edges: { source: string; target: string; kind: string }[] = [];
    for (let t = 0; t < 3; t++) nodes.push({ id: `terminal:${t}`, kind: 'terminal', label: `T${t}` });
    for (let h = 0; h < 5; h++) nodes.push({ id: `handler:${h}`, kind: 'handler', label: `H${h}` });
    for (let c = 0; c < cards; c++) {
      nodes.push({ id: `card:${c}`, kind: 'card', label: `C${c}` });
      nodes.push({ id: `beneficiary:${c}`, kind: 'beneficiary', label: `B${c}` });
      edges.push({ source: `card:${c}`, target: `beneficiary:${c}`, kind: 'card_of' });
      edges.push({ source: `handler:${c % 5}`, target: `beneficiary:${c}`, kind: 'manages' });
      for (let t = 0; t < 3; t++)
        edges.push({ source: `card:${c}`, target: `terminal:${t}`, kind: 'used_at' });
    }
    return { nodes, edges };
  };

  it('draws a small graph whole and a large one cut to the budget, terminals, handlers and holders kept', () => {
    const small = big(10);
    expect(trimGraph(small, 240)).toBe(small);
    const trimmed = trimGraph(big(1283), 240);
    expect(trimmed.nodes).toHaveLength(240);
    const kinds = (k: string) => trimmed.nodes.filter((n) => n.kind === k).length;
    expect(kinds('terminal')).toBe(3);
    expect(kinds('handler')).toBe(5);
    // Every drawn card comes with its holder.
    expect(kinds('card')).toBe(kinds('beneficiary'));
  });

  it('never exceeds the budget and keeps only edges between drawn nodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 300 }), (cards, max) => {
        const graph = big(cards);
        const trimmed = trimGraph(graph, max);
        const ids = new Set(trimmed.nodes.map((n) => n.id));
        expect(trimmed.nodes.length).toBe(Math.min(max, graph.nodes.length));
        for (const e of trimmed.edges) expect(ids.has(e.source) && ids.has(e.target)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

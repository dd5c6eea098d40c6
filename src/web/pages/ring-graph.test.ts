import { describe, expect, it } from 'vitest';
import type { BeneficiaryView, RingView } from '../api/types.js';
import { ringGraph, ringOfAlert } from './ring-graph.js';

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

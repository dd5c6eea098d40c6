import { MultiUndirectedGraph } from 'graphology';
import type { CalendarDate } from '../core/time.js';
import type { DetectedRing } from './co-use.js';
import type { BeneficiaryHistory } from './ports.js';

/**
 * The entity graph (graphology): beneficiaries, cards, phones, addresses, devices, handlers and terminals, with
 * links from the roll, account changes, status changes, certifications and card co-use. A node's key is
 * `type:id`; a link is one edge per (type, endpoints) with how many times it was seen and how many of those acts
 * came after the beneficiary's death.
 *
 * Which beneficiaries enter is the caller's choice: analyze adds every handler, every ring card and terminal, and
 * the beneficiaries that a ring or an anomaly touches, with their whole neighbourhood. The living majority with
 * nothing against them would cost gigabytes on a roll of a million and say nothing.
 */

export const ENTITY_TYPES = [
  'beneficiary',
  'card',
  'phone',
  'address',
  'device',
  'handler',
  'terminal',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const LINK_TYPES = [
  'holds_card',
  'had_card',
  'phone',
  'address',
  'managed_by',
  'certified_by',
  'certified_on',
  'reactivated_by',
  'approved_by',
  'card_changed_by',
  'co_used',
  'used_at',
] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export interface EntityNode {
  readonly type: EntityType;
  readonly id: string;
  /** Handlers: role; beneficiaries: believed dead; cards: ring id. */
  readonly label?: string;
}

export interface EntityLink {
  readonly type: LinkType;
  times: number;
  /** Acts (certification, reactivation, approval, card change) done after the beneficiary's death. */
  afterDeath: number;
}

export const nodeKey = (type: EntityType, id: string): string => `${type}:${id}`;

export interface EntityGraph {
  readonly graph: MultiUndirectedGraph<EntityNode, EntityLink>;
  addHandler(handlerId: string, role: string | undefined): void;
  /** Adds a beneficiary with its cards, phone, address, handlers and devices. */
  addHistory(history: BeneficiaryHistory, deadSince: CalendarDate | undefined): void;
  /** Adds a ring's cards, their co-use links and the terminals they were swept at. */
  addRing(ring: DetectedRing): void;
  /** Neighbours of a node through links of the given types, with the link. */
  linked(key: string, types: readonly LinkType[]): { key: string; node: EntityNode; link: EntityLink }[];
  /** Nodes per type and links per type. */
  counts(): { readonly nodes: Record<EntityType, number>; readonly links: Record<LinkType, number> };
}

export function createEntityGraph(): EntityGraph {
  const graph = new MultiUndirectedGraph<EntityNode, EntityLink>({ allowSelfLoops: false });
  const node = (type: EntityType, id: string, label?: string): string => {
    const key = nodeKey(type, id);
    if (!graph.hasNode(key)) graph.addNode(key, label === undefined ? { type, id } : { type, id, label });
    return key;
  };
  const link = (type: LinkType, a: string, b: string, afterDeath = false): void => {
    if (a === b) return;
    const [x, y] = a < b ? [a, b] : [b, a];
    const key = `${type}|${x}|${y}`;
    if (graph.hasEdge(key)) {
      const attributes = graph.getEdgeAttributes(key);
      attributes.times++;
      if (afterDeath) attributes.afterDeath++;
      return;
    }
    graph.addEdgeWithKey(key, x, y, { type, times: 1, afterDeath: afterDeath ? 1 : 0 });
  };

  return {
    graph,
    addHandler(handlerId, role) {
      node('handler', handlerId, role);
    },
    addHistory(history, deadSince) {
      const b = history.beneficiary;
      const me = node('beneficiary', b.beneficiaryId, deadSince === undefined ? undefined : 'dead');
      const after = (date: string) => deadSince !== undefined && date > deadSince;
      if (b.bankCard !== undefined) link('holds_card', me, node('card', b.bankCard));
      if (b.phone !== undefined) link('phone', me, node('phone', b.phone));
      if (b.address !== undefined) link('address', me, node('address', b.address));
      if (b.handlerId !== undefined) link('managed_by', me, node('handler', b.handlerId));
      for (const change of history.accountChanges) {
        if (change.oldCard !== undefined && change.oldCard !== b.bankCard)
          link('had_card', me, node('card', change.oldCard));
        if (change.newCard !== b.bankCard) link('had_card', me, node('card', change.newCard));
        if (change.handlerId !== undefined)
          link('card_changed_by', me, node('handler', change.handlerId), after(change.changedAt));
      }
      for (const c of history.certifications) {
        if (c.handlerId !== undefined)
          link('certified_by', me, node('handler', c.handlerId), after(c.certifiedAt));
        if (c.deviceId !== undefined)
          link('certified_on', me, node('device', c.deviceId), after(c.certifiedAt));
      }
      for (const s of history.statusChanges) {
        if (s.toStatus !== 'active' || s.fromStatus === 'active') continue;
        if (s.handlerId !== undefined)
          link('reactivated_by', me, node('handler', s.handlerId), after(s.changedAt));
        if (s.approvedBy !== undefined && s.approvedBy !== s.handlerId)
          link('approved_by', me, node('handler', s.approvedBy), after(s.changedAt));
      }
    },
    addRing(ring) {
      for (const card of ring.cards.keys()) node('card', card, ring.ringId);
      for (const edge of ring.edges) {
        for (let i = 0; i < edge.times; i++)
          link('co_used', nodeKey('card', edge.a), nodeKey('card', edge.b));
      }
      for (const sweep of ring.sweeps) {
        const terminal = node('terminal', sweep.terminalId);
        for (const card of sweep.cards)
          if (ring.cards.has(card)) link('used_at', nodeKey('card', card), terminal);
      }
    },
    linked(key, types) {
      if (!graph.hasNode(key)) return [];
      const wanted = new Set<LinkType>(types);
      const out: { key: string; node: EntityNode; link: EntityLink }[] = [];
      graph.forEachEdge(key, (_edge, attributes, source, target) => {
        if (!wanted.has(attributes.type)) return;
        const other = source === key ? target : source;
        out.push({ key: other, node: graph.getNodeAttributes(other), link: attributes });
      });
      return out;
    },
    counts() {
      const nodes = Object.fromEntries(ENTITY_TYPES.map((t) => [t, 0])) as Record<EntityType, number>;
      const links = Object.fromEntries(LINK_TYPES.map((t) => [t, 0])) as Record<LinkType, number>;
      graph.forEachNode((_key, attributes) => {
        nodes[attributes.type]++;
      });
      graph.forEachEdge((_key, attributes) => {
        links[attributes.type]++;
      });
      return { nodes, links };
    },
  };
}

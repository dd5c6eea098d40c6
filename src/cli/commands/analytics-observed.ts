import type { ObservedAlert, ObservedHandler } from '../../eval/index.js';
import type { Store } from '../../store/store.js';

/**
 * What analyze stored, in the scorer's terms: the handler ranking, and each ring as an alert-like finding (entity
 * `ring`, its cards and their beneficiaries). Both undefined when analyze has never run on this store, so the
 * sections read "unavailable", not 0.
 */
export async function observedAnalytics(store: Store): Promise<{
  readonly handlers: ObservedHandler[] | undefined;
  readonly ringAlerts: ObservedAlert[] | undefined;
}> {
  const ranking = await store.analytics.listHandlerRisk();
  if (ranking.length === 0 && !(await store.status()).jobs.some((j) => j.job === 'analyze')) {
    return { handlers: undefined, ringAlerts: undefined };
  }
  const rings = await store.analytics.listRings();
  return {
    handlers: ranking.map((h) => ({ handlerId: h.handlerId, riskScore: h.riskScore, pValue: h.pValue })),
    ringAlerts: rings.map((r) => ({
      alertId: r.ringId,
      firstTs: r.firstTs,
      beneficiaryIds: [...new Set(r.members.flatMap((m) => m.beneficiaryIds))],
      cards: r.members.map((m) => m.card),
      entityType: 'ring',
      rule: 'analytics.ring',
    })),
  };
}

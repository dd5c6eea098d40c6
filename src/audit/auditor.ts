import { maskText } from '../core/mask.js';
import type { AuditEntry, AuditOutcome } from './audit-chain.js';
import type { AuditLog } from './ports.js';

/** Records actions in the audit log, masking identity and card numbers in every text it is given. */
export interface Auditor {
  record(event: {
    readonly actor: string;
    readonly action: string;
    readonly target?: string | undefined;
    readonly outcome: AuditOutcome;
    readonly detail?: Readonly<Record<string, unknown>> | undefined;
  }): Promise<AuditEntry>;
}

/** Every string inside `value`, masked (identity and card numbers), structure kept. */
export function maskDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)]));
  }
  return value;
}

/**
 * The one way the edges write to the audit log.
 * @example
 * const auditor = createAuditor({ log: store, clock: Date.now });
 * await auditor.record({ actor: 'li', action: 'case.open', target: 'case:C1', outcome: 'ok' });
 */
export function createAuditor(deps: { readonly log: AuditLog; readonly clock: () => number }): Auditor {
  return {
    record(event) {
      return deps.log.appendAudit({
        at: deps.clock(),
        actor: maskText(event.actor),
        action: event.action,
        target: maskText(event.target ?? ''),
        outcome: event.outcome,
        detail: maskDeep(event.detail ?? {}) as Record<string, unknown>,
      });
    },
  };
}

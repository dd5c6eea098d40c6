import type { CardEvent } from '../../records/schemas.js';
import type { Alert } from '../alert.js';
import { defaultRules } from '../default-rules.js';
import { createEngine, type Engine } from '../engine.js';
import type { ReferenceData } from '../ports.js';
import type { Rules } from '../rules.js';

/** Runs events through a fresh engine to the end and returns the final alerts, sorted by id. */
export function runEvents(
  events: readonly CardEvent[],
  options: { rules?: Rules; reference?: ReferenceData } = {},
): { alerts: Alert[]; engine: Engine } {
  const engine = createEngine({
    rules: options.rules ?? defaultRules(),
    reference: options.reference ?? { card: () => undefined },
  });
  const alerts = new Map<string, Alert>();
  for (const e of events) {
    engine.push(e);
    for (const a of engine.takeChanges()) alerts.set(a.alertId, a);
  }
  engine.drain();
  for (const a of engine.takeChanges()) alerts.set(a.alertId, a);
  return { alerts: sortAlerts([...alerts.values()]), engine };
}

export function sortAlerts(alerts: Alert[]): Alert[] {
  return alerts.sort((a, b) => (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0));
}

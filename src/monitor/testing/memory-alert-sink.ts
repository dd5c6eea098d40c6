import type { Alert } from '../alert.js';
import type { AlertSink } from '../ports.js';

/** An in-memory AlertSink: upserts by alert id, and counts writes (to prove a restart never duplicates). */
export interface MemoryAlertSink extends AlertSink {
  readonly alerts: Map<string, Alert>;
  /** How many times each alert id was written. */
  readonly writes: Map<string, number>;
  list(): Alert[];
}

export function createMemoryAlertSink(): MemoryAlertSink {
  const alerts = new Map<string, Alert>();
  const writes = new Map<string, number>();
  return {
    alerts,
    writes,
    async upsert(batch) {
      for (const alert of batch) {
        alerts.set(alert.alertId, structuredClone(alert));
        writes.set(alert.alertId, (writes.get(alert.alertId) ?? 0) + 1);
      }
    },
    list: () =>
      [...alerts.values()].sort((a, b) => (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0)),
  };
}

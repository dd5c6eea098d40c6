import type { AlertView } from '../../cases/ports.js';
import type { Alert } from '../../monitor/alert.js';
import { defaultRules } from '../../monitor/default-rules.js';
import { createMonitor } from '../../monitor/monitor.js';
import type { Rules } from '../../monitor/rules.js';
import type { CardEvent } from '../../records/schemas.js';
import type { Store } from '../../store/store.js';

/**
 * The card monitor behind `serve`'s bank feed: events a bank posts run through the rules in force (`serve
 * --rules`, else the defaults; the same engine as `monitor`), alerts are upserted into the store and checkpointed under `api:card-events`, and the
 * alerts that did not exist before are returned, for their webhooks. Batches are processed one at a time, in the
 * order they arrive. The reference data (roll, payments, findings) is loaded once at start.
 * @example const onCardEvents = await createLiveMonitor(store); const fresh = await onCardEvents(events);
 */
export async function createLiveMonitor(
  store: Store,
  rules: Rules = defaultRules(),
): Promise<(events: readonly CardEvent[]) => Promise<readonly AlertView[]>> {
  const reference = await store.monitor.loadReferenceData();
  let fresh: Alert[] = [];
  const monitor = createMonitor({
    rules,
    reference,
    checkpoints: store.monitor,
    checkpointName: 'api:card-events',
    sink: {
      async upsert(alerts) {
        for (const alert of alerts) {
          if ((await store.cases.getAlert(alert.alertId)) === undefined) fresh.push(alert);
        }
        await store.monitor.upsert(alerts);
      },
    },
  });
  const resumed = await monitor.resume();
  if (!resumed.ok) throw new Error(resumed.issues[0]?.message ?? 'cannot restore the monitor checkpoint');
  let queue: Promise<unknown> = Promise.resolve();
  return (events) => {
    const run = queue.then(async () => {
      fresh = [];
      for (const event of events) monitor.push(event);
      await monitor.commit(null);
      return fresh;
    });
    queue = run.catch(() => {});
    return run;
  };
}

import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import {
  evaluate,
  formatEvaluation,
  type Observed,
  type ObservedAlert,
  type ObservedSuspect,
} from '../../eval/index.js';
import type { Store } from '../../store/store.js';
import { booleanOption, type Command, stringOption } from '../context.js';
import { CliError, EXIT_OK, usageError } from '../errors.js';
import { observedAnalytics } from './analytics-observed.js';

/** What the store holds, in the scorer's terms; capabilities not built yet are left out (reported unavailable). */
export async function observedFromStore(store: Store): Promise<Observed> {
  const quarantine = await store.quarantine({ limit: Number.MAX_SAFE_INTEGER });
  const monitorAlerts = await observedAlerts(store);
  const { handlers, ringAlerts } = await observedAnalytics(store);
  const alerts =
    monitorAlerts === undefined && ringAlerts === undefined
      ? undefined
      : [...(monitorAlerts ?? []), ...(ringAlerts ?? [])];
  const suspects = await observedSuspects(store);
  return {
    quarantine: quarantine.map((q) => ({ file: basename(q.file), line: q.line })),
    ...(suspects === undefined ? {} : { suspects }),
    ...(alerts === undefined ? {} : { alerts }),
    ...(handlers === undefined ? {} : { handlers }),
  };
}

/**
 * The findings in force (as `export suspects` writes them: reversed decisions left out), with whether a life sign
 * contests them; undefined when death matching has never run on this store.
 */
async function observedSuspects(store: Store): Promise<ObservedSuspect[] | undefined> {
  const findings = await store.listFindings();
  if (findings.length === 0 && !(await store.status()).jobs.some((j) => j.job === 'match')) return undefined;
  const out: ObservedSuspect[] = [];
  for (let i = 0; i < findings.length; i += 2000) {
    const chunk = findings.slice(i, i + 2000);
    const decisions = await store.latestDecisions(chunk.map((f) => f.beneficiaryId));
    for (const f of chunk) {
      const decision = decisions.get(f.beneficiaryId);
      if (decision?.decisionId === f.decisionId && decision.reversal !== undefined) continue;
      out.push({
        beneficiaryId: f.beneficiaryId,
        overpaidFen: f.overpaidFen,
        decision: f.decision,
        ...(f.lifeSign === undefined ? {} : { contested: true }),
        ...(f.unsupported === true ? { unsupported: true } : {}),
        ...(f.rollStatus === 'active' && f.statusAfter === 'suspended' ? { suspended: true } : {}),
      });
    }
  }
  return out;
}

/**
 * The stored alerts with the cards they concern (a card alert's entity, and the cards of its evidence events);
 * undefined when the monitor has never run on this store, so the section reads "unavailable", not 0.
 */
async function observedAlerts(store: Store): Promise<ObservedAlert[] | undefined> {
  const alerts = await store.monitor.listAlerts();
  if (alerts.length === 0 && !(await store.status()).jobs.some((j) => j.job === 'monitor')) return undefined;
  const cardOf = await store.monitor.cardsOfEvents(alerts.flatMap((a) => a.evidence));
  return alerts.map((a) => {
    const cards = new Set<string>();
    if (a.entityType === 'card') cards.add(a.entityId);
    for (const id of a.evidence) {
      const card = cardOf.get(id);
      if (card !== undefined) cards.add(card);
    }
    return {
      alertId: a.alertId,
      firstTs: a.firstTs,
      beneficiaryIds: a.beneficiaryIds,
      cards: [...cards],
      entityType: a.entityType,
      rule: a.rule,
    };
  });
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  synopsis: 'evaluate --truth DIR [--json]',
  summary: 'precision, recall and time-to-detection of what the store holds, against a simulated truth',
  options: { truth: { type: 'string' }, json: { type: 'boolean' } },
  async run(context) {
    const truth = stringOption(context.values, 'truth');
    if (truth === undefined)
      throw usageError('evaluate needs --truth DIR, the folder simulate wrote (or its truth/)');
    if (!existsSync(truth))
      throw new CliError(`${truth}: no such folder; give the folder ghostwatch simulate wrote`);
    const store = await context.openStore();
    try {
      const result = await evaluate(truth, await observedFromStore(store));
      context.io.stdout.write(
        booleanOption(context.values, 'json')
          ? `${JSON.stringify(result, null, 2)}\n`
          : `${formatEvaluation(result)}\n`,
      );
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

import { RECORD_KINDS } from '../../records/enums.js';
import type { FindingCounts } from '../../store/dashboard-sql.js';
import type { StoreStatus } from '../../store/store.js';
import { booleanOption, type Command } from '../context.js';
import { EXIT_OK } from '../errors.js';

const time = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString());

/** The human form of `status`: what the store holds. */
export function formatStatus(status: StoreStatus): string {
  const lines: string[] = [];
  lines.push(
    `store: ${status.store.dialect} ${status.store.location} (schema version ${status.store.schemaVersion})`,
  );
  lines.push('', 'rows');
  for (const kind of RECORD_KINDS)
    lines.push(`  ${kind.padEnd(18)} ${String(status.rows[kind]).padStart(12)}`);
  lines.push('', 'quarantine (rows that failed validation, per file)');
  if (status.quarantine.length === 0) lines.push('  none');
  for (const q of status.quarantine)
    lines.push(`  ${q.file}  [${q.kind}${q.loadedBy === 'ingest' ? '' : `, by ${q.loadedBy}`}]  ${q.rows}`);
  lines.push('', `data-quality flags on loaded rows: ${status.dataQualityFlags}`);
  const interrupted = status.loads.filter((l) => l.status === 'running');
  if (interrupted.length > 0) {
    lines.push('', 'loads not finished (killed or still running; re-run the ingest to complete them)');
    for (const l of interrupted) lines.push(`  ${l.file}  [${l.kind}]  started ${time(l.startedAt)}`);
  }
  lines.push('', 'last run of each job');
  if (status.jobs.length === 0) lines.push('  none yet');
  for (const j of status.jobs)
    lines.push(`  ${j.job.padEnd(10)} ${j.outcome.padEnd(6)} ${time(j.finishedAt)}`);
  return `${lines.join('\n')}\n`;
}

/** The human form of the findings, alerts and cases counts. */
export function formatCounts(counts: FindingCounts): string {
  return [
    `findings (death-matching suspects): ${counts.findings}`,
    `alerts: ${counts.alerts.open} open of ${counts.alerts.total}`,
    `cases: ${counts.cases.open} open of ${counts.cases.total}`,
    '',
  ].join('\n');
}

export const statusCommand: Command = {
  name: 'status',
  synopsis: 'status [--json]',
  summary:
    'what the store holds: rows per kind, quarantined rows per file, findings, alerts, cases, last runs',
  options: { json: { type: 'boolean' } },
  async run(context) {
    const store = await context.openStore();
    try {
      const status = await store.status();
      const analytics = await store.analytics.analyticsCounts();
      const counts = await store.dashboard.counts();
      context.io.stdout.write(
        booleanOption(context.values, 'json')
          ? `${JSON.stringify({ ...status, ...counts, analytics }, null, 2)}\n`
          : `${formatStatus(status)}\n${formatCounts(counts)}analytics: ${analytics.handlersRanked} handlers ranked (${analytics.handlersSignificant} significant), ${analytics.rings} rings, ${analytics.anomalies} anomalies\n`,
      );
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

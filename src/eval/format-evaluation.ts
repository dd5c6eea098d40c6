import { formatYuan } from '../core/money.js';
import type { EvaluationResult, Ratio } from './evaluate.js';

const percent = (r: Ratio) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)} %`);
const yuan = (fen: number) => `¥${formatYuan(fen)}`;

/**
 * The evaluation as a table for the terminal (the result object itself is the `--json` form).
 * @example console.log(formatEvaluation(await evaluate('county', observed)))
 */
export function formatEvaluation(result: EvaluationResult): string {
  const rows: [string, string, string][] = [];
  const add = (section: string, metric: string, value: string) => rows.push([section, metric, value]);
  const s = result.suspects;
  if (s.kind === 'unavailable') add('suspects', 'unavailable', s.reason);
  else {
    add('suspects', 'precision', `${percent(s.precision)} (${s.truePositives} of ${s.suspects})`);
    add('suspects', 'precision of confirmed', percent(s.confirmedPrecision));
    add(
      'suspects',
      'recall (dead with a record)',
      `${percent(s.recall)} (${s.found} of ${s.deadWithRecord})`,
    );
    add('suspects', 'recall of fraud victims', percent(s.fraudRecall));
    add(
      'suspects',
      'overpaid: found vs truth',
      `${yuan(s.overpaidObservedFoundFen)} vs ${yuan(s.overpaidTruthFoundFen)}`,
    );
    add(
      'suspects',
      'overpaid: all suspects vs all dead',
      `${yuan(s.overpaidObservedFen)} vs ${yuan(s.overpaidTruthFen)}`,
    );
    add(
      'suspects',
      'claimed: confirmed + review',
      `${yuan(s.overpaidConfirmedFen)} + ${yuan(s.overpaidReviewFen)}`,
    );
    add(
      'suspects',
      'contested by a life sign (apart)',
      `${s.contested} (${s.contestedLiving} alive), ${yuan(s.overpaidContestedFen)}`,
    );
    add(
      'suspects',
      'no record about them (apart)',
      `${s.unsupported} (${s.unsupportedLiving} alive), ${yuan(s.overpaidUnsupportedFen)}`,
    );
    add('suspects', 'living suspended', String(s.livingSuspended));
  }
  const a = result.alerts;
  if (a.kind === 'unavailable') add('alerts', 'unavailable', a.reason);
  else {
    add(
      'alerts',
      'ring cards covered',
      `${percent(a.ringCoverage)} (${a.ringCardsCovered} of ${a.ringCards})`,
    );
    add('alerts', 'fraud cards covered', `${a.fraudCardsCovered} of ${a.fraudCards}`);
    add('alerts', 'median delay', a.medianDelayHours === null ? 'n/a' : `${a.medianDelayHours.toFixed(1)} h`);
    add(
      'alerts',
      'false alerts per 1,000 living cards',
      a.falseAlertsPer1000LivingCards === null
        ? 'n/a'
        : `${a.falseAlertsPer1000LivingCards.toFixed(2)} (${a.falseAlerts} of ${a.alerts} alerts)`,
    );
  }
  const h = result.handlers;
  if (h.kind === 'unavailable') add('handlers', 'unavailable', h.reason);
  else {
    add('handlers', `precision at k=${h.colluders}`, percent(h.precisionAtK));
    add(
      'handlers',
      'rank of first colluder',
      h.firstColluderRank === null ? 'none ranked' : String(h.firstColluderRank),
    );
    add('handlers', 'p < 0.05: colluders / others', `${h.significantColluders} / ${h.significantOthers}`);
  }
  const q = result.quarantine;
  if (q.kind === 'unavailable') add('quarantine', 'unavailable', q.reason);
  else {
    add('quarantine', 'injected bad rows found', `${percent(q.recall)} (${q.found} of ${q.injected})`);
    add('quarantine', 'good rows quarantined', String(q.unexpected));
  }
  const width = (i: 0 | 1) => Math.max(...rows.map((r) => [...r[i]].length), i === 0 ? 7 : 6);
  const pad = (text: string, n: number) => text + ' '.repeat(Math.max(0, n - [...text].length));
  const w0 = width(0);
  const w1 = width(1);
  const header = `${pad('section', w0)}  ${pad('metric', w1)}  value`;
  const lines = rows.map(([x, y, z]) => `${pad(x, w0)}  ${pad(y, w1)}  ${z}`);
  return [
    `truth: seed ${String(result.truth.seed)}, size ${String(result.truth.size)}, as of ${String(result.truth.asOf)}`,
    header,
    '-'.repeat(header.length + 8),
    ...lines,
  ].join('\n');
}

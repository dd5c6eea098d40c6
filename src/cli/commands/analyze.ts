import { type AnalyzeSummary, createAnalyzer } from '../../analytics/analyze.js';
import { type CalendarDate, parseDate } from '../../core/time.js';
import { booleanOption, type Command, stringOption } from '../context.js';
import { EXIT_OK, usageError } from '../errors.js';
import { createStageProgress } from '../stage-progress.js';

export function formatAnalyzeSummary(s: AnalyzeSummary): string {
  const anomalies = Object.entries(s.anomalies)
    .map(([kind, n]) => `    ${kind.padEnd(40)} ${String(n).padStart(8)}`)
    .join('\n');
  const top = s.topHandlers
    .map(
      (h) =>
        `    ${h.handlerId.padEnd(12)} score ${h.riskScore.toFixed(1).padStart(6)}  q ${h.qValue.toPrecision(2).padStart(8)}  ${h.reason}`,
    )
    .join('\n');
  return [
    `analyze${s.asOf === null ? '' : ` (as of ${s.asOf})`}: ${s.beneficiaries} beneficiaries (${s.believedDead} believed dead, evidence: ${
      s.deathEvidence === 'matching' ? 'death matching' : 'death records with the same ID number'
    }), ${s.terminalUses} card uses at terminals`,
    `  rings: ${s.rings} (${s.ringCards} cards) from ${s.multiCardSweeps} multi-card sweeps`,
    `  handlers: ${s.handlers} ranked, ${s.handlersSignificant} significant at a false-discovery rate of ${s.fdr}`,
    `  entity graph: ${s.graph.nodes} nodes, ${s.graph.links} links`,
    '  anomalies:',
    anomalies === '' ? '    none' : anomalies,
    '  highest risk:',
    top === '' ? '    none' : top,
    '',
  ].join('\n');
}

export const analyzeCommand: Command = {
  name: 'analyze',
  synopsis: 'analyze [--as-of DATE] [--json]',
  summary: 'network, certification and handler analytics: rings, anomalies, handler risk',
  options: { 'as-of': { type: 'string' }, json: { type: 'boolean' } },
  async run(context) {
    if (context.positionals.length > 0) {
      throw usageError(`analyze takes no arguments; usage: ghostwatch ${this.synopsis}`);
    }
    const asOfText = stringOption(context.values, 'as-of');
    let asOf: CalendarDate | undefined;
    if (asOfText !== undefined) {
      const parsed = parseDate(asOfText);
      if (!parsed.ok) throw usageError(`--as-of: ${parsed.issues[0]?.message}`);
      asOf = parsed.value;
    }
    const store = await context.openStore();
    const progress = createStageProgress(context, 'analyze');
    const startedAt = context.clock();
    try {
      let summary: AnalyzeSummary;
      try {
        summary = await createAnalyzer({
          store: store.analytics,
          clock: context.clock,
          onProgress: progress.update,
        }).run(asOf === undefined ? {} : { asOf });
      } catch (error) {
        await store.recordJobRun({
          job: 'analyze',
          startedAt,
          finishedAt: context.clock(),
          outcome: 'failed',
          summary: { error: error instanceof Error ? error.message : String(error) },
        });
        throw error;
      } finally {
        progress.done();
      }
      await store.recordJobRun({
        job: 'analyze',
        startedAt,
        finishedAt: context.clock(),
        outcome: 'ok',
        summary: { ...summary },
      });
      context.io.stdout.write(
        booleanOption(context.values, 'json')
          ? `${JSON.stringify(summary)}\n`
          : formatAnalyzeSummary(summary),
      );
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

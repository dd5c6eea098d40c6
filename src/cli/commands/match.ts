import { availableParallelism } from 'node:os';
import { formatYuan } from '../../core/money.js';
import { parseDate } from '../../core/time.js';
import { createDeathMatcher, type MatchSummary } from '../../matching/death-matcher.js';
import { booleanOption, type Command, stringOption } from '../context.js';
import { CliError, EXIT_OK, usageError } from '../errors.js';
import { createStageProgress } from '../stage-progress.js';

export function formatMatchSummary(s: MatchSummary): string {
  const model =
    s.model === undefined ? 'none' : `${s.model.trained ? 'trained' : 'stored'} model ${s.model.modelId}`;
  return [
    `match (${s.mode}, ${model}): ${s.deathRecords} death records against ${s.beneficiaries} beneficiaries, ${s.candidatePairs} candidate pairs`,
    `  ${s.links} links, ${s.findings} findings (${s.confirmed} confirmed, ${s.review} review), ${s.newDecisions} new decisions`,
    `  overpaid: ¥${formatYuan(s.overpaidFen)}` +
      (s.contested > 0
        ? `; contested by a life sign (${s.contested} reviews, not counted): ¥${formatYuan(s.contestedOverpaidFen)}`
        : '') +
      (s.unsupported > 0
        ? `; no record about the beneficiary (${s.unsupported} reviews, not counted): ¥${formatYuan(s.unsupportedOverpaidFen)}`
        : ''),
    '',
  ].join('\n');
}

export const matchCommand: Command = {
  name: 'match',
  synopsis: 'match [--as-of DATE] [--incremental] [--retrain] [--json]',
  summary: 'death matching, then overpayment and suspension decisions',
  options: {
    'as-of': { type: 'string' },
    incremental: { type: 'boolean' },
    retrain: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(context) {
    if (context.positionals.length > 0) {
      throw usageError(`match takes no arguments; usage: ghostwatch ${this.synopsis}`);
    }
    const asOfText = stringOption(context.values, 'as-of');
    let asOf: ReturnType<typeof parseDate> | undefined;
    if (asOfText !== undefined) {
      asOf = parseDate(asOfText);
      if (!asOf.ok) throw usageError(`--as-of: ${asOf.issues[0]?.message}`);
    }
    const incremental = booleanOption(context.values, 'incremental');
    if (incremental && booleanOption(context.values, 'retrain')) {
      throw usageError('--incremental scores with the stored model; it cannot be combined with --retrain');
    }
    const store = await context.openStore();
    const progress = createStageProgress(context, 'match');
    const startedAt = context.clock();
    try {
      // The batch compares its candidate pairs on worker threads (up to 4) when there are enough of them; the
      // progress line names the threads. The links are the same on one thread.
      const matcher = createDeathMatcher({
        store,
        clock: context.clock,
        onProgress: progress.update,
        threads: Math.min(4, availableParallelism()),
      });
      const dateOption = asOf?.ok ? { asOf: asOf.value } : {};
      let summary: MatchSummary | undefined;
      try {
        summary = incremental
          ? await matcher.matchUnmatched(dateOption)
          : await matcher.runBatch({ ...dateOption, retrain: booleanOption(context.values, 'retrain') });
      } catch (error) {
        await store.recordJobRun({
          job: 'match',
          startedAt,
          finishedAt: context.clock(),
          outcome: 'failed',
          summary: { error: error instanceof Error ? error.message : String(error) },
        });
        throw error;
      } finally {
        progress.done();
      }
      if (summary === undefined) {
        throw new CliError('match --incremental needs a trained model: run ghostwatch match once first');
      }
      await store.recordJobRun({
        job: 'match',
        startedAt,
        finishedAt: context.clock(),
        outcome: 'ok',
        summary: { ...summary },
      });
      context.io.stdout.write(
        booleanOption(context.values, 'json') ? `${JSON.stringify(summary)}\n` : formatMatchSummary(summary),
      );
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { evaluate, formatEvaluation, type Observed } from '../../eval/index.js';
import type { Store } from '../../store/store.js';
import { booleanOption, type Command, stringOption } from '../context.js';
import { CliError, EXIT_OK, usageError } from '../errors.js';

/** What the store holds, in the scorer's terms; capabilities not built yet are left out (reported unavailable). */
export async function observedFromStore(store: Store): Promise<Observed> {
  const quarantine = await store.quarantine({ limit: Number.MAX_SAFE_INTEGER });
  return {
    quarantine: quarantine.map((q) => ({ file: basename(q.file), line: q.line })),
  };
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

import { maskText } from '../../core/mask.js';
import { booleanOption, type Command, stringOption } from '../context.js';
import { EXIT_OK, usageError } from '../errors.js';

export const quarantineCommand: Command = {
  name: 'quarantine',
  synopsis: 'quarantine [--file F] [--limit N] [--json]',
  summary: 'list quarantined rows with file, line, column and reason (row text masked)',
  options: { file: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  async run(context) {
    const limitText = stringOption(context.values, 'limit') ?? '1000';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1)
      throw usageError(`--limit must be a positive whole number, got "${limitText}"`);
    const file = stringOption(context.values, 'file');
    const store = await context.openStore();
    try {
      const entries = await store.quarantine({ ...(file === undefined ? {} : { file }), limit });
      const masked = entries.map((e) => ({ ...e, raw: maskText(e.raw) }));
      if (booleanOption(context.values, 'json')) {
        context.io.stdout.write(`${JSON.stringify(masked, null, 2)}\n`);
      } else if (masked.length === 0) {
        context.io.stdout.write('no quarantined rows\n');
      } else {
        for (const e of masked) {
          context.io.stdout.write(
            `${e.file}:${e.line}${e.column ? ` [${e.column}]` : ''} ${e.reason}\n    ${e.raw}\n`,
          );
        }
      }
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

import { runLink } from '../../linkage/link-files.js';
import { booleanOption, type Command, stringOption } from '../context.js';
import { CliError, EXIT_OK, usageError } from '../errors.js';

export const linkCommand: Command = {
  name: 'link',
  synopsis: 'link --left A.csv --right B.csv --config C.json --out PAIRS.csv [--json]',
  summary: 'general record linkage of two CSV files (config: docs/linkage.md)',
  options: {
    left: { type: 'string' },
    right: { type: 'string' },
    config: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(context) {
    const get = (name: string) => stringOption(context.values, name);
    const left = get('left');
    const right = get('right');
    const config = get('config');
    const out = get('out');
    const missing = [
      ['--left', left],
      ['--right', right],
      ['--config', config],
      ['--out', out],
    ]
      .filter(([, v]) => v === undefined)
      .map(([name]) => name);
    if (missing.length > 0 || context.positionals.length > 0) {
      throw usageError(
        `link needs ${missing.length > 0 ? missing.join(', ') : 'no positional arguments'}; usage: ghostwatch ${this.synopsis}`,
      );
    }
    const result = await runLink({ left: left!, right: right!, config: config!, out: out! });
    if (!result.ok)
      throw new CliError(
        result.issues
          .map((i) => i.message)
          .join('; ')
          .replace(/\s+/g, ' '),
      );
    const s = result.value;
    if (booleanOption(context.values, 'json')) {
      const { parameters: _parameters, ...rest } = s;
      context.io.stdout.write(`${JSON.stringify(rest)}\n`);
    } else {
      context.io.stdout.write(
        `link: ${s.leftRows} × ${s.rightRows} rows, ${s.candidatePairs} candidate pairs, ${s.links} links written to ${s.out}\n`,
      );
    }
    return EXIT_OK;
  },
};

import { parseArgs } from 'node:util';
import { openStore } from '../store/open-store.js';
import { COMMANDS } from './commands/index.js';
import type { CliIo, Command, CommandContext, OptionSpecs } from './context.js';
import { CliError, EXIT_OK, EXIT_USAGE, printError, usageError } from './errors.js';

const GLOBAL_OPTIONS: OptionSpecs = {
  db: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** Options that take a value, so that the command name is found after them (`ghostwatch --db x status`). */
function findCommand(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  const rest = [...argv];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--db') {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    rest.splice(i, 1);
    return { name: arg, rest };
  }
  return { name: undefined, rest };
}

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.synopsis.length));
  const lines = COMMANDS.map((c) => `  ${c.synopsis.padEnd(width)}  ${c.summary}`);
  return [
    'ghostwatch: stops pensions being paid to the dead and catches the people who collect them',
    '',
    'usage: ghostwatch [--db PATH | --db postgres://…] [--verbose] COMMAND [options]',
    '       store: default ./ghostwatch.db (embedded SQLite), or the GHOSTWATCH_DB environment variable',
    '',
    ...lines,
    '',
  ].join('\n');
}

export interface MainDependencies {
  readonly io?: CliIo;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: () => number;
}

/** The CLI's composition root: parses the command line, wires the store and runs one command. */
export async function main(argv: readonly string[], deps: MainDependencies = {}): Promise<number> {
  const io: CliIo = deps.io ?? { stdout: process.stdout, stderr: process.stderr };
  const env = deps.env ?? process.env;
  const verbose = argv.includes('--verbose');
  try {
    const { name, rest } = findCommand(argv);
    if (name === undefined || name === 'help') {
      io.stdout.write(helpText());
      return name === undefined && !argv.includes('--help') && !argv.includes('-h') ? EXIT_USAGE : EXIT_OK;
    }
    const command: Command | undefined = COMMANDS.find((c) => c.name === name);
    if (!command) throw usageError(`unknown command "${name}"; run ghostwatch --help for the list`);
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...GLOBAL_OPTIONS, ...command.options },
        allowPositionals: true,
        strict: command.strict !== false,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw usageError(`${name}: ${reason}; usage: ghostwatch ${command.synopsis}`);
    }
    if (parsed.values.help === true) {
      io.stdout.write(`usage: ghostwatch ${command.synopsis}\n  ${command.summary}\n`);
      return EXIT_OK;
    }
    const dbOption = parsed.values.db;
    const dbLocation = typeof dbOption === 'string' ? dbOption : (env.GHOSTWATCH_DB ?? './ghostwatch.db');
    const context: CommandContext = {
      values: parsed.values,
      positionals: parsed.positionals,
      io,
      dbLocation,
      openStore: () => openStore(dbLocation),
      clock: deps.clock ?? Date.now,
      env,
    };
    return await command.run(context);
  } catch (error) {
    return printError(error, io.stderr, verbose);
  }
}

export { CliError };

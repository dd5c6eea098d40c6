import {
  SIMULATION_FLAGS,
  type SimulationSummary,
  simulateCounty,
  simulationOptionsFromFlags,
} from '../../sim/index.js';
import { booleanOption, type Command, type CommandContext, type OptionSpecs } from '../context.js';
import { EXIT_OK, usageError } from '../errors.js';

const SIMULATE_OPTIONS: OptionSpecs = Object.fromEntries([
  ...SIMULATION_FLAGS.map((flag) => [flag, { type: 'string' as const }]),
  ['json', { type: 'boolean' as const }],
]);

/** Writes a synthetic county from command-line flags, with progress on a TTY; refuses bad flags with exit 2. */
export async function simulateFromFlags(
  context: CommandContext,
  flags: Readonly<Record<string, string | undefined>>,
): Promise<SimulationSummary> {
  const options = simulationOptionsFromFlags(flags);
  if (!options.ok) {
    const issue = options.issues[0]!;
    const flag = issue.path[0] === undefined ? '' : `--${String(issue.path[0])}: `;
    throw usageError(`simulate: ${flag}${issue.message}`);
  }
  const stderr = context.io.stderr;
  let lastDraw = 0;
  const summary = await simulateCounty({
    ...options.value,
    onProgress: (p) => {
      if (!stderr.isTTY) return;
      const now = context.clock();
      if (now - lastDraw < 250 && p.beneficiaries < p.total) return;
      lastDraw = now;
      stderr.write(
        `\rsimulate: ${p.beneficiaries.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} beneficiaries\u001b[K`,
      );
    },
  });
  if (stderr.isTTY) stderr.write('\n');
  return summary;
}

export const simulateCommand: Command = {
  name: 'simulate',
  synopsis: 'simulate --out DIR [--size N] [--seed S] [--encoding gbk] [--ring on|off] …',
  summary:
    'write a synthetic county in the contract formats, with its ground truth in DIR/truth (docs/simulator.md)',
  options: SIMULATE_OPTIONS,
  async run(context) {
    if (context.positionals.length > 0)
      throw usageError(`simulate takes no arguments, only options; usage: ghostwatch ${this.synopsis}`);
    const flags: Record<string, string | undefined> = {};
    for (const flag of SIMULATION_FLAGS) {
      const value = context.values[flag];
      if (typeof value === 'string') flags[flag] = value;
    }
    if (flags.out === undefined)
      throw usageError('simulate needs --out DIR, the folder to write the county into');
    const summary = await simulateFromFlags(context, flags);
    if (booleanOption(context.values, 'json')) {
      context.io.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      const files = Object.entries(summary.files)
        .map(([name, f]) => `  ${name.padEnd(22)} ${String(f.rows).padStart(10)} rows`)
        .join('\n');
      context.io.stdout.write(
        `simulated ${summary.size} beneficiaries (seed ${summary.seed}, as of ${summary.asOf}) into ${summary.out} in ${(summary.elapsedMs / 1000).toFixed(1)} s\n${files}\n  truth in ${summary.out}/truth\n`,
      );
    }
    return EXIT_OK;
  },
};

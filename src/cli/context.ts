import type { ParseArgsConfig } from 'node:util';
import type { Store } from '../store/store.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** What a command gets from the composition root: parsed arguments, streams, the store, a clock. */
export interface CommandContext {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly io: CliIo;
  /** The store location: --db, else GHOSTWATCH_DB, else ./ghostwatch.db. */
  readonly dbLocation: string;
  /** Opens (and migrates) the store; the caller closes it. */
  openStore(): Promise<Store>;
  readonly clock: () => number;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  readonly name: string;
  readonly synopsis: string;
  readonly summary: string;
  readonly options: OptionSpecs;
  /** False for commands that take any option (those not available yet say so instead of a usage error). */
  readonly strict?: boolean;
  run(context: CommandContext): Promise<number>;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function booleanOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

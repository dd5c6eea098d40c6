import type { Command } from '../context.js';
import { CliError } from '../errors.js';

/** A command of CLI.md whose capability has not landed yet: it says so in one line and exits 1. */
export function unavailableCommand(
  name: string,
  synopsis: string,
  summary: string,
  arrivesWith: string,
): Command {
  return {
    name,
    synopsis,
    summary: `${summary} (not available yet)`,
    options: {},
    strict: false,
    run: async () => {
      throw new CliError(`${name} is not available yet: it arrives with ${arrivesWith}`);
    },
  };
}

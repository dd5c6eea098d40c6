import { maskText } from '../core/mask.js';

/** Exit statuses of CLI.md: 0 success, 1 the job failed, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** An expected failure that ends a command with one clear line on stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof EXIT_FAILED | typeof EXIT_USAGE = EXIT_FAILED,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT_USAGE);

/**
 * The one CLI error printer: one line (what, where, what to do), identity and card numbers masked,
 * the stack only with --verbose.
 */
export function printError(error: unknown, stderr: NodeJS.WritableStream, verbose: boolean): number {
  if (error instanceof CliError) {
    stderr.write(`ghostwatch: ${maskText(error.message)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = maskText(message.split('\n')[0] ?? 'unknown error');
  stderr.write(`ghostwatch: ${firstLine}${verbose ? '' : ' (run again with --verbose for details)'}\n`);
  if (verbose && error instanceof Error && error.stack) stderr.write(`${maskText(error.stack)}\n`);
  return EXIT_FAILED;
}

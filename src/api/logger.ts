import { maskText } from '../core/mask.js';

/** A structured logger; every line is masked (identity and card numbers) before it is written. */
export interface Logger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * One JSON object a line, masked.
 * @example const logger = createJsonLogger((line) => process.stderr.write(line), Date.now);
 */
export function createJsonLogger(write: (line: string) => void, clock: () => number = Date.now): Logger {
  const log =
    (level: string) =>
    (message: string, fields: Readonly<Record<string, unknown>> = {}) => {
      const line = JSON.stringify({ time: new Date(clock()).toISOString(), level, message, ...fields });
      write(`${maskText(line)}\n`);
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

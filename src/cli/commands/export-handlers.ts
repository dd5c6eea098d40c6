import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { AnalyticsStore, HandlerRisk } from '../../analytics/ports.js';
import { CliError } from '../errors.js';

/** The columns of handlers.csv (DATA_FORMATS.md), in order. */
export const HANDLERS_COLUMNS = [
  'handler_id',
  'risk_score',
  'beneficiaries',
  'deceased_linked',
  'expected_deceased',
  'p_value',
  'reasons',
] as const;

const csvCell = (text: string): string => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** One handlers.csv row: p-values in exponent form (they go down to 1e-300), reasons joined with "; ". */
export function handlerRow(h: HandlerRisk): string[] {
  return [
    h.handlerId,
    h.riskScore.toFixed(3),
    String(h.beneficiaries),
    String(h.deceasedLinked),
    h.expectedDeceased.toFixed(4),
    h.pValue >= 0.001 || h.pValue === 0 ? String(Number(h.pValue.toPrecision(4))) : h.pValue.toExponential(3),
    h.reasons.join('; '),
  ];
}

/**
 * Writes the stored handler ranking to `out` as handlers.csv, highest risk first; returns the rows written.
 * @example await writeHandlersCsv(store.analytics, 'handlers.csv') // 98
 */
export async function writeHandlersCsv(store: AnalyticsStore, out: string): Promise<number> {
  const ranking = await store.listHandlerRisk();
  if (ranking.length === 0) {
    throw new CliError('no handler ranking in this store yet: run ghostwatch analyze first');
  }
  const stream = createWriteStream(out, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  const finished = once(stream, 'finish');
  stream.write(`${HANDLERS_COLUMNS.join(',')}\n`);
  for (const h of ranking) stream.write(`${handlerRow(h).map(csvCell).join(',')}\n`);
  stream.end();
  await Promise.race([finished, failed]).catch((error: Error) => {
    throw new CliError(
      `cannot write ${out} (${error.message}): check that its folder exists and is writable`,
    );
  });
  return ranking.length;
}

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { type CaseSummary, maskSubject } from '../../cases/case.js';
import type { CaseStore } from '../../cases/ports.js';
import { formatYuan } from '../../core/money.js';
import { formatShanghaiTimestamp } from '../../core/time.js';
import { CliError } from '../errors.js';

/** The columns of cases.csv (DATA_FORMATS.md), in order. */
export const CASES_COLUMNS = [
  'case_id',
  'opened_at',
  'status',
  'subject',
  'beneficiary_ids',
  'amount_at_risk',
  'amount_recovered',
  'assignee',
] as const;

const csvCell = (text: string): string => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/**
 * One cases.csv row: opened_at in Asia/Shanghai with its offset, the subject as `type:id` (a card masked),
 * beneficiary ids `;`-separated, amounts in yuan.
 * @example caseRow(summary) // ['CASE-20210201-3F9A1C2B', '2021-02-01T09:00:00+08:00', 'open', 'beneficiary:B17', 'B17', '4800.00', '0.00', '']
 */
export function caseRow(c: CaseSummary): string[] {
  return [
    c.caseId,
    formatShanghaiTimestamp(c.openedAt),
    c.status,
    `${c.subjectType}:${maskSubject(c.subjectType, c.subjectId)}`,
    c.beneficiaryIds.join(';'),
    formatYuan(c.amountAtRiskFen),
    formatYuan(c.amountRecoveredFen),
    c.assignee ?? '',
  ];
}

/**
 * Writes every case to `out` as cases.csv, in case_id order, streaming; returns the rows written.
 * @example await writeCasesCsv(store.cases, 'cases.csv') // 12
 */
export async function writeCasesCsv(cases: Pick<CaseStore, 'readCases'>, out: string): Promise<number> {
  const stream = createWriteStream(out, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => {});
  let rows = 0;
  const write = async (line: string) => {
    if (!stream.write(line)) await Promise.race([once(stream, 'drain'), failed]);
  };
  try {
    await write(`${CASES_COLUMNS.join(',')}\n`);
    for await (const batch of cases.readCases()) {
      for (const c of batch) {
        await write(`${caseRow(c).map(csvCell).join(',')}\n`);
        rows++;
      }
    }
    stream.end();
    await Promise.race([once(stream, 'finish'), failed]);
  } catch (error) {
    stream.destroy();
    throw new CliError(
      `cannot write ${out} (${(error as Error).message}): check that its folder exists and is writable`,
    );
  }
  return rows;
}

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { maskName } from '../../core/mask.js';
import { formatYuan } from '../../core/money.js';
import { overpaidClaim } from '../../entitlement/entitlement.js';
import type { Finding, MatchingStore } from '../../matching/ports.js';
import { booleanOption, type Command, stringOption } from '../context.js';
import { CliError, EXIT_OK, usageError } from '../errors.js';
import { writeAlertsJsonl } from './export-alerts.js';
import { writeCasesCsv } from './export-cases.js';
import { writeHandlersCsv } from './export-handlers.js';

/** The columns of suspects.csv (DATA_FORMATS.md), in order. */
export const SUSPECTS_COLUMNS = [
  'beneficiary_id',
  'name_masked',
  'death_date',
  'evidence',
  'match_probability',
  'decision',
  'first_unentitled_period',
  'overpaid_amount',
  'status',
  // Appended (DATA_FORMATS.md: extend, never break): the life sign that contests the death, and whether the
  // overpayment counts in the claimed total (`claimed`) or is reported apart (`contested`, `unsupported`).
  'life_sign',
  'overpaid_claim',
] as const;

const csvCell = (text: string): string => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/**
 * The suspects in force: every finding whose decision has not been reversed, with the masked name.
 * @example const rows = await suspectRows(store);
 */
export async function suspectRows(store: MatchingStore): Promise<string[][]> {
  const findings = await store.listFindings();
  const rows: string[][] = [];
  for (let i = 0; i < findings.length; i += 2000) {
    const chunk = findings.slice(i, i + 2000);
    const ids = chunk.map((f) => f.beneficiaryId);
    const names = new Map((await store.findBeneficiaries(ids)).map((b) => [b.beneficiaryId, b.name]));
    const decisions = await store.latestDecisions(ids);
    for (const f of chunk) {
      const decision = decisions.get(f.beneficiaryId);
      if (decision?.decisionId === f.decisionId && decision.reversal !== undefined) continue;
      rows.push(suspectRow(f, names.get(f.beneficiaryId) ?? ''));
    }
  }
  return rows;
}

function suspectRow(f: Finding, name: string): string[] {
  return [
    f.beneficiaryId,
    maskName(name),
    f.deathDate,
    f.evidence.join(';'),
    f.matchProbability.toFixed(4),
    f.decision,
    f.firstUnentitledPeriod,
    formatYuan(f.overpaidFen),
    f.statusAfter,
    f.lifeSign === undefined ? '' : `${f.lifeSign.date} ${f.lifeSign.channel}`,
    overpaidClaim(f),
  ];
}

const KINDS = ['suspects', 'alerts', 'handlers', 'cases'] as const;

export const exportCommand: Command = {
  name: 'export',
  synopsis: 'export KIND --out FILE [--json]',
  summary: 'export suspects | alerts | handlers | cases (DATA_FORMATS.md)',
  options: { out: { type: 'string' }, json: { type: 'boolean' } },
  strict: false,
  async run(context) {
    const [kind, ...extra] = context.positionals;
    if (kind === undefined || extra.length > 0 || !(KINDS as readonly string[]).includes(kind)) {
      throw usageError(`export takes one KIND of ${KINDS.join(', ')}; usage: ghostwatch ${this.synopsis}`);
    }
    const out = stringOption(context.values, 'out');
    if (out === undefined) throw usageError(`export needs --out FILE; usage: ghostwatch ${this.synopsis}`);
    const store = await context.openStore();
    try {
      if (kind === 'alerts') {
        const lines = await writeAlertsJsonl(store.monitor, out);
        context.io.stdout.write(
          booleanOption(context.values, 'json')
            ? `${JSON.stringify({ kind, out, rows: lines })}\n`
            : `export alerts: ${lines} alerts written to ${out}\n`,
        );
        return EXIT_OK;
      }
      if (kind === 'cases') {
        const rows = await writeCasesCsv(store.cases, out);
        context.io.stdout.write(
          booleanOption(context.values, 'json')
            ? `${JSON.stringify({ kind, out, rows })}\n`
            : `export cases: ${rows} cases written to ${out}\n`,
        );
        return EXIT_OK;
      }
      if (kind === 'handlers') {
        const rows = await writeHandlersCsv(store.analytics, out);
        context.io.stdout.write(
          booleanOption(context.values, 'json')
            ? `${JSON.stringify({ kind, out, rows })}\n`
            : `export handlers: ${rows} handlers written to ${out}\n`,
        );
        return EXIT_OK;
      }
      const rows = await suspectRows(store);
      const stream = createWriteStream(out, { encoding: 'utf8' });
      const failed = new Promise<never>((_, reject) => stream.once('error', reject));
      const finished = once(stream, 'finish');
      stream.write(`${SUSPECTS_COLUMNS.join(',')}\n`);
      for (const row of rows) stream.write(`${row.map(csvCell).join(',')}\n`);
      stream.end();
      await Promise.race([finished, failed]).catch((error: Error) => {
        throw new CliError(
          `cannot write ${out} (${error.message}): check that its folder exists and is writable`,
        );
      });
      if (booleanOption(context.values, 'json')) {
        context.io.stdout.write(`${JSON.stringify({ kind, out, rows: rows.length })}\n`);
      } else {
        context.io.stdout.write(`export suspects: ${rows.length} rows written to ${out}\n`);
      }
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

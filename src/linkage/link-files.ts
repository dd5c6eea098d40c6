import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fail, ok, type Result } from '../core/result.js';
import type { BlockingReport } from './blocking.js';
import { parseLinkConfig, settingsFromConfig } from './config.js';
import { readCsvRows } from './csv.js';
import { type Link, linkRecords } from './link-records.js';
import type { ModelParameters } from './model.js';

export interface LinkFilesOptions {
  readonly left: string;
  readonly right: string;
  /** Path of the JSON config (see docs/linkage.md). */
  readonly config: string;
  /** Where PAIRS.csv goes: left_id, right_id, match_weight, match_probability. */
  readonly out: string;
}

export interface LinkSummary {
  readonly leftRows: number;
  readonly rightRows: number;
  readonly candidatePairs: number;
  readonly links: number;
  readonly out: string;
  readonly blocking: BlockingReport;
  readonly parameters: ModelParameters;
  readonly em: { readonly iterations: number; readonly converged: boolean } | undefined;
  readonly timings: Readonly<Record<string, number>>;
  /** Candidate pairs compared per second (comparison stage alone, one thread). */
  readonly pairsPerSecond: number;
}

/**
 * `ghostwatch link`: reads two CSV files and a config, links them (no labels used), writes the pairs file.
 * @example
 * const r = await runLink({ left: 'a.csv', right: 'b.csv', config: 'c.json', out: 'pairs.csv' });
 * if (!r.ok) printIssues(r.issues);
 */
export async function runLink(options: LinkFilesOptions): Promise<Result<LinkSummary>> {
  let configText: string;
  try {
    configText = await readFile(options.config, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return fail(
        'config.not_found',
        `${options.config} does not exist; pass --config with a JSON config file`,
      );
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(configText);
  } catch (error) {
    return fail('config.json', `${options.config} is not valid JSON: ${(error as Error).message}`);
  }
  const config = parseLinkConfig(json);
  if (!config.ok) {
    return {
      ok: false,
      issues: config.issues.map((i) => ({ ...i, message: `${options.config}: ${i.message}` })),
    };
  }
  const left = await readCsvRows(options.left);
  if (!left.ok) return left;
  const right = await readCsvRows(options.right, invert(config.value.rightColumns ?? {}));
  if (!right.ok) return right;

  const needed = new Set([
    ...config.value.comparisons.map((c) => c.column),
    ...config.value.blocking.flatMap((b) => b.keys.map((k) => (typeof k === 'string' ? k : k.column))),
  ]);
  for (const [side, file, columns, id] of [
    ['left', options.left, left.value.columns, config.value.leftId],
    ['right', options.right, right.value.columns, config.value.rightId ?? config.value.leftId],
  ] as const) {
    for (const name of [id, ...needed]) {
      if (!columns.includes(name)) {
        return fail(
          'link.column',
          `${file} (${side}) has no column "${name}", which the config uses; its columns are ${columns.join(', ')}`,
        );
      }
    }
  }

  const settings = settingsFromConfig(config.value);
  const result = linkRecords(settings, left.value.rows, right.value.rows);
  await writePairs(options.out, result.links);
  return ok({
    leftRows: left.value.rows.length,
    rightRows: right.value.rows.length,
    candidatePairs: result.blocking.totalPairs,
    links: result.links.length,
    out: options.out,
    blocking: result.blocking,
    parameters: result.parameters,
    em:
      result.training === undefined
        ? undefined
        : { iterations: result.training.em.iterations, converged: result.training.em.converged },
    timings: result.timings,
    pairsPerSecond:
      result.timings.compare > 0 ? (result.blocking.totalPairs / result.timings.compare) * 1000 : 0,
  });
}

function invert(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([leftName, rightName]) => [rightName, leftName]));
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes PAIRS.csv: left_id, right_id, match_weight, match_probability (heaviest first). */
export async function writePairs(path: string, links: readonly Link[]): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const finished = once(out, 'finish');
  let chunk = 'left_id,right_id,match_weight,match_probability\n';
  for (const link of links) {
    chunk += `${csvCell(link.leftId)},${csvCell(link.rightId)},${link.matchWeight.toFixed(4)},${link.matchProbability.toPrecision(6)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await finished;
}

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type IngestSummary, ingestFile } from '../../ingest/ingest-file.js';
import { createProgressReporter, type IngestProgress } from '../../ingest/progress.js';
import { DEATH_SOURCES, type DeathSource, RECORD_KINDS, type RecordKind } from '../../records/enums.js';
import { KIND_SPECS } from '../../records/schemas.js';
import type { Store } from '../../store/store.js';
import { booleanOption, type Command, type CommandContext, stringOption } from '../context.js';
import { CliError, EXIT_OK, usageError } from '../errors.js';
import { createPostLoadSink } from '../post-load.js';

const ENCODINGS = ['utf8', 'gbk', 'gb18030'] as const;
type Encoding = (typeof ENCODINGS)[number];

function formatSummary(s: IngestSummary): string {
  const flagged = s.flagged > 0 ? `, ${s.flagged} flagged for data quality` : '';
  const hint = s.quarantined > 0 ? ` (see: ghostwatch quarantine --file ${s.file})` : '';
  return `${s.kind}: ${s.file}: ${s.rows} rows, ${s.loaded} loaded, ${s.quarantined} quarantined${flagged}${hint}\n`;
}

/** Loads one file through the ingest pipeline with progress on a TTY; a refused file is a CliError. */
export async function ingestOne(
  context: CommandContext,
  store: Store,
  kind: RecordKind,
  path: string,
  options: { encoding?: Encoding; source?: DeathSource },
): Promise<IngestSummary> {
  const progress = createProgressReporter({ stream: context.io.stderr, clock: context.clock, label: path });
  let last: IngestProgress | undefined;
  // The composition root's post-load hook: death records are matched on arrival once a model exists.
  const postLoad = createPostLoadSink(store, context.clock);
  try {
    const result = await ingestFile({
      sink: postLoad.sink,
      kind,
      path,
      clock: context.clock,
      onProgress: (p) => {
        last = p;
        progress.update(p);
      },
      ...(options.encoding === undefined ? {} : { encoding: options.encoding }),
      ...(options.source === undefined ? {} : { source: options.source }),
    });
    if (!result.ok) throw new CliError(result.issues.map((i) => i.message).join('; '));
    const matched = postLoad.report();
    if (matched.deathRecordsMatched > 0 && !booleanOption(context.values, 'json')) {
      context.io.stderr.write(
        `${path}: ${matched.deathRecordsMatched} death records matched on arrival: ${matched.links} links, ${matched.findings} findings updated\n`,
      );
    }
    return result.value;
  } finally {
    if (last) progress.done(last);
  }
}

/** The contract's files of a folder, in the order that lets references resolve (handlers first). */
export function contractFilesIn(dir: string): { kind: RecordKind; path: string }[] {
  return RECORD_KINDS.map((kind) => ({ kind, path: join(dir, KIND_SPECS[kind].fileName) })).filter((f) =>
    existsSync(f.path),
  );
}

export const ingestCommand: Command = {
  name: 'ingest',
  synopsis: 'ingest KIND FILE [--source S] [--encoding E] [--json]',
  summary: `load a file (KIND: ${RECORD_KINDS.join(' | ')}), or every contract file of a folder with KIND all`,
  options: { source: { type: 'string' }, encoding: { type: 'string' }, json: { type: 'boolean' } },
  async run(context) {
    const [kindText, path, ...extra] = context.positionals;
    if (kindText === undefined || path === undefined || extra.length > 0) {
      throw usageError(`ingest takes a KIND and a FILE; usage: ghostwatch ${this.synopsis}`);
    }
    const isAll = kindText === 'all';
    if (!isAll && !(RECORD_KINDS as readonly string[]).includes(kindText)) {
      throw usageError(`unknown kind "${kindText}"; use one of ${RECORD_KINDS.join(', ')} or all`);
    }
    const encodingText = stringOption(context.values, 'encoding');
    if (encodingText !== undefined && !(ENCODINGS as readonly string[]).includes(encodingText)) {
      throw usageError(`--encoding must be one of ${ENCODINGS.join(', ')}, got "${encodingText}"`);
    }
    const sourceText = stringOption(context.values, 'source');
    if (sourceText !== undefined && !(DEATH_SOURCES as readonly string[]).includes(sourceText)) {
      throw usageError(`--source must be one of ${DEATH_SOURCES.join(', ')}, got "${sourceText}"`);
    }
    const options = {
      ...(encodingText === undefined ? {} : { encoding: encodingText as Encoding }),
      ...(sourceText === undefined ? {} : { source: sourceText as DeathSource }),
    };
    let files: { kind: RecordKind; path: string }[];
    if (isAll) {
      if (!existsSync(path) || !statSync(path).isDirectory()) {
        throw new CliError(`${path} is not a folder; ingest all takes a folder holding the contract's files`);
      }
      files = contractFilesIn(path);
      if (files.length === 0)
        throw new CliError(`${path} holds none of the contract's files (handlers.csv, …)`);
    } else {
      files = [{ kind: kindText as RecordKind, path }];
    }
    const store = await context.openStore();
    try {
      const summaries: IngestSummary[] = [];
      for (const file of files) {
        const summary = await ingestOne(context, store, file.kind, file.path, options);
        summaries.push(summary);
        if (!booleanOption(context.values, 'json')) context.io.stdout.write(formatSummary(summary));
      }
      if (booleanOption(context.values, 'json')) {
        const body = isAll ? summaries : summaries[0];
        context.io.stdout.write(`${JSON.stringify(body)}\n`);
      }
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { maskText } from '../core/mask.js';
import { fail, ok, type Result } from '../core/result.js';
import { shanghaiDate } from '../core/time.js';
import { DEATH_SOURCES, type DeathSource, type RecordKind } from '../records/enums.js';
import { FAST_ROWS, type FastRow } from '../records/fast-rows.js';
import { type AnyRecord, KIND_SPECS, type QualityFlag } from '../records/schemas.js';
import type { BatchTarget, LoadCounts, ReadOptions, ReadOutcome } from './batch-target.js';
import { type CsvRecord, readCsv } from './csv-reader.js';
import { decodeText, REPLACEMENT_CHARACTER, type TextEncodingName } from './encoding.js';
import { readJsonl } from './jsonl-reader.js';
import type { FlaggedRow, IngestBatch, IngestSink, LoadId, LoadStart, QuarantinedRow } from './ports.js';
import type { IngestProgress } from './progress.js';
import { readInWorker } from './read-in-worker.js';

export interface IngestFileOptions {
  readonly sink: IngestSink;
  readonly kind: RecordKind;
  /** The file, as the user named it (shown in messages and stored as the file's name). */
  readonly path: string;
  /** Names the file's encoding instead of detecting it. */
  readonly encoding?: TextEncodingName | undefined;
  /** Deaths only: the source of every record whose file has no `source` column or an empty cell. */
  readonly source?: DeathSource | undefined;
  /** Rows per transaction. Default 20,000. */
  readonly batchSize?: number | undefined;
  readonly clock: () => number;
  readonly onProgress?: ((progress: IngestProgress) => void) | undefined;
  /** Bytes per read from the file. Default 256 KiB (tests use tiny reads to split characters). */
  readonly readSize?: number | undefined;
  /** Read and validate in a worker thread while this thread writes. Default: for files of 16 MiB or more. */
  readonly worker?: boolean | undefined;
}

/** What one load did: what `ghostwatch ingest --json` prints. */
export interface IngestSummary {
  readonly kind: RecordKind;
  readonly file: string;
  /** Data rows read (loaded + quarantined). */
  readonly rows: number;
  readonly loaded: number;
  readonly quarantined: number;
  /** Loaded rows that carry at least one data-quality flag. */
  readonly flagged: number;
  readonly encoding: TextEncodingName;
  readonly elapsedMs: number;
}

const DEFAULT_BATCH_SIZE = 20_000;
const DEFAULT_READ_SIZE = 256 * 1024;

/** A failure to read the file (not a bug, not the store): becomes a failed Result. */
class FileReadError extends Error {
  constructor(readonly failure: unknown) {
    super(failure instanceof Error ? failure.message : String(failure));
  }
}

function describeIoError(file: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ENOENT':
      return `${file}: no such file; check the path and run the command again`;
    case 'EACCES':
    case 'EPERM':
      return `${file}: permission denied; make the file readable and run the command again`;
    case 'EISDIR':
      return `${file}: is a directory, not a file; give the path of the file to load`;
    default:
      return `${file}: cannot be read (${maskText(error instanceof Error ? error.message : String(error))}); check the file and run the command again`;
  }
}

async function* countingBytes(
  path: string,
  readSize: number,
  counter: { bytes: number },
): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: readSize });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      counter.bytes += chunk.length;
      yield chunk;
    }
  } catch (error) {
    throw new FileReadError(error);
  } finally {
    stream.destroy();
  }
}

interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code: string;
  readonly params?: { readonly code?: unknown } | undefined;
}

function quarantineFromIssues(line: number, raw: string, issues: readonly IssueLike[]): QuarantinedRow {
  const first = issues[0];
  const column = first !== undefined && first.path.length > 0 ? String(first.path[0]) : undefined;
  const paramCode = first?.params?.code;
  const code = typeof paramCode === 'string' ? paramCode : `schema.${first?.code ?? 'invalid'}`;
  const reason = issues
    .map((issue) => (issue.path.length > 0 ? `${String(issue.path[0])}: ${issue.message}` : issue.message))
    .join('; ');
  return { line, column, code, reason: maskText(reason), raw };
}

interface BatchWriter {
  record(record: AnyRecord, line: number, endLine: number): void;
  quarantine(row: QuarantinedRow, endLine: number): void;
  /** True when a batch is ready to be written. */
  full(): boolean;
  flush(): Promise<void>;
  readonly counts: { rows: number; loaded: number; quarantined: number; flagged: number };
}

function createBatchWriter(
  target: BatchTarget,
  kind: RecordKind,
  batchSize: number,
  loadDate: string,
): BatchWriter {
  const key = KIND_SPECS[kind].key as (record: AnyRecord) => string;
  let records: AnyRecord[] = [];
  let quarantined: QuarantinedRow[] = [];
  let flags: FlaggedRow[] = [];
  let throughLine = 0;
  const counts = { rows: 0, loaded: 0, quarantined: 0, flagged: 0 };

  const flush = async (): Promise<void> => {
    if (records.length === 0 && quarantined.length === 0) return;
    const batch = { kind, records, quarantined, flags, throughLine };
    records = [];
    quarantined = [];
    flags = [];
    // The batch's generic type ties records to kind; the records came from KIND_SPECS[kind].schema.
    await target.write(batch as IngestBatch<RecordKind>);
  };

  return {
    counts,
    record(parsed, line, endLine) {
      let record = parsed;
      // A death record's reported_at defaults to the date of its first load; the store keeps that date, so the
      // same file re-loaded on another day changes nothing.
      if (kind === 'deaths') record = { ...record, loadedOn: loadDate } as AnyRecord;
      records.push(record);
      counts.rows++;
      counts.loaded++;
      throughLine = endLine;
      const recordFlags = (record as { flags?: readonly QualityFlag[] }).flags;
      if (recordFlags !== undefined && recordFlags.length > 0) {
        counts.flagged++;
        const recordKey = key(record);
        for (const flag of recordFlags) {
          flags.push({
            line,
            column: flag.column,
            code: flag.code,
            message: maskText(flag.message),
            recordKey,
          });
        }
      }
    },
    quarantine(row, endLine) {
      quarantined.push(row);
      counts.rows++;
      counts.quarantined++;
      throughLine = endLine;
    },
    full: () => records.length + quarantined.length >= batchSize,
    flush,
  };
}

function invalidBytesRow(line: number, raw: string, encoding: TextEncodingName): QuarantinedRow {
  return {
    line,
    column: undefined,
    code: 'encoding.invalid_bytes',
    reason: `has bytes that are not valid ${encoding} text; save the file as UTF-8 or name its encoding with --encoding`,
    raw,
  };
}

function hasText(cell: string): boolean {
  return cell.length !== 0 && (cell.charCodeAt(0) > 32 || cell.trim().length !== 0);
}

interface ColumnPlan {
  readonly columns: readonly { readonly name: string; readonly index: number }[];
}

function planColumns(
  file: string,
  kind: RecordKind,
  header: readonly string[],
  source: DeathSource | undefined,
): Result<ColumnPlan> {
  const names = header.map((h) => h.trim().toLowerCase());
  const spec = KIND_SPECS[kind];
  const columns: { name: string; index: number }[] = [];
  const missing: string[] = [];
  const repeated: string[] = [];
  for (const column of spec.columns) {
    const index = names.indexOf(column.name);
    if (index === -1) {
      const suppliedBySource = kind === 'deaths' && column.name === 'source' && source !== undefined;
      if (column.required && !suppliedBySource) missing.push(column.name);
      continue;
    }
    if (names.indexOf(column.name, index + 1) !== -1) repeated.push(column.name);
    columns.push({ name: column.name, index });
  }
  if (missing.length > 0) {
    const shown = names.filter((n) => n.length > 0).slice(0, 20);
    const found = shown.length > 0 ? maskText(shown.join(', ')) : 'no column names';
    const plural = missing.length > 1 ? 's' : '';
    const orSource =
      kind === 'deaths' && missing.includes('source')
        ? ', or give the source of the whole file with --source'
        : '';
    return fail(
      'ingest.missing_column',
      `${file}: missing required column${plural} ${missing.join(', ')} (the header has ${found}); add ${missing.length > 1 ? 'them' : 'it'} to the header row${orSource} and load the file again; nothing was loaded`,
      ['header'],
    );
  }
  if (repeated.length > 0) {
    return fail(
      'ingest.repeated_column',
      `${file}: column ${repeated.join(', ')} appears more than once in the header; keep one and load the file again; nothing was loaded`,
      ['header'],
    );
  }
  return ok({ columns });
}

interface LoadContext {
  readonly options: ReadOptions;
  readonly target: BatchTarget;
  readonly text: AsyncIterable<string>;
  readonly encoding: () => TextEncodingName;
  readonly counter: { bytes: number };
  readonly bytesTotal: number;
  readonly startedAt: number;
}

function reportProgress(context: LoadContext, rows: number): void {
  context.options.onProgress?.({
    rows,
    bytesRead: context.counter.bytes,
    bytesTotal: context.bytesTotal,
    elapsedMs: Date.now() - context.startedAt,
  });
}

async function loadCsv(context: LoadContext): Promise<Result<LoadCounts>> {
  const batches = readCsv(context.text);
  try {
    return await loadCsvRecords(context, batches);
  } finally {
    // Closes the file when the load stops early (a bad header).
    await batches.return(undefined);
  }
}

async function loadCsvRecords(
  context: LoadContext,
  batches: AsyncGenerator<CsvRecord[]>,
): Promise<Result<LoadCounts>> {
  const { options } = context;
  const { kind, path: file } = options;
  const schema = KIND_SPECS[kind].schema;
  const fast = FAST_ROWS[kind] as FastRow<RecordKind> | undefined;

  // The header first: a missing column stops the file before anything is written.
  let first = await batches.next();
  while (!first.done && first.value.length === 0) first = await batches.next();
  const header = first.done ? undefined : first.value[0];
  if (header === undefined) {
    return fail('ingest.no_header', `${file}: has no header row; the first line must name the columns`);
  }
  if (header.kind === 'malformed') {
    return fail(
      'ingest.bad_header',
      `${file}: the header row (line ${header.line}) cannot be read: ${header.reason}; fix it and load the file again`,
    );
  }
  const plan = planColumns(file, kind, header.fields, options.source);
  if (!plan.ok) return plan;
  const { columns } = plan.value;
  const fileSource = kind === 'deaths' ? options.source : undefined;

  await context.target.begin();
  const writer = createBatchWriter(
    context.target,
    kind,
    options.batchSize ?? DEFAULT_BATCH_SIZE,
    shanghaiDate(context.startedAt),
  );

  let batch: readonly CsvRecord[] = first.value.slice(1);
  for (;;) {
    for (const record of batch) {
      if (record.kind === 'malformed') {
        writer.quarantine(
          {
            line: record.line,
            column: undefined,
            code: 'csv.malformed',
            reason: record.reason,
            raw: record.raw,
          },
          record.endLine,
        );
      } else if (record.raw.includes(REPLACEMENT_CHARACTER)) {
        writer.quarantine(invalidBytesRow(record.line, record.raw, context.encoding()), record.endLine);
      } else {
        const fields = record.fields;
        const row: Record<string, string> = {};
        for (const column of columns) {
          const cell = fields[column.index]!;
          if (hasText(cell)) row[column.name] = cell;
        }
        if (fileSource !== undefined && row.source === undefined) row.source = fileSource;
        // A canonical row takes the kind's fast path; any other goes through the schema, which words the issue.
        const quick = fast?.(row);
        if (quick !== undefined) {
          writer.record(quick, record.line, record.endLine);
        } else {
          const parsed = schema.safeParse(row);
          if (parsed.success) {
            writer.record(parsed.data, record.line, record.endLine);
          } else {
            writer.quarantine(
              quarantineFromIssues(record.line, record.raw, parsed.error.issues as readonly IssueLike[]),
              record.endLine,
            );
          }
        }
      }
      // Awaiting only when a batch is full: an await per row would cost more than parsing it.
      if (writer.full()) await writer.flush();
    }
    reportProgress(context, writer.counts.rows);
    const next = await batches.next();
    if (next.done) break;
    batch = next.value;
  }
  await writer.flush();
  await context.target.finish(writer.counts);
  return ok(writer.counts);
}

/** JSON null and empty strings are "unknown", as an empty CSV cell is. */
function withoutEmpty(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [name, cell] of Object.entries(value)) {
    if (cell === null || cell === undefined) continue;
    if (typeof cell === 'string' && !hasText(cell)) continue;
    row[name] = cell;
  }
  return row;
}

async function loadJsonl(context: LoadContext): Promise<Result<LoadCounts>> {
  const { options } = context;
  const schema = KIND_SPECS[options.kind].schema;
  await context.target.begin();
  const writer = createBatchWriter(
    context.target,
    options.kind,
    options.batchSize ?? DEFAULT_BATCH_SIZE,
    shanghaiDate(context.startedAt),
  );
  for await (const batch of readJsonl(context.text)) {
    for (const record of batch) {
      if (record.kind === 'invalid') {
        writer.quarantine(
          { line: record.line, column: undefined, code: record.code, reason: record.reason, raw: record.raw },
          record.line,
        );
      } else if (record.raw.includes(REPLACEMENT_CHARACTER)) {
        writer.quarantine(invalidBytesRow(record.line, record.raw, context.encoding()), record.line);
      } else {
        const parsed = schema.safeParse(withoutEmpty(record.value));
        if (parsed.success) {
          writer.record(parsed.data, record.line, record.line);
        } else {
          writer.quarantine(
            quarantineFromIssues(record.line, record.raw, parsed.error.issues as readonly IssueLike[]),
            record.line,
          );
        }
      }
      // Awaiting only when a batch is full: an await per row would cost more than parsing it.
      if (writer.full()) await writer.flush();
    }
    reportProgress(context, writer.counts.rows);
  }
  await writer.flush();
  await context.target.finish(writer.counts);
  return ok(writer.counts);
}

/**
 * Reads, decodes and validates one file, handing batches to `target`: the part of a load that can run in a
 * worker thread. Refuses a bad header before `target.begin()`.
 */
export async function readFileInto(
  options: ReadOptions,
  target: BatchTarget,
  startedAt: number,
  bytesTotal: number,
): Promise<Result<ReadOutcome>> {
  const counter = { bytes: 0 };
  const decoded = decodeText(countingBytes(options.path, options.readSize ?? DEFAULT_READ_SIZE, counter), {
    encoding: options.encoding,
  });
  const context: LoadContext = {
    options,
    target,
    text: decoded.text,
    encoding: decoded.encoding,
    counter,
    bytesTotal,
    startedAt,
  };
  let counts: Result<LoadCounts>;
  try {
    counts = KIND_SPECS[options.kind].format === 'csv' ? await loadCsv(context) : await loadJsonl(context);
  } catch (error) {
    if (error instanceof FileReadError) {
      return fail('ingest.unreadable', describeIoError(options.path, error.failure));
    }
    throw error;
  }
  if (!counts.ok) return counts;
  return ok({ counts: counts.value, encoding: decoded.encoding(), bytesRead: counter.bytes });
}

/** The target that writes straight to the store, on this thread. */
export function sinkTarget(sink: IngestSink, start: LoadStart, clock: () => number): BatchTarget {
  let loadId: LoadId | undefined;
  return {
    async begin() {
      loadId = await sink.beginLoad(start);
    },
    async write(batch) {
      await sink.writeBatch(loadId!, batch);
    },
    async finish(counts) {
      await sink.finishLoad(loadId!, { finishedAt: clock(), ...counts });
    },
  };
}

/** Files at least this large are read and validated in a worker thread while this thread writes. */
const WORKER_THRESHOLD_BYTES = 16 * 1024 * 1024;

/**
 * Loads one file of a contracted kind into the store: streaming, each row validated with the kind's schema, bad
 * rows quarantined with line, column and reason, the rest written in batches. A missing required column, an empty
 * file or an unreadable one fails the load before anything is written. Loading the same file again gives the same
 * store and the same summary. Large files are read and validated in a worker thread while this one writes, so
 * that both cores work; the result is the same either way.
 * @example
 * const result = await ingestFile({ sink: store, kind: 'payments', path: 'payments.csv', clock: Date.now });
 * if (result.ok) console.log(`${result.value.loaded} loaded, ${result.value.quarantined} quarantined`);
 * else console.error(result.issues[0]?.message);
 */
export async function ingestFile(options: IngestFileOptions): Promise<Result<IngestSummary>> {
  const startedAt = options.clock();
  const file = options.path;
  if (options.source !== undefined) {
    if (options.kind !== 'deaths') {
      return fail(
        'ingest.source_not_applicable',
        `--source applies to deaths files only, not ${options.kind}`,
      );
    }
    if (!(DEATH_SOURCES as readonly string[]).includes(options.source)) {
      return fail(
        'ingest.unknown_source',
        `--source must be one of ${DEATH_SOURCES.join(', ')}; "${maskText(options.source)}" is not`,
      );
    }
  }

  let bytesTotal: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) return fail('ingest.unreadable', describeIoError(file, { code: 'EISDIR' }));
    bytesTotal = info.size;
  } catch (error) {
    return fail('ingest.unreadable', describeIoError(file, error));
  }
  if (bytesTotal === 0) {
    const what =
      KIND_SPECS[options.kind].format === 'csv' ? 'there is no header row' : 'there are no events in it';
    return fail(
      'ingest.empty_file',
      `${file}: is empty (0 bytes): ${what}; check the export that produced it`,
    );
  }

  const target = sinkTarget(
    options.sink,
    { fileKey: resolve(file), fileName: file, kind: options.kind, startedAt },
    options.clock,
  );
  const readOptions: ReadOptions = {
    kind: options.kind,
    path: file,
    encoding: options.encoding,
    source: options.source,
    batchSize: options.batchSize,
    readSize: options.readSize,
    onProgress: options.onProgress,
  };
  const useWorker = options.worker ?? bytesTotal >= WORKER_THRESHOLD_BYTES;
  const outcome = useWorker
    ? await readInWorker(readOptions, target, startedAt, bytesTotal)
    : await readFileInto(readOptions, target, startedAt, bytesTotal);
  if (!outcome.ok) return outcome;
  const finishedAt = options.clock();
  const { counts, encoding, bytesRead } = outcome.value;
  options.onProgress?.({ rows: counts.rows, bytesRead, bytesTotal, elapsedMs: finishedAt - startedAt });
  return ok({ kind: options.kind, file, ...counts, encoding, elapsedMs: finishedAt - startedAt });
}

/**
 * Loads text that arrives whole rather than as a file (an HTTP request's NDJSON body) under a name and a key of
 * its own: the same validation, quarantine (per line, with reasons) and idempotency as a file of that kind. A
 * re-sent body with the same key replaces its quarantine; its records change nothing already stored.
 * `onBatch` sees each batch before it is written (e.g. to hand new card events to the monitor).
 * @example
 * const result = await ingestText({ sink: store, kind: 'card-events', name: 'api:bank-a', key: 'api:bank-a:3f9c…', text: body, clock: Date.now });
 */
export async function ingestText(options: {
  readonly sink: IngestSink;
  readonly kind: RecordKind;
  readonly name: string;
  readonly key: string;
  readonly text: string;
  readonly clock: () => number;
  readonly batchSize?: number | undefined;
  readonly onBatch?: ((batch: IngestBatch<RecordKind>) => void) | undefined;
}): Promise<Result<IngestSummary>> {
  const startedAt = options.clock();
  const sink = sinkTarget(
    options.sink,
    { fileKey: options.key, fileName: options.name, kind: options.kind, startedAt },
    options.clock,
  );
  const onBatch = options.onBatch;
  const target: BatchTarget =
    onBatch === undefined
      ? sink
      : {
          ...sink,
          async write(batch) {
            onBatch(batch);
            await sink.write(batch);
          },
        };
  const text = options.text;
  const context: LoadContext = {
    options: { kind: options.kind, path: options.name, batchSize: options.batchSize },
    target,
    text: (async function* () {
      yield text;
    })(),
    encoding: () => 'utf8',
    counter: { bytes: text.length },
    bytesTotal: text.length,
    startedAt,
  };
  const counts =
    KIND_SPECS[options.kind].format === 'csv' ? await loadCsv(context) : await loadJsonl(context);
  if (!counts.ok) return counts;
  const finishedAt = options.clock();
  return ok({
    kind: options.kind,
    file: options.name,
    ...counts.value,
    encoding: 'utf8',
    elapsedMs: finishedAt - startedAt,
  });
}

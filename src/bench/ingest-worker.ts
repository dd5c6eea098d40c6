import { createReadStream } from 'node:fs';
import { readCsv } from '../ingest/csv-reader.js';
import { decodeText } from '../ingest/encoding.js';
import { ingestFile } from '../ingest/ingest-file.js';
import { FAST_ROWS } from '../records/fast-rows.js';
import { KIND_SPECS } from '../records/schemas.js';
import { openStore } from '../store/open-store.js';
import { peakRssMb } from './child.js';

/**
 * One ingest measurement in its own process: `parse FILE` (read + CSV parse), `validate FILE` (+ validation as
 * the ingest does it: the fast path, else zod), `validate-zod FILE` (+ the zod schema on every row), or
 * `ingest FILE DB` (the whole pipeline into a store). Prints one JSON line: rows, ms, peakRssMb.
 */
async function measure(
  mode: string,
  file: string,
  db: string | undefined,
): Promise<{ rows: number; ms: number }> {
  const started = performance.now();
  if (mode === 'ingest') {
    const store = await openStore(db!);
    try {
      const result = await ingestFile({ sink: store, kind: 'payments', path: file, clock: Date.now });
      if (!result.ok) throw new Error(result.issues[0]?.message);
      return { rows: result.value.loaded, ms: performance.now() - started };
    } finally {
      await store.close();
    }
  }
  const text = decodeText(createReadStream(file, { highWaterMark: 256 * 1024 }));
  const schema = KIND_SPECS.payments.schema;
  const fast = mode === 'validate' ? FAST_ROWS.payments : undefined;
  let rows = 0;
  let header: readonly string[] | undefined;
  for await (const batch of readCsv(text.text)) {
    for (const record of batch) {
      if (record.kind !== 'row') continue;
      if (header === undefined) {
        header = record.fields;
        continue;
      }
      if (mode === 'validate' || mode === 'validate-zod') {
        const row: Record<string, string> = {};
        for (let i = 0; i < header.length; i++) {
          const cell = record.fields[i];
          if (cell) row[header[i]!] = cell;
        }
        if (fast?.(row) !== undefined || schema.safeParse(row).success) rows++;
      } else {
        rows++;
      }
    }
  }
  return { rows, ms: performance.now() - started };
}

const [mode = 'parse', file = '', db] = process.argv.slice(2);
const result = await measure(mode, file, db);
process.stdout.write(`${JSON.stringify({ ...result, peakRssMb: peakRssMb() })}\n`);

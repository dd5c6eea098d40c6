import { ingestFile } from '../ingest/ingest-file.js';
import { openStore } from '../store/open-store.js';
import { peakRssMb } from './child.js';

/** The baseline: `api-direct-worker.js FILE DB` loads the same card events with ingestFile, no HTTP. */
const [file = '', db = ''] = process.argv.slice(2);
const store = await openStore(db);
const started = performance.now();
const result = await ingestFile({
  sink: store,
  kind: 'card-events',
  path: file,
  clock: Date.now,
  batchSize: 1000,
});
const ms = performance.now() - started;
await store.close();
if (!result.ok) throw new Error(result.issues[0]?.message);
process.stdout.write(`${JSON.stringify({ events: result.value.loaded, ms, peakRssMb: peakRssMb() })}\n`);

import { fileURLToPath } from 'node:url';
import type { Command } from '../context.js';
import { EXIT_OK } from '../errors.js';
import { contractFilesIn, ingestOne } from './ingest.js';
import { formatStatus } from './status.js';

/** The bundled sample county, beside the package's dist/ and src/ folders. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/sample-county/', import.meta.url));

export const demoCommand: Command = {
  name: 'demo',
  synopsis: 'demo [--size N] [--port P]',
  summary: 'the whole pipeline on a sample county, then the store status',
  options: { size: { type: 'string' }, port: { type: 'string' } },
  async run(context) {
    const out = context.io.stdout;
    out.write(`ghostwatch demo: loading the sample county from ${EXAMPLES_DIR} into ${context.dbLocation}\n`);
    const store = await context.openStore();
    try {
      for (const file of contractFilesIn(EXAMPLES_DIR)) {
        const s = await ingestOne(context, store, file.kind, file.path, {});
        out.write(
          `  ${s.kind.padEnd(16)} ${String(s.loaded).padStart(6)} loaded, ${s.quarantined} quarantined\n`,
        );
      }
      out.write('\n');
      out.write(formatStatus(await store.status()));
      out.write('\nQuarantined rows: ghostwatch quarantine    Everything: ghostwatch --help\n');
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

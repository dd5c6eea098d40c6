import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../context.js';
import { EXIT_OK, usageError } from '../errors.js';
import { contractFilesIn, ingestOne } from './ingest.js';
import { simulateFromFlags } from './simulate.js';
import { formatStatus } from './status.js';

/** The bundled sample county (hand-made, small), beside the package's dist/ and src/ folders. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/sample-county/', import.meta.url));

/** The demo's county: big enough to show the Hengnan ring, small enough for the whole demo to take under a minute. */
const DEMO_SIZE = '3000';

export const demoCommand: Command = {
  name: 'demo',
  synopsis: 'demo [--size N] [--seed S] [--out DIR] [--port P]',
  summary: 'simulate a county with the Hengnan ring and run it through the pipeline into the store',
  options: {
    size: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    port: { type: 'string' },
  },
  async run(context) {
    if (context.positionals.length > 0)
      throw usageError(`demo takes no arguments; usage: ghostwatch ${this.synopsis}`);
    const out = context.io.stdout;
    const size = typeof context.values.size === 'string' ? context.values.size : DEMO_SIZE;
    const seed = typeof context.values.seed === 'string' ? context.values.seed : '2021';
    const county =
      typeof context.values.out === 'string'
        ? context.values.out
        : mkdtempSync(join(tmpdir(), 'ghostwatch-demo-'));
    out.write(
      `ghostwatch demo: 1. simulating a county of ${size} pensioners with the Hengnan ring into ${county}\n`,
    );
    const summary = await simulateFromFlags(context, { out: county, size, seed, 'payments-from': '2020-01' });
    out.write(`   ${summary.counts.dead ?? '?'} of them died; the truth is in ${county}/truth\n`);
    out.write(`ghostwatch demo: 2. loading every file into ${context.dbLocation}\n`);
    const store = await context.openStore();
    try {
      for (const file of contractFilesIn(county)) {
        const s = await ingestOne(context, store, file.kind, file.path, {});
        out.write(
          `   ${s.kind.padEnd(16)} ${String(s.loaded).padStart(8)} loaded, ${s.quarantined} quarantined\n`,
        );
      }
      out.write('\n');
      out.write(formatStatus(await store.status()));
      out.write(
        `\nNext: ghostwatch quarantine (refused rows) · ghostwatch evaluate --truth ${county} · ghostwatch --help\n`,
      );
      return EXIT_OK;
    } finally {
      await store.close();
    }
  },
};

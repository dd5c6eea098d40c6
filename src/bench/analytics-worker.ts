import { createAnalyzer } from '../analytics/analyze.js';
import { openStore } from '../store/open-store.js';
import { writeAnalyticsCounty } from './analytics-county.js';
import { peakRssMb } from './child.js';

/**
 * One analytics measurement in its own process (so that its peak RSS is its own):
 *   generate DB SIZE   write the lean bench county into a fresh store
 *   read DB            the baseline: read every table analyze reads, in the same batches, and drop it
 *   analyze DB         ghostwatch analyze
 * Prints one JSON line: what, ms, peakRssMb, and counts.
 */
const [mode, db, sizeText] = process.argv.slice(2);
if (mode === undefined || db === undefined)
  throw new Error('usage: analytics-worker generate|read|analyze DB [SIZE]');
const store = await openStore(db);
const started = performance.now();
let extra: Record<string, number | string> = {};
try {
  if (mode === 'generate') {
    extra = await writeAnalyticsCounty(store, Number(sizeText), (what) =>
      process.stderr.write(`bench analytics: ${what}\n`),
    );
  } else if (mode === 'read') {
    let uses = 0;
    let histories = 0;
    for await (const batch of store.analytics.readTerminalUse({ batchSize: 20_000 })) uses += batch.length;
    for await (const batch of store.analytics.readHistories({ batchSize: 20_000 })) histories += batch.length;
    extra = { uses, histories };
  } else if (mode === 'analyze') {
    const summary = await createAnalyzer({ store: store.analytics, clock: Date.now }).run();
    extra = {
      uses: summary.terminalUses,
      histories: summary.beneficiaries,
      rings: summary.rings,
      ringCards: summary.ringCards,
      significant: summary.handlersSignificant,
      graphNodes: summary.graph.nodes,
      anomalies: Object.values(summary.anomalies).reduce((a, b) => a + (b ?? 0), 0),
      top: summary.topHandlers.map((h) => h.handlerId).join(' '),
    };
  } else throw new Error(`unknown mode ${mode}`);
} finally {
  await store.close();
}
process.stdout.write(
  `${JSON.stringify({ mode, ms: Math.round(performance.now() - started), peakRssMb: peakRssMb(), ...extra })}\n`,
);

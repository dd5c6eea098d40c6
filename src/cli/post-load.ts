import type { IngestBatch, IngestSink, LoadId } from '../ingest/ports.js';
import { createDeathMatcher, type MatchSummary } from '../matching/death-matcher.js';
import type { RecordKind } from '../records/enums.js';
import type { Beneficiary, DeathRecord } from '../records/schemas.js';
import type { Store } from '../store/store.js';

/** What the post-load hook did during one ingest. */
export interface PostLoadReport {
  /** Death records matched on arrival (0 when no model exists yet: the next `match` covers them). */
  readonly deathRecordsMatched: number;
  readonly links: number;
  readonly findings: number;
  /** Blocking keys added for beneficiaries loaded after the batch run. */
  readonly blockingKeysAdded: number;
}

/**
 * The ingest's sink with the composition root's post-load hook: once a batch is written, death records are matched
 * on arrival and beneficiaries get their blocking keys, when a model exists. The ingest context stays unaware of
 * linkage: it sees an IngestSink.
 * @example const { sink, report } = createPostLoadSink(store, Date.now); await ingestFile({ sink, … });
 */
export function createPostLoadSink(
  store: Store,
  clock: () => number,
): { readonly sink: IngestSink; report(): PostLoadReport } {
  const matcher = createDeathMatcher({ store, clock });
  let deathRecordsMatched = 0;
  let links = 0;
  let findings = 0;
  let blockingKeysAdded = 0;
  return {
    sink: {
      beginLoad: (start) => store.beginLoad(start),
      finishLoad: (loadId, summary) => store.finishLoad(loadId, summary),
      async writeBatch<K extends RecordKind>(loadId: LoadId, batch: IngestBatch<K>): Promise<void> {
        await store.writeBatch(loadId, batch);
        if (batch.records.length === 0) return;
        if (batch.kind === 'deaths') {
          const summary: MatchSummary | undefined = await matcher.matchDeathRecords(
            batch.records as readonly DeathRecord[],
          );
          if (summary !== undefined) {
            deathRecordsMatched += summary.deathRecords;
            links += summary.links;
            findings += summary.findings;
          }
        } else if (batch.kind === 'beneficiaries') {
          blockingKeysAdded += await matcher.indexBeneficiaries(batch.records as readonly Beneficiary[]);
        }
      },
    },
    report: () => ({ deathRecordsMatched, links, findings, blockingKeysAdded }),
  };
}

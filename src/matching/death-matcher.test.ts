import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarDate } from '../core/time.js';
import { evaluate } from '../eval/evaluate.js';
import { readTruth } from '../eval/read-truth.js';
import { ingestFile } from '../ingest/ingest-file.js';
import type { IngestSink } from '../ingest/ports.js';
import type { RecordKind } from '../records/enums.js';
import type { DeathRecord } from '../records/schemas.js';
import { simulateCounty } from '../sim/simulate-county.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createDeathMatcher } from './death-matcher.js';

/**
 * Death matching on small simulated counties, in SQLite: the acceptance thresholds of issue #4, batch ≡
 * incremental, one-to-one, explanations, idempotent re-runs and reversible decisions.
 */

const AS_OF = '2021-06-30' as CalendarDate;
const clock = () => 1_750_000_000_000;
const dirs: string[] = [];
const stores: Store[] = [];

afterAll(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function county(size: number, seed: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `ghostwatch-match-${seed}-`));
  dirs.push(dir);
  await simulateCounty({ out: dir, size, seed, ring: { cards: 20 } });
  return dir;
}

async function load(sink: IngestSink, kind: RecordKind, path: string): Promise<void> {
  const result = await ingestFile({ sink, kind, path, clock, worker: false });
  if (!result.ok) throw new Error(result.issues[0]?.message);
}

async function freshStore(dir: string): Promise<Store> {
  const store = await openSqliteStore(join(dir, 'ghostwatch.db'));
  stores.push(store);
  return store;
}

/** Splits deaths.csv into the first `share` of its rows and the rest (malformed last line included in the rest). */
function splitDeaths(dir: string, share: number): [string, string] {
  const [header, ...rows] = readFileSync(join(dir, 'deaths.csv'), 'utf8').trimEnd().split('\n');
  const cut = Math.floor(rows.length * share);
  const a = join(dir, 'deaths-a.csv');
  const b = join(dir, 'deaths-b.csv');
  writeFileSync(a, `${[header, ...rows.slice(0, cut)].join('\n')}\n`);
  writeFileSync(b, `${[header, ...rows.slice(cut)].join('\n')}\n`);
  return [a, b];
}

describe('death matching on simulated counties (acceptance, issue #4)', () => {
  for (const seed of [11, 12]) {
    it(`seed ${seed}: suspects precision and recall ≥ 0.98, found overpayment within 1%, no living namesake suspended`, async () => {
      const dir = await county(3500, seed);
      const store = await freshStore(dir);
      for (const kind of ['beneficiaries', 'payments', 'deaths'] as const) {
        await load(store, kind, join(dir, kind === 'beneficiaries' ? 'beneficiaries.csv' : `${kind}.csv`));
      }
      const summary = await createDeathMatcher({ store, clock }).runBatch({ asOf: AS_OF });
      expect(summary.model?.trained).toBe(true);
      const findings = await store.listFindings();
      const truth = await readTruth(dir);
      const result = await evaluate(truth, {
        suspects: findings.map((f) => ({
          beneficiaryId: f.beneficiaryId,
          overpaidFen: f.overpaidFen,
          decision: f.decision,
        })),
      });
      const s = result.suspects;
      if (s.kind !== 'measured') throw new Error('suspects not measured');
      expect(s.precision).toBeGreaterThanOrEqual(0.98);
      expect(s.recall).toBeGreaterThanOrEqual(0.98);
      expect(Math.abs(s.overpaidObservedFoundFen - s.overpaidTruthFoundFen)).toBeLessThanOrEqual(
        0.01 * s.overpaidTruthFoundFen,
      );
      const kindOf = new Map<string, string>();
      for (const line of readFileSync(join(dir, 'truth', 'death_records.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)) {
        const [source, recordId, , , kind] = line.split(',');
        kindOf.set(`${source}:${recordId}`, kind ?? '');
      }
      // No living beneficiary is suspended through a namesake's record (same name and sex, another person).
      for (const f of findings) {
        if (truth.beneficiaries.get(f.beneficiaryId)?.dead) continue;
        if (f.statusAfter !== 'suspended') continue;
        for (const e of f.evidence) expect(kindOf.get(e)).not.toBe('namesake');
      }
    });
  }
});

describe('death matching: batch and incremental', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await county(2500, 21);
    store = await freshStore(dir);
    await load(store, 'beneficiaries', join(dir, 'beneficiaries.csv'));
    await load(store, 'payments', join(dir, 'payments.csv'));
  });

  it('incremental and batch give the same links; one-to-one holds; explanations add up; re-runs are idempotent', async () => {
    const [first, rest] = splitDeaths(dir, 0.6);
    await load(store, 'deaths', first);
    const matcher = createDeathMatcher({ store, clock });
    const batch = await matcher.runBatch({ asOf: AS_OF });
    expect(batch.links).toBeGreaterThan(100);

    // The rest arrives: each batch of the feed is matched on arrival through the stored keys and model.
    let matchedOnArrival = 0;
    const sink: IngestSink = {
      beginLoad: (start) => store.beginLoad(start),
      finishLoad: (id, summary) => store.finishLoad(id, summary),
      async writeBatch(id, b) {
        await store.writeBatch(id, b);
        if (b.kind !== 'deaths') return;
        const s = await matcher.matchDeathRecords(b.records as readonly DeathRecord[], { asOf: AS_OF });
        matchedOnArrival += s?.deathRecords ?? 0;
      },
    };
    await load(sink, 'deaths', rest);
    expect(matchedOnArrival).toBeGreaterThan(1000);
    const incremental = await store.listDeathMatches();
    const incrementalFindings = await store.listFindings();

    // A batch run over everything, with the same stored model, links exactly the same way.
    const again = await matcher.runBatch({ asOf: AS_OF });
    expect(again.model?.trained).toBe(false);
    const batchMatches = await store.listDeathMatches();
    const view = (ms: typeof batchMatches) =>
      ms.map((m) => [m.source, m.recordId, m.beneficiaryId ?? null, m.matchWeight?.toFixed(9) ?? null]);
    expect(view(batchMatches)).toEqual(view(incremental));
    const findingView = (fs: typeof incrementalFindings) =>
      fs.map((f) => [
        f.beneficiaryId,
        f.deathDate,
        f.evidence.join(';'),
        f.decision,
        f.overpaidFen,
        f.statusAfter,
      ]);
    expect(findingView(await store.listFindings())).toEqual(findingView(incrementalFindings));

    // One-to-one: every death record appears once and links to at most one beneficiary.
    const keys = batchMatches.map((m) => `${m.source}|${m.recordId}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(await store.countRows('deaths')).toBe(keys.length);

    // Explanations add up to the match weight.
    const linked = batchMatches.filter((m) => m.beneficiaryId !== undefined);
    for (const m of linked.slice(0, 500)) {
      const total = m.explanation!.priorWeight + m.explanation!.terms.reduce((s, t) => s + t.weight, 0);
      expect(total).toBeCloseTo(m.matchWeight!, 6);
      expect(m.matchProbability).toBeGreaterThanOrEqual(0.5);
    }

    // Re-running creates nothing new: same links, same findings, no new decision.
    const decisionsBefore = await store.decisionHistory(incrementalFindings[0]!.beneficiaryId);
    const third = await matcher.runBatch({ asOf: AS_OF });
    expect(third.newDecisions).toBe(0);
    expect(view(await store.listDeathMatches())).toEqual(view(batchMatches));
    expect(await store.decisionHistory(incrementalFindings[0]!.beneficiaryId)).toEqual(decisionsBefore);
    expect(await matcher.matchUnmatched({ asOf: AS_OF })).toMatchObject({ deathRecords: 0 });
  });

  it('a reversed decision stands on a re-run, keeps its history, and restores the roll status', async () => {
    const matcher = createDeathMatcher({ store, clock });
    await matcher.runBatch({ asOf: AS_OF });
    const suspended = (await store.listFindings()).find((f) => f.statusAfter === 'suspended');
    expect(suspended).toBeDefined();
    const reversed = await store.reverseDecision(suspended!.decisionId, {
      at: clock() + 1,
      by: 'supervisor-1',
      reason: 'came to the station in person',
    });
    expect(reversed.ok).toBe(true);
    const rerun = await matcher.runBatch({ asOf: AS_OF });
    expect(rerun.newDecisions).toBe(0);
    const after = (await store.listFindings()).find((f) => f.beneficiaryId === suspended!.beneficiaryId);
    expect(after?.statusAfter).toBe(suspended!.rollStatus);
    const history = await store.decisionHistory(suspended!.beneficiaryId);
    expect(history.at(-1)?.reversal?.reason).toBe('came to the station in person');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { beneficiaryOf, syntheticDeaths, syntheticRoll } from '../bench/linkage-data.js';
import type { CalendarDate } from '../core/time.js';
import { candidateRows } from '../linkage/blocking-candidates.js';
import { blockingKeyHash } from '../linkage/blocking-key-hash.js';
import {
  chinaBlockingRules,
  createPersonNormaliser,
  type PersonInput,
  personFromBeneficiary,
} from '../linkage/china-preset.js';
import { scoringWorkersAvailable } from '../linkage/parallel-scoring.js';
import type { Beneficiary, DeathRecord } from '../records/schemas.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createDeathMatcher } from './death-matcher.js';
import type { DeathMatch } from './ports.js';

/**
 * Matching on arrival (stored candidate rows, cached model and term frequencies) gives exactly the links of a batch
 * run with the same model, whichever way the feed is split, with or without candidate rows, and after beneficiaries
 * are re-loaded with other names; the batch links the same on one thread and on worker threads.
 */

const AS_OF = '2021-06-30' as CalendarDate;
const clock = () => 1_750_000_000_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freshStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'ghostwatch-incremental-'));
  dirs.push(dir);
  return openSqliteStore(join(dir, 'ghostwatch.db'));
}

const deathRecord = (p: PersonInput, i: number): DeathRecord =>
  ({
    recordId: `R${i}`,
    source: i % 3 === 0 ? 'hospital' : 'civil_affairs',
    name: p.name!,
    idNumber: p.idNumber,
    sex: p.sex,
    birthDate: p.birthDate,
    deathDate: '2021-01-15',
    regionCode: p.regionCode,
    address: i % 4 === 0 ? `湖南省衡阳县${i % 7}号` : undefined,
    reportedAt: '2021-01-20',
    flags: [],
  }) as unknown as DeathRecord;

async function write<K extends 'beneficiaries' | 'deaths'>(
  store: Store,
  kind: K,
  records: readonly (K extends 'deaths' ? DeathRecord : Beneficiary)[],
): Promise<void> {
  const loadId = await store.beginLoad({ fileKey: kind, fileName: kind, kind, startedAt: clock() });
  await store.writeBatch(loadId, {
    kind,
    records: records as never,
    quarantined: [],
    flags: [],
    throughLine: records.length + 1,
  });
  await store.finishLoad(loadId, {
    finishedAt: clock(),
    rows: records.length,
    loaded: records.length,
    quarantined: 0,
    flagged: 0,
  });
}

const view = (ms: readonly DeathMatch[]) =>
  ms.map((m) => [m.source, m.recordId, m.beneficiaryId ?? null, m.matchWeight?.toFixed(9) ?? null]);

/** A roll (with addresses on some) and a feed: half the death records are noisy copies of beneficiaries. */
function county(seed: number) {
  const roll = syntheticRoll(400, seed).map((p, i) =>
    i % 4 === 0 ? { ...p, address: `湖南省衡阳县${i % 7}号` } : p,
  );
  const deaths = syntheticDeaths(roll, 240, seed + 1, 0.5).map(deathRecord);
  return { roll, deaths };
}

/** The candidate rows a store of schema version 12 or 13 held: one per beneficiary, in its "region + name" block. */
function firstClusterRows(beneficiaries: readonly Beneficiary[]) {
  const rules = chinaBlockingRules();
  const regionName = rules.findIndex((rule) => rule.name === 'region + name');
  const normalise = createPersonNormaliser();
  const { rows } = candidateRows(rules);
  return beneficiaries.map((b) => {
    const person = normalise(personFromBeneficiary(b));
    const key = rules[regionName]!.key(person);
    const block = key === undefined ? -1 : blockingKeyHash(regionName, key);
    return { ...rows(person)[0]!, block };
  });
}

describe('death matching on arrival ≡ batch (issue #4)', () => {
  it('for any split of the feed, with all, some or no candidate rows, after re-loaded beneficiaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0.3, max: 0.8, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('all', 'none', 'first cluster'),
        fc.boolean(),
        async (seed, share, chunk, rows, reload) => {
          const { roll, deaths } = county(seed);
          const store = await freshStore();
          try {
            const matcher = createDeathMatcher({ store, clock, uSamplePairs: 20_000 });
            const beneficiaries = roll.map(beneficiaryOf);
            await write(store, 'beneficiaries', beneficiaries);
            const cut = Math.floor(deaths.length * share);
            await write(store, 'deaths', deaths.slice(0, cut));
            await matcher.runBatch({ asOf: AS_OF });
            let current = beneficiaries;
            if (reload) {
              // Beneficiaries re-loaded with each other's names (the roll's name counts stay): their old keys still
              // lead to them, their new rows must decide.
              const swapped = beneficiaries.slice(0, 40).map((b, i, all) => ({
                ...b,
                name: all[(i + 1) % all.length]!.name,
              }));
              await write(store, 'beneficiaries', swapped);
              await matcher.indexBeneficiaries(swapped);
              current = [...swapped, ...beneficiaries.slice(swapped.length)];
            }
            // Candidates then come from the roll, normalised there (a store indexed before schema version 12).
            if (rows === 'none') await store.replaceCandidateRows([]);
            // Rows in the "region + name" blocks only (stored before schema version 14): the "pinyin name + birth
            // year" blocks are incomplete and read through their keys.
            if (rows === 'first cluster') await store.replaceCandidateRows([firstClusterRows(current)]);
            // A fresh matcher for part of the feed: its caches start empty.
            const arrivals = deaths.slice(cut);
            for (let i = 0; i < arrivals.length; i += chunk) {
              const m = i % (2 * chunk) === 0 ? matcher : createDeathMatcher({ store, clock });
              const batch = arrivals.slice(i, i + chunk);
              await write(store, 'deaths', batch);
              await m.matchDeathRecords(batch, { asOf: AS_OF });
            }
            // The records matched on arrival (those of the first batch were matched before any re-load).
            const arrived = new Set(arrivals.map((d) => d.recordId));
            const ofArrivals = (ms: readonly DeathMatch[]) => view(ms.filter((m) => arrived.has(m.recordId)));
            const incremental = await store.listDeathMatches();
            const again = await matcher.runBatch({ asOf: AS_OF });
            expect(again.model?.trained).toBe(false);
            expect(ofArrivals(await store.listDeathMatches())).toEqual(ofArrivals(incremental));
            if (!reload) expect(view(await store.listDeathMatches())).toEqual(view(incremental));
            expect(incremental.filter((m) => m.beneficiaryId !== undefined).length).toBeGreaterThan(20);
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 8 },
    );
  }, 300_000);

  it('the batch links the same on worker threads as on one thread', async () => {
    expect(scoringWorkersAvailable()).toBe(true);
    const { roll, deaths } = county(7);
    const runs: DeathMatch[][] = [];
    for (const threads of [1, 2]) {
      const store = await freshStore();
      try {
        await write(store, 'beneficiaries', roll.map(beneficiaryOf));
        await write(store, 'deaths', deaths);
        const stages: string[] = [];
        const matcher = createDeathMatcher({
          store,
          clock,
          uSamplePairs: 20_000,
          threads,
          workerMinPairs: 0,
          onProgress: (p) => stages.push(p.stage),
        });
        const summary = await matcher.runBatch({ asOf: AS_OF });
        expect(summary.model?.trained).toBe(true);
        expect(stages.some((s) => s.includes('2 threads'))).toBe(threads === 2);
        runs.push([...(await store.listDeathMatches())].map((m) => ({ ...m, matchedAt: 0 })));
      } finally {
        await store.close();
      }
    }
    expect(runs[0]!.filter((m) => m.beneficiaryId !== undefined).length).toBeGreaterThan(50);
    expect(runs[1]).toEqual(runs[0]);
  }, 120_000);
});

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CANDIDATE_FORMAT, candidateRows } from '../linkage/blocking-candidates.js';
import { blockingKeyHash } from '../linkage/blocking-key-hash.js';
import {
  chinaBlockingRules,
  chinaComparisons,
  createPersonNormaliser,
  personFromBeneficiary,
} from '../linkage/china-preset.js';
import { prepareScoringJob, scoreInWorkers } from '../linkage/parallel-scoring.js';
import { createRecordPreparer, termFrequencySlots } from '../linkage/prepare-records.js';
import { scoreShare } from '../linkage/score-persons.js';
import { CHINA_PRESET, createDeathMatcher } from '../matching/death-matcher.js';
import type { DeathRecord } from '../records/schemas.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { peakRssMb } from './child.js';
import { beneficiaryOf, matchInMemory, syntheticDeaths, syntheticRoll } from './linkage-data.js';

/**
 * One linkage measurement in its own process, printing one JSON line:
 * - `pairs ROLL DEATHS THREADS`: candidate pairs compared and scored per second (1 = this thread, N = workers);
 * - `e2e ROLL DEATHS THREADS`: the batch pipeline in memory, end to end (comparison on THREADS worker threads);
 * - `incremental ROLL DB QUERIES`: one death record matched on arrival against a stored roll (built once).
 */
const [mode = 'pairs', a = '100000', b = '100000', c = '1'] = process.argv.slice(2);

async function pairs(rollSize: number, deathSize: number, threads: number) {
  const roll = syntheticRoll(rollSize);
  const deaths = syntheticDeaths(roll, deathSize);
  // The model: trained on a slice (its values do not change the work per pair).
  const trained = await matchInMemory(roll.slice(0, 100_000), deaths.slice(0, 100_000));
  const setupStarted = performance.now();
  const job = prepareScoringJob(roll, deaths, trained.parameters, 0.5);
  const setupMs = performance.now() - setupStarted;
  const started = performance.now();
  const results = threads === 1 ? [scoreShare(job, 0, job.pairs.count)] : await scoreInWorkers(job, threads);
  const wall = performance.now() - started;
  const candidatePairs = results.reduce((s, r) => s + r.candidatePairs, 0);
  const compareMs = Math.max(...results.map((r) => r.compareMs));
  const links = results.reduce((s, r) => s + r.best.filter((b) => b >= 0).length, 0);
  return {
    candidatePairs,
    links,
    setupMs,
    compareMs,
    wallMs: wall,
    pairsPerSecond: (candidatePairs / compareMs) * 1000,
  };
}

async function e2e(rollSize: number, deathSize: number, threads: number) {
  const roll = syntheticRoll(rollSize);
  const deaths = syntheticDeaths(roll, deathSize);
  const started = performance.now();
  const result = await matchInMemory(roll, deaths, threads);
  return {
    ms: performance.now() - started,
    threads,
    candidatePairs: result.candidatePairs,
    links: result.links,
    findings: result.findings,
    timings: JSON.stringify(result.timings),
  };
}

/**
 * Each beneficiary's normalised person beside its keys (schema version 12), as `runBatch` writes them: the roll read
 * back in beneficiary_id order, so the rows go into their table in key order. Returns the rows written.
 */
async function storeCandidateRows(store: Store): Promise<number> {
  const normalise = createPersonNormaliser();
  const rows = candidateRows(chinaBlockingRules());
  return store.replaceCandidateRows(
    (async function* () {
      let done = 0;
      for await (const batch of store.readBeneficiaries({ batchSize: 50_000 })) {
        yield batch.flatMap((b) => rows.rows(normalise(personFromBeneficiary(b))));
        done += batch.length;
        if (done % 1_000_000 < batch.length) process.stderr.write(`bench linkage: ${done} candidate rows\n`);
      }
    })(),
  );
}

/**
 * What the candidate rows of a stored roll index were written as: their format and clustering rules. Kept beside the
 * database (`DB.candidates`) so that an index built by an older version gets its rows written again, not reused.
 */
const candidateLayout = (): string =>
  JSON.stringify({
    format: CANDIDATE_FORMAT,
    clusters: chinaBlockingRules()
      .filter((rule) => rule.cluster === true)
      .map((rule) => rule.name),
  });

/** Whether the store's roll index has candidate rows of this version's layout. */
function hasCandidateRows(db: string): boolean {
  return existsSync(`${db}.candidates`) && readFileSync(`${db}.candidates`, 'utf8') === candidateLayout();
}

async function incremental(rollSize: number, db: string, queries: number) {
  const built = existsSync(db);
  const store = await openSqliteStore(db);
  let buildMs = 0;
  try {
    if (!built || (await store.loadModel()) === undefined) {
      const started = performance.now();
      const sample = syntheticRoll(100_000);
      const trained = await matchInMemory(sample, syntheticDeaths(sample, 100_000));
      const comparisons = chinaComparisons();
      const rules = chinaBlockingRules();
      const slots = termFrequencySlots(comparisons).length;
      const normalise = createPersonNormaliser();
      const prepare = createRecordPreparer(comparisons, (p: { id: string }) => p.id);
      const totals = new Array<number>(slots).fill(0);
      const tf = Array.from({ length: slots }, () => new Map<string, number>());
      const chunk = 200_000;
      const loadId = await store.beginLoad({
        fileKey: 'bench',
        fileName: 'bench',
        kind: 'beneficiaries',
        startedAt: Date.now(),
      });
      async function* keyBatches() {
        for (let offset = 0; offset < rollSize; offset += chunk) {
          const people = syntheticRoll(Math.min(chunk, rollSize - offset), 1, offset);
          await store.writeBatch(loadId, {
            kind: 'beneficiaries',
            records: people.map(beneficiaryOf),
            quarantined: [],
            flags: [],
            throughLine: offset + people.length,
          });
          const keys: { hash: number; beneficiaryId: string }[] = [];
          for (const p of people) {
            const person = normalise(p);
            const prepared = prepare(person);
            for (let s = 0; s < slots; s++) {
              const v = prepared.tfValues[s];
              if (v === undefined) continue;
              tf[s]!.set(v, (tf[s]!.get(v) ?? 0) + 1);
              totals[s]!++;
            }
            rules.forEach((rule, r) => {
              const key = rule.key(person);
              if (key !== undefined && key !== '')
                keys.push({ hash: blockingKeyHash(r, key), beneficiaryId: p.id });
            });
          }
          process.stderr.write(`bench linkage: stored ${offset + people.length} beneficiaries\n`);
          yield keys;
        }
      }
      await store.replaceBlockingKeys(keyBatches());
      await storeCandidateRows(store);
      writeFileSync(`${db}.candidates`, candidateLayout());
      await store.finishLoad(loadId, {
        finishedAt: Date.now(),
        rows: rollSize,
        loaded: rollSize,
        quarantined: 0,
        flagged: 0,
      });
      await store.saveModel(
        {
          createdAt: Date.now(),
          preset: CHINA_PRESET,
          parameters: trained.parameters,
          settings: { threshold: 0.5, termFrequencyTotals: totals, rollSize },
        },
        (function* () {
          for (let s = 0; s < slots; s++)
            for (const [value, count] of tf[s]!) yield { slot: s, value, count };
        })(),
      );
      buildMs = performance.now() - started;
    } else if (!hasCandidateRows(db)) {
      // A roll index built before these candidate rows: only they are written again (the roll and keys stay).
      const started = performance.now();
      await storeCandidateRows(store);
      writeFileSync(`${db}.candidates`, candidateLayout());
      buildMs = performance.now() - started;
    }
    const matcher = createDeathMatcher({ store, clock: Date.now });
    // Half the arrivals are beneficiaries of the roll (drawn from its first and last chunks), half strangers.
    const known = [...syntheticRoll(1000, 1, 0), ...syntheticRoll(1000, 1, Math.max(0, rollSize - 200_000))];
    const arrivals = syntheticDeaths(known, queries, 3, 0.5);
    const times: number[] = [];
    // CPU time per arrival too (this process, user + system): on a shared, loaded machine the wall time is mostly
    // waiting for a core, the CPU time is the work.
    const cpuTimes: number[] = [];
    const steps: Record<string, number> = {};
    const perArrival: { ms: number; steps: Readonly<Record<string, number>> }[] = [];
    let links = 0;
    let candidates = 0;
    // The first arrivals warm the JIT and the page cache up; they are not counted.
    const warmUp = Math.min(20, Math.floor(arrivals.length / 10));
    for (let i = 0; i < arrivals.length; i++) {
      const p = arrivals[i]!;
      const record = {
        recordId: `BENCH-${Date.now()}-${i}`,
        source: 'civil_affairs',
        name: p.name!,
        idNumber: p.idNumber,
        sex: p.sex,
        birthDate: p.birthDate,
        deathDate: '2021-01-15',
        regionCode: p.regionCode,
        address: undefined,
        reportedAt: '2021-01-20',
        flags: [],
      } as unknown as DeathRecord;
      const cpu = process.cpuUsage();
      const t = performance.now();
      const summary = await matcher.matchDeathRecords([record], { asOf: '2021-06-30' as never });
      if (i < warmUp) continue;
      times.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      cpuTimes.push((used.user + used.system) / 1000);
      perArrival.push({ ms: times[times.length - 1]!, steps: summary?.timings ?? {} });
      links += summary?.links ?? 0;
      for (const [k, v] of Object.entries(summary?.timings ?? {})) steps[k] = (steps[k] ?? 0) + v;
      candidates += summary?.beneficiaries ?? 0;
    }
    times.sort((x, y) => x - y);
    cpuTimes.sort((x, y) => x - y);
    const q = (p: number, of = times) => of[Math.min(of.length - 1, Math.floor(p * of.length))]!;
    // Mean milliseconds per arrival of each step of the incremental path (the matcher's own laps).
    const perStep = Object.fromEntries(
      Object.entries(steps).map(([k, v]) => [k, Number((v / Math.max(1, times.length)).toFixed(3))]),
    );
    const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);
    // The slowest 2 %: where their time goes (mean ms per step), to tell slow steps from waiting.
    const slowest = [...perArrival]
      .sort((x, y) => y.ms - x.ms)
      .slice(0, Math.max(1, Math.ceil(times.length / 50)));
    const slowSteps: Record<string, number> = {};
    for (const a of slowest)
      for (const [k, v] of Object.entries(a.steps)) slowSteps[k] = (slowSteps[k] ?? 0) + v / slowest.length;
    return {
      queries: times.length,
      links,
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      max: q(1),
      mean,
      candidatesPerArrival: candidates / Math.max(1, times.length),
      cpuP50: q(0.5, cpuTimes),
      cpuP99: q(0.99, cpuTimes),
      steps: JSON.stringify(perStep),
      slowestSteps: JSON.stringify(
        Object.fromEntries(Object.entries(slowSteps).map(([k, v]) => [k, Number(v.toFixed(3))])),
      ),
      buildMs,
    };
  } finally {
    await store.close();
  }
}

const result =
  mode === 'pairs'
    ? await pairs(Number(a), Number(b), Number(c))
    : mode === 'e2e'
      ? await e2e(Number(a), Number(b), Number(c))
      : await incremental(Number(a), b, Number(c));
process.stdout.write(`${JSON.stringify({ ...result, peakRssMb: peakRssMb() })}\n`);

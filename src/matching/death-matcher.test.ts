import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCharacter } from '../core/id-number.js';
import type { CalendarDate } from '../core/time.js';
import { evaluate } from '../eval/evaluate.js';
import { readTruth } from '../eval/read-truth.js';
import { ingestFile } from '../ingest/ingest-file.js';
import type { IngestSink } from '../ingest/ports.js';
import type { RecordKind } from '../records/enums.js';
import type { Beneficiary, DeathRecord } from '../records/schemas.js';
import { simulateCounty } from '../sim/simulate-county.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createDeathMatcher } from './death-matcher.js';
import type { Finding } from './ports.js';

/**
 * Death matching on small simulated counties, in SQLite: the acceptance thresholds of issue #4, batch ≡
 * incremental, one-to-one, explanations, idempotent re-runs and reversible decisions.
 */

const AS_OF = '2021-06-30' as CalendarDate;
/** Simulating, loading and matching a county takes about a minute on a loaded 2-core machine: room for that. */
const SLOW = 300_000;
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

const DEATH_COLUMNS =
  'record_id,source,name,id_number,sex,birth_date,death_date,region_code,address,reported_at';
const csvCell = (v: string | undefined) =>
  v === undefined ? '' : /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

/** Writes death records (contract columns) to a CSV file and returns its path. */
function deathsCsv(dir: string, name: string, rows: readonly (readonly (string | undefined)[])[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${[DEATH_COLUMNS, ...rows.map((r) => r.map(csvCell).join(','))].join('\n')}\n`);
  return path;
}

async function rollOf(store: Store): Promise<Beneficiary[]> {
  const roll: Beneficiary[] = [];
  for await (const batch of store.readBeneficiaries()) roll.push(...batch);
  return roll;
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
    it(
      `seed ${seed}: suspects precision and recall ≥ 0.98, found overpayment within 1%, no living namesake suspended`,
      async () => {
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
      },
      SLOW,
    );
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
  }, SLOW);

  it(
    'incremental and batch give the same links; one-to-one holds; explanations add up; re-runs are idempotent',
    async () => {
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
    },
    SLOW,
  );

  it(
    'a death record re-loaded with corrections refreshes the finding of the beneficiary it leaves, on arrival',
    async () => {
      const matcher = createDeathMatcher({ store, clock });
      await matcher.runBatch({ asOf: AS_OF });
      const findings = await store.listFindings();
      // A beneficiary resting on one record only: moving that record away must remove the finding.
      const alone = findings.find((f) => f.evidence.length === 1)!;
      const [source, recordId] = alone.evidence[0]!.split(':') as [string, string];
      const withFinding = new Set(findings.map((f) => f.beneficiaryId));
      const roll = await rollOf(store);
      const other = roll.find((b) => !withFinding.has(b.beneficiaryId) && b.idNumber !== undefined)!;
      // The registry corrects the record: it was about `other` (name, ID, birth date, sex, region, address).
      const corrected = deathsCsv(dir, 'corrected.csv', [
        [
          recordId,
          source,
          other.name,
          other.idNumber,
          other.sex,
          other.birthDate,
          alone.deathDate,
          other.regionCode,
          other.address,
          '2021-06-01',
        ],
      ]);
      const sink: IngestSink = {
        beginLoad: (start) => store.beginLoad(start),
        finishLoad: (id, summary) => store.finishLoad(id, summary),
        async writeBatch(id, b) {
          await store.writeBatch(id, b);
          if (b.kind === 'deaths')
            await matcher.matchDeathRecords(b.records as readonly DeathRecord[], { asOf: AS_OF });
        },
      };
      await load(sink, 'deaths', corrected);
      const onArrival = new Map((await store.listFindings()).map((f) => [f.beneficiaryId, f]));
      expect(onArrival.get(alone.beneficiaryId)).toBeUndefined();
      expect(onArrival.get(other.beneficiaryId)?.evidence).toEqual([`${source}:${recordId}`]);
      // The same as a batch over everything gives.
      const view = (
        fs: Iterable<{
          beneficiaryId: string;
          evidence: readonly string[];
          decision: string;
          overpaidFen: number;
        }>,
      ) => [...fs].map((f) => [f.beneficiaryId, f.evidence.join(';'), f.decision, f.overpaidFen]);
      await matcher.runBatch({ asOf: AS_OF });
      expect(view(onArrival.values())).toEqual(view(await store.listFindings()));
    },
    SLOW,
  );

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

/** A store of the county's roll, payments and death records (nothing matched yet). */
async function loadedStore(dir: string) {
  const store = await freshStore(dir);
  for (const kind of ['beneficiaries', 'payments', 'deaths'] as const) {
    await load(store, kind, join(dir, `${kind}.csv`));
  }
  return store;
}

/**
 * A county loaded into a store (nothing matched yet) with its truth and roll, the beneficiaries any simulated death
 * record is about, and `strangerId(b)`: a valid ID number of b's region and birth date, differing in the sequence, held
 * by no one on the roll and not given before (a stranger born the same day).
 */
async function namesakeCounty(size: number, seed: number) {
  const dir = await county(size, seed);
  const store = await loadedStore(dir);
  const truth = await readTruth(dir);
  const roll = await rollOf(store);
  const recorded = recordedPersons(dir);
  const used = new Set(roll.map((b) => b.idNumber?.slice(0, 17)));
  const strangerId = (b: Beneficiary) => {
    let seq = Number(b.idNumber!.slice(14, 17));
    let first17: string;
    do {
      seq = (seq + 2) % 1000;
      first17 = `${b.idNumber!.slice(0, 14)}${String(seq).padStart(3, '0')}`;
    } while (used.has(first17));
    used.add(first17);
    return first17 + checkCharacter(first17);
  };
  return { dir, store, truth, roll, recorded, strangerId };
}

/** The beneficiaries any simulated death record is about (the simulator's false deaths included). */
function recordedPersons(dir: string): Set<string | undefined> {
  return new Set(
    readFileSync(join(dir, 'truth', 'death_records.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[3]),
  );
}

describe('death matching: a namesake born the same day (issue #4)', () => {
  it(
    'a stranger with the same name, sex, birth date and county but another valid ID never suspends',
    async () => {
      const { dir, store, truth, roll, recorded, strangerId } = await namesakeCounty(2500, 31);
      // Living beneficiaries without any death record, each given a dead stranger of the same name, sex, birth
      // date and county whose valid ID differs only in the sequence (one no one on the roll holds), reported by
      // civil affairs AND the hospital: counted as two independent sources, a link would suspend.
      const living = roll
        .filter((b) => {
          const t = truth.beneficiaries.get(b.beneficiaryId);
          return t?.dead === false && !recorded.has(b.beneficiaryId) && b.idNumber?.length === 18;
        })
        .slice(0, 60);
      const rows = living.flatMap((b, i) => {
        const person = [b.name, strangerId(b), b.sex, b.birthDate, '2020-03-15', b.regionCode];
        return [
          [`MZNS${i}`, 'civil_affairs', ...person, undefined, '2020-04-01'],
          [`YXNS${i}`, 'hospital', ...person, undefined, '2020-04-02'],
        ];
      });
      await load(store, 'deaths', deathsCsv(dir, 'namesakes.csv', rows));
      await createDeathMatcher({ store, clock }).runBatch({ asOf: AS_OF });
      const namesakeMatches = (await store.listDeathMatches()).filter((m) => m.recordId.includes('NS'));
      expect(namesakeMatches).toHaveLength(rows.length);
      // Where the name is rare enough to outweigh the ID (a small roll learns a weak "ID different"), the record may
      // link, but it never counts as a source: a review at most, never a suspension.
      const findings = new Map((await store.listFindings()).map((f) => [f.beneficiaryId, f]));
      for (const b of living) {
        const f = findings.get(b.beneficiaryId);
        if (f === undefined) continue;
        expect(f.decision, b.beneficiaryId).toBe('review');
        expect(f.statusAfter).toBe(b.status);
        const [decision] = (await store.decisionHistory(b.beneficiaryId)).slice(-1);
        expect(decision?.reason).toContain("another person's ID number");
      }
      for (const m of namesakeMatches) {
        if (m.beneficiaryId === undefined) continue;
        const idTerm = m.explanation!.terms.find((t) => t.comparison === 'id_number')!;
        expect(idTerm.label).toBe('different');
        expect(idTerm.weight).toBeLessThan(-10);
      }
    },
    SLOW,
  );
});

describe('death matching: the death feed grouped by person, and ties (issue #4, overpayment)', () => {
  it(
    "an ID-less decoy whose other report carries another person's ID, or a tie between two roll members, is no source: nothing suspended, nothing claimed, on arrival as in the batch",
    async () => {
      const { dir, store, truth, roll, recorded, strangerId } = await namesakeCounty(1500, 41);
      const living = roll.filter((b) => {
        const t = truth.beneficiaries.get(b.beneficiaryId);
        return (
          t?.dead === false &&
          b.status === 'active' &&
          !recorded.has(b.beneficiaryId) &&
          b.idNumber?.length === 18 &&
          b.birthDate !== undefined
        );
      });
      // Decoys: a stranger of the same name, sex, birth date and county died; cremation and the hospital reported it
      // without an ID number (two sources: a suspension if they counted), the household register with the stranger's.
      const decoyed = living.slice(0, 20);
      const person = (b: Beneficiary, idNumber: string | undefined) => [
        b.name,
        idNumber,
        b.sex,
        b.birthDate,
        '2020-03-15',
        b.regionCode,
        undefined,
      ];
      const idless = decoyed.flatMap((b, i) => [
        [`HHTW${i}`, 'cremation', ...person(b, undefined), '2020-03-20'],
        [`YXTW${i}`, 'hospital', ...person(b, undefined), '2020-03-25'],
      ]);
      // The stranger is registered in the neighbouring county (Qidong, 430426: the same prefecture, so the reports
      // can be of one death): ID and region of 430426, so that report links to nobody and only the grouping by person
      // (same death date and name) tells our beneficiary's finding it changed.
      const household = decoyed.map((b, i) => {
        const first17 = `430426${b.idNumber!.slice(6, 17)}`;
        const row = [
          `HJTW${i}`,
          'household_register',
          ...person(b, first17 + checkCharacter(first17)),
          '2020-05-01',
        ];
        row[7] = '430426';
        return row;
      });
      // Ties: a second roll member identical on every compared field but the ID, and an ID-less report fitting both.
      const tied = living.slice(20, 30);
      const twinsOnRoll = tied.map((b, i) => ({ ...b, beneficiaryId: `BTIE${i}`, idNumber: strangerId(b) }));
      const header =
        'beneficiary_id,name,id_number,sex,birth_date,region_code,address,phone,bank_card,scheme,monthly_amount,enrolled_at,handler_id,status';
      const rollRows = twinsOnRoll.map((b) =>
        [
          b.beneficiaryId,
          b.name,
          b.idNumber,
          b.sex,
          b.birthDate,
          b.regionCode,
          b.address,
          '',
          '',
          b.scheme,
          '120.00',
          b.enrolledAt,
          b.handlerId ?? '',
          'active',
        ]
          .map((v) => csvCell(v === undefined ? undefined : String(v)))
          .join(','),
      );
      writeFileSync(join(dir, 'tied-roll.csv'), `${[header, ...rollRows].join('\n')}\n`);
      await load(store, 'beneficiaries', join(dir, 'tied-roll.csv'));
      const tieRows = tied.flatMap((b, i) => [
        [`HHTI${i}`, 'cremation', ...person(b, undefined), '2020-03-20'],
        [`YXTI${i}`, 'hospital', ...person(b, undefined), '2020-03-25'],
      ]);
      await load(store, 'deaths', deathsCsv(dir, 'idless.csv', idless));

      // First the ID-less reports alone: the decoys look like two sources about our beneficiaries.
      const matcher = createDeathMatcher({ store, clock });
      await matcher.runBatch({ asOf: AS_OF });
      const before = new Map((await store.listFindings()).map((f) => [f.beneficiaryId, f]));
      const suspendedBefore = decoyed.filter((b) => before.get(b.beneficiaryId)?.statusAfter === 'suspended');
      expect(suspendedBefore.length).toBeGreaterThan(10);

      // The household register's reports arrive and are matched on arrival: the ID-less reports are the strangers'.
      const sink: IngestSink = {
        beginLoad: (start) => store.beginLoad(start),
        finishLoad: (id, summary) => store.finishLoad(id, summary),
        async writeBatch(id, b) {
          await store.writeBatch(id, b);
          if (b.kind === 'deaths')
            await matcher.matchDeathRecords(b.records as readonly DeathRecord[], { asOf: AS_OF });
        },
      };
      await load(sink, 'deaths', deathsCsv(dir, 'household.csv', [...household, ...tieRows]));
      const unlinked = (await store.listDeathMatches()).filter(
        (m) => m.recordId.startsWith('HJTW') && m.beneficiaryId === undefined,
      );
      expect(unlinked.length).toBeGreaterThan(10);
      const onArrival = new Map((await store.listFindings()).map((f) => [f.beneficiaryId, f]));
      // The ties were never sources: whichever of the two the record links to gets no action and no claim.
      const tiedLinks = async () =>
        (await store.listDeathMatches()).filter(
          (m) => m.recordId.includes('TI') && m.beneficiaryId !== undefined,
        );
      expect((await tiedLinks()).length).toBe(tieRows.length);
      for (const m of await tiedLinks()) expect(m.explanation?.tiedCandidates).toBe(1);
      const tieFindings = tied.flatMap((b, i) =>
        [b.beneficiaryId, `BTIE${i}`].flatMap((id) => (onArrival.has(id) ? [onArrival.get(id)!] : [])),
      );
      expect(tieFindings.length).toBeGreaterThanOrEqual(tied.length);
      for (const f of tieFindings) {
        expect(f).toMatchObject({ decision: 'review', unsupported: true });
        expect(f.statusAfter).toBe('active');
      }
      for (const b of decoyed) {
        const f = onArrival.get(b.beneficiaryId);
        if (f === undefined) continue;
        expect(f, b.beneficiaryId).toMatchObject({ decision: 'review', unsupported: true });
        expect(f.statusAfter).toBe('active');
        const [decision] = (await store.decisionHistory(b.beneficiaryId)).slice(-1);
        expect(decision).toMatchObject({ action: 'none' });
        expect(decision?.reason).toContain("reported elsewhere with another person's ID number");
      }
      // A batch over everything decides alike, and claims none of it.
      const summary = await matcher.runBatch({ asOf: AS_OF });
      const view = (fs: Iterable<Finding>) =>
        [...fs].map((f) => [
          f.beneficiaryId,
          f.evidence.join(';'),
          f.decision,
          f.overpaidFen,
          f.unsupported ?? false,
        ]);
      const batch = await store.listFindings();
      expect(view(batch)).toEqual(view(onArrival.values()));
      for (const m of await tiedLinks()) expect(m.explanation?.tiedCandidates).toBe(1);
      const claimed = batch.filter((f) => f.lifeSign === undefined && f.unsupported !== true);
      expect(summary.overpaidFen).toBe(claimed.reduce((s, f) => s + f.overpaidFen, 0));
      const ours = new Set([...decoyed, ...tied].map((b) => b.beneficiaryId));
      for (let i = 0; i < tied.length; i++) ours.add(`BTIE${i}`);
      expect(claimed.filter((f) => ours.has(f.beneficiaryId))).toEqual([]);
      expect(summary.unsupported).toBeGreaterThanOrEqual(suspendedBefore.length + tied.length);
    },
    SLOW,
  );
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatYuan } from '../core/money.js';
import { KIND_SPECS } from '../records/schemas.js';
import {
  ageOn,
  dateOf,
  dayOf,
  dayOfMonthIndex,
  formatShanghai,
  monthIndexOf,
  periodOfMonthIndex,
  shanghaiMs,
  yearMonthOf,
} from './calendar.js';
import {
  buildCounty,
  COUNTY,
  OTHER_REGIONS,
  type Township,
  townshipAddress,
  type Village,
} from './county.js';
import { type CsvOutput, createCsvOutput, createTextOutput } from './csv-output.js';
import { DEATH_SOURCE_MODELS, type DeathSourceModel, MAX_LAG_DAYS } from './death-sources.js';
import { createEventBuckets } from './event-buckets.js';
import { drawGivenName, drawSurname, homophoneOf } from './names.js';
import { damageEvent, damageRow, flagRollRow, type Row, unbalancedQuoteLine } from './noise.js';
import { type SimulationOptions, type SimulationOptionsInput, simulationOptionsSchema } from './options.js';
import {
  type Core,
  type CoreParameters,
  createCardIssuer,
  createIdIssuer,
  drawPhone,
  legacyIdOf,
  type Sex,
  SIMULATION_START,
  villageCores,
} from './people.js';
import { createRng, type Rng, seedFor } from './prng.js';

/** What a run wrote, returned to the caller and kept in truth/meta.json. */
export interface SimulationSummary {
  readonly out: string;
  readonly seed: number;
  readonly size: number;
  readonly asOf: string;
  readonly eventsFrom: string;
  readonly elapsedMs: number;
  readonly counts: Readonly<Record<string, number>>;
  /** Rows (data lines, header excluded) and bytes of each file written. */
  readonly files: Readonly<Record<string, { readonly rows: number; readonly bytes: number }>>;
}

export interface SimulationProgress {
  readonly beneficiaries: number;
  readonly total: number;
}

export type SimulateCountyInput = SimulationOptionsInput & {
  /** Called after each village is written, and once at the end. */
  readonly onProgress?: (progress: SimulationProgress) => void;
};

export type FraudScheme = 'none' | 'ring' | 'relative' | 'card_switch';

/** The columns of the truth files (docs/simulator.md explains each). */
export const TRUTH_COLUMNS = {
  beneficiaries: [
    'beneficiary_id',
    'dead',
    'death_date',
    'fraud_scheme',
    'fraud_since',
    'first_fraudulent_withdrawal',
    'ring_card',
    'fraud_card',
    'overpaid_amount',
    'payments_after_death',
    'death_records',
    'card',
    'status',
  ],
  handlers: ['handler_id', 'role', 'colluding'],
  badRows: ['file', 'line', 'column', 'defect'],
  qualityFlags: ['file', 'line', 'column', 'defect'],
  deathRecords: ['source', 'record_id', 'line', 'beneficiary_id', 'kind', 'corruption'],
} as const;

const columnsOf = (kind: keyof typeof KIND_SPECS): string[] => KIND_SPECS[kind].columns.map((c) => c.name);

interface Person extends Core {
  readonly id: string;
  readonly name: string;
  readonly idNumber: string;
  readonly rollIdNumber: string;
  readonly village: Village;
  readonly township: Township;
  readonly address: string;
  readonly phone: string | undefined;
  readonly device: string | undefined;
  readonly handlerId: string;
  readonly amountFen: number;
  readonly certMonth: number;
  fraud: FraudScheme;
  spouse: Person | undefined;
  collector: Person | undefined;
  /** Day the ring took the card over (ring only). */
  takeover: number | undefined;
  cards: { from: number; card: string }[];
  householdReport: number | undefined;
  deathRecords: number;
  noRollNoise: boolean;
}

interface Credit {
  readonly day: number;
  readonly fen: number;
  /** Index of a dead beneficiary whose pension this is (a payment for a period after their death). */
  readonly afterDeathOf: number | undefined;
}

interface RingCard {
  readonly person: Person;
  readonly card: string;
  readonly credits: Credit[];
  readonly startFen: number;
  readonly overpaidFen: number;
  readonly paymentsAfterDeath: number;
  readonly status: string;
}

const PAYDAY = 10;

interface Timeline {
  readonly status: string;
  readonly lastAmountFen: number;
  readonly overpaidFen: number;
  readonly paymentsAfterDeath: number;
  readonly windowCredits: { card: string; day: number; fen: number; afterDeathOf: number | undefined }[];
}

/**
 * Writes a synthetic county, in exactly the files of DATA_FORMATS.md, with its ground truth in `<out>/truth`.
 * Deterministic for a seed; streams rows as they are generated (memory holds one village, the ring's cards and
 * the ID-sequence counters), so a roll of millions fits in a fixed budget. Throws on invalid options: validate
 * flags with `parseSimulationOptions` first.
 * @example await simulateCounty({ out: 'county', size: 20000, seed: 7, onProgress: (p) => … })
 */
export async function simulateCounty(input: SimulateCountyInput): Promise<SimulationSummary> {
  const { onProgress, ...rest } = input;
  const parsed = simulationOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    throw new RangeError(
      `invalid simulation options: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  const started = Date.now();
  const summary = runSimulation(parsed.data, onProgress);
  return { ...summary, elapsedMs: Date.now() - started };
}

function runSimulation(
  o: SimulationOptions,
  onProgress: ((p: SimulationProgress) => void) | undefined,
): Omit<SimulationSummary, 'elapsedMs'> {
  const asOf = dayOf(o.asOf);
  const eventsFromDay =
    o.eventsFrom !== undefined ? dayOf(o.eventsFrom) : monthIndexToDay(monthIndexOf(asOf) - 11);
  const eventsStartMs = shanghaiMs(eventsFromDay, 0, 0, 0);
  const simStart = dayOf(SIMULATION_START);
  const paymentsFromMonth =
    o.paymentsFrom !== undefined ? monthIndexOf(dayOf(`${o.paymentsFrom}-01`)) : undefined;
  const ringStart = dayOf(o.ring.start);

  mkdirSync(join(o.out, 'truth'), { recursive: true });
  const countyRng = createRng(seedFor(o.seed, 'county'));
  const county = buildCounty(
    {
      size: o.size,
      villageSize: o.villageSize,
      ringEnabled: o.ring.enabled,
      ringStations: o.ring.stations,
      ringTerminals: o.ring.terminals,
    },
    countyRng,
  );
  const coreParams: CoreParameters = {
    seed: o.seed,
    asOf,
    coupleShare: o.coupleShare,
    employeeShare: o.employeeShare,
  };

  // First pass: who could the ring take (dead after it began, in its townships, residents' scheme)?
  const ringEligible = (c: Core, v: Village) =>
    o.ring.enabled &&
    county.ringTownships.has(v.township) &&
    c.scheme === 'urban_rural_resident' &&
    c.death !== undefined &&
    c.death >= ringStart &&
    c.death <= asOf - 60;
  let eligibleLeft = 0;
  if (o.ring.enabled) {
    for (const v of county.villages) {
      if (!county.ringTownships.has(v.township)) continue;
      for (const c of villageCores(coreParams, v.start, v.size)) if (ringEligible(c, v)) eligibleLeft++;
    }
  }
  let ringToTake = o.ring.enabled ? Math.min(eligibleLeft, o.ring.cards ?? Math.ceil(o.size * 0.005)) : 0;

  const enc = o.encoding;
  const file = (name: string) => join(o.out, name);
  const out = {
    handlers: createCsvOutput(file('handlers.csv'), columnsOf('handlers'), enc),
    beneficiaries: createCsvOutput(file('beneficiaries.csv'), columnsOf('beneficiaries'), enc),
    accountChanges: createCsvOutput(file('account_changes.csv'), columnsOf('account-changes'), enc),
    statusChanges: createCsvOutput(file('status_changes.csv'), columnsOf('status-changes'), enc),
    payments: createCsvOutput(file('payments.csv'), columnsOf('payments'), enc),
    deaths: createCsvOutput(file('deaths.csv'), columnsOf('deaths'), enc),
    certifications: createCsvOutput(file('certifications.csv'), columnsOf('certifications'), enc),
  };
  const truth = {
    beneficiaries: createCsvOutput(file('truth/beneficiaries.csv'), TRUTH_COLUMNS.beneficiaries),
    handlers: createCsvOutput(file('truth/handlers.csv'), TRUTH_COLUMNS.handlers),
    badRows: createCsvOutput(file('truth/bad_rows.csv'), TRUTH_COLUMNS.badRows),
    qualityFlags: createCsvOutput(file('truth/quality_flags.csv'), TRUTH_COLUMNS.qualityFlags),
    deathRecords: createCsvOutput(file('truth/death_records.csv'), TRUTH_COLUMNS.deathRecords),
  };
  const counts: Record<string, number> = {};
  const count = (key: string, by = 1) => {
    counts[key] = (counts[key] ?? 0) + by;
  };

  const noiseRng = createRng(seedFor(o.seed, 'noise'));
  const fileName = (output: CsvOutput) => output.path.slice(o.out.length + 1).replace(/\\/g, '/');
  /** Writes a row, damaged with probability `noise` (unless protected), recording the damage in the truth. */
  const writeRow = (output: CsvOutput, columns: readonly string[], row: Row, protect = false): number => {
    const name = fileName(output);
    let damage: { column: string; defect: string } | undefined;
    if (!protect && o.noise > 0 && noiseRng.chance(o.noise)) damage = damageRow(name, row, noiseRng);
    const line = output.row(columns.map((c) => row[c]));
    if (damage) {
      truth.badRows.row([name, String(line), damage.column, damage.defect]);
      count('badRows');
    }
    return damage ? -line : line;
  };
  const lastRows = new Map<CsvOutput, Row>();
  const remember = (output: CsvOutput, row: Row) => lastRows.set(output, { ...row });

  // Handlers
  const handlerColumns = columnsOf('handlers');
  for (const h of county.handlers) {
    const row: Row = {
      handler_id: h.handlerId,
      name: h.name,
      role: h.role,
      unit: h.unit,
      region_code: h.regionCode,
    };
    remember(out.handlers, row);
    writeRow(out.handlers, handlerColumns, row, h.colluding);
    truth.handlers.row([h.handlerId, h.role, String(h.colluding)]);
  }
  count('handlers', county.handlers.length);
  count('colludingHandlers', county.handlers.filter((h) => h.colluding).length);

  const issueId = createIdIssuer();
  const issueCard = createCardIssuer(o.seed);
  const buckets = createEventBuckets(join(o.out, 'truth', '.events-tmp'), eventsStartMs);
  const ringDevices = Array.from(
    { length: o.sharedDevices },
    (_, i) => `IMEI86${String(seedFor(o.seed, 'ring-device', i) % 1e9).padStart(9, '0')}${i}`,
  );
  const ringCards: RingCard[] = [];
  let eventSeq = 0;
  let sessionSeq = 0;
  let paymentSeq = 0;
  let certSeq = 0;
  const recordSeq: Record<string, number> = {};
  const sectionApprovers = county.sectionHeadIds.filter((id) => id !== county.insiderId);
  const eventRng = createRng(seedFor(o.seed, 'delivery'));

  /** Queues a card event (with its duplicate or late delivery) and returns its timestamp. */
  const emitEvent = (
    ms: number,
    card: string,
    terminal: string,
    channel: 'atm' | 'counter' | 'pos',
    type: string,
    amountFen: number | undefined,
    result: 'approved' | 'declined' | undefined,
    session: string | undefined,
    fraud: boolean,
  ): void => {
    eventSeq++;
    const event: Record<string, string> = {
      event_id: `E${String(eventSeq).padStart(10, '0')}`,
      ts: formatShanghai(ms),
      card,
      terminal_id: terminal,
      terminal_region: terminal.slice(4, 10),
      channel,
      type,
    };
    if (amountFen !== undefined) event.amount = formatYuan(amountFen);
    if (result !== undefined) event.result = result;
    if (session !== undefined) event.session_id = session;
    const json = JSON.stringify(event);
    const late = o.outOfOrder > 0 && eventRng.chance(o.outOfOrder);
    const lateness = () => eventRng.int(1, Math.max(1, o.maxLatenessSeconds)) * 1000;
    buckets.add(late ? ms + lateness() : ms, json, fraud);
    if (late) count('lateEvents');
    if (o.duplicates > 0 && eventRng.chance(o.duplicates)) {
      buckets.add(ms + lateness(), json, fraud);
      count('duplicateEvents');
    }
  };

  /**
   * One ATM session (card in, maybe a PIN failure and a balance enquiry, a withdrawal, card out); returns when it
   * ended and when the money was taken.
   */
  const atmSession = (
    rng: Rng,
    ms: number,
    card: string,
    terminal: string,
    amountFen: number,
    fraud: boolean,
    pinFailureRate: number,
    inquiryRate: number,
  ): { end: number; withdrawal: number } => {
    const session = `S${String(++sessionSeq).padStart(9, '0')}`;
    let t = ms;
    emitEvent(t, card, terminal, 'atm', 'card_inserted', undefined, undefined, session, false);
    if (rng.chance(pinFailureRate)) {
      t += rng.int(8, 20) * 1000;
      emitEvent(t, card, terminal, 'atm', 'pin_failure', undefined, 'declined', session, false);
      count('pinFailures');
    }
    if (amountFen <= 0 || rng.chance(inquiryRate)) {
      t += rng.int(8, 20) * 1000;
      emitEvent(t, card, terminal, 'atm', 'balance_inquiry', undefined, 'approved', session, false);
      count('balanceInquiries');
    }
    let withdrawal = t;
    if (amountFen > 0) {
      t += rng.int(15, 35) * 1000;
      withdrawal = t;
      emitEvent(t, card, terminal, 'atm', 'withdrawal', amountFen, 'approved', session, fraud);
    }
    t += rng.int(8, 20) * 1000;
    emitEvent(t, card, terminal, 'atm', 'card_ejected', undefined, undefined, session, false);
    return { end: t, withdrawal };
  };

  const total = o.size;
  let done = 0;
  for (const village of county.villages) {
    const township = county.townships[village.township]!;
    const rng = createRng(seedFor(o.seed, 'village', village.index));
    const cores = villageCores(coreParams, village.start, village.size);

    // People
    const people: Person[] = [];
    for (const core of cores) {
      const spouse = core.index > village.start ? people[people.length - 1] : undefined;
      const partner = spouse && cores[core.index - village.start - 1]?.coupledWithNext ? spouse : undefined;
      const idRegion = rng.chance(0.92) ? COUNTY.code : rng.pick(OTHER_REGIONS.slice(0, 6)).code;
      const idNumber = issueId(idRegion, core.birth, core.sex);
      const address =
        partner?.address ??
        `${townshipAddress(township, village)}${rng.chance(0.05) ? ', ' : ''}${rng.int(1, 12)}组${rng.int(1, 60)}号`;
      const phone = partner ? partner.phone : rng.chance(0.75) ? drawPhone(rng) : undefined;
      const device = partner ? partner.device : phone ? `IMEI86${phone.slice(3)}${rng.int(0, 9)}` : undefined;
      const amountFen =
        core.scheme === 'urban_employee'
          ? Math.round(Math.min(4000, Math.max(1500, rng.logNormal(2400, 0.22))) * 100)
          : 10_300 + Math.min(19_700, Math.round(rng.logNormal(3500, 0.9)));
      const handlerId =
        core.scheme === 'urban_employee'
          ? rng.pick(county.countyClerkIds)
          : rng.chance(0.3)
            ? township.stationHeadId
            : rng.pick(township.stationClerkIds);
      const person: Person = {
        ...core,
        id: `B${String(core.index + 1).padStart(8, '0')}`,
        name: drawSurname(rng) + drawGivenName(rng, core.sex),
        idNumber,
        rollIdNumber: rng.chance(0.01) ? legacyIdOf(idNumber) : idNumber,
        village,
        township,
        address,
        phone,
        device,
        handlerId,
        amountFen,
        certMonth: yearMonthOf(core.enrolled).month,
        fraud: 'none',
        spouse: partner,
        collector: undefined,
        takeover: undefined,
        cards: [{ from: core.enrolled, card: issueCard() }],
        householdReport: undefined,
        deathRecords: 0,
        noRollNoise: false,
      };
      if (partner) partner.spouse = person;
      people.push(person);
    }
    const aliveAt = (p: Person, day: number) => p.death === undefined || p.death > day;

    // Fraud on the dead: the ring first (selection sampling gives exactly the cards asked for), then relatives,
    // then a card switched onto a living person's card.
    for (const p of people) {
      if (p.death === undefined) continue;
      if (ringEligible(p, village)) {
        if (rng.next() * eligibleLeft < ringToTake) {
          p.fraud = 'ring';
          ringToTake--;
        }
        eligibleLeft--;
        if (p.fraud === 'ring') continue;
      }
      if (p.death > asOf - 45) continue;
      if (rng.chance(o.relatives)) p.fraud = 'relative';
      else if (rng.chance(o.cardSwitch)) {
        const living = people.filter(
          (q) => q !== p && aliveAt(q, asOf) && q.fraud === 'none' && q.collector === undefined,
        );
        const collector =
          p.spouse && aliveAt(p.spouse, asOf) ? p.spouse : living.length > 0 ? rng.pick(living) : undefined;
        if (collector) {
          p.fraud = 'card_switch';
          p.collector = collector;
        }
      }
    }
    for (const p of people) if (p.fraud !== 'none') p.noRollNoise = true;

    // Card histories: third-generation card replacements and lost cards; the switch of a dying person's card.
    const accountColumns = columnsOf('account-changes');
    const collectors = new Set(people.flatMap((p) => (p.collector ? [p.collector] : [])));
    for (const p of people) {
      if (collectors.has(p)) continue;
      const lastDay = p.death ?? asOf;
      if (rng.chance(0.05)) {
        const from = Math.max(p.enrolled + 30, dayOf('2019-01-01'));
        if (from < lastDay) p.cards.push({ from: rng.int(from, lastDay), card: issueCard() });
      } else if (rng.chance(0.01)) {
        const from = Math.max(p.enrolled + 30, simStart);
        if (from < lastDay) p.cards.push({ from: rng.int(from, lastDay), card: issueCard() });
      }
    }
    for (const p of people) {
      if (p.fraud !== 'card_switch' || !p.collector || p.death === undefined) continue;
      const when = Math.min(asOf, Math.max(p.enrolled + 1, p.death + rng.int(-75, 40)));
      p.cards = p.cards.filter((c) => c.from < when);
      p.cards.push({ from: when, card: cardAt(p.collector, when) });
    }
    for (const p of people) {
      for (let i = 1; i < p.cards.length; i++) {
        const change = p.cards[i]!;
        const row: Row = {
          beneficiary_id: p.id,
          changed_at: dateOf(change.from),
          old_card: p.cards[i - 1]?.card,
          new_card: change.card,
          handler_id: rng.pick(township.stationClerkIds),
        };
        remember(out.accountChanges, row);
        writeRow(out.accountChanges, accountColumns, row, p.fraud !== 'none');
        count('accountChanges');
      }
    }

    // Death records of the village's dead.
    for (const p of people) {
      if (p.death === undefined) continue;
      if (rng.chance(o.unrecordedDeaths)) {
        count('unrecordedDeaths');
        continue;
      }
      for (const model of DEATH_SOURCE_MODELS) {
        if (model.source === 'household_register' && (p.fraud === 'relative' || p.fraud === 'card_switch'))
          continue;
        if (!rng.chance(model.coverage)) continue;
        const reported =
          p.death + Math.min(MAX_LAG_DAYS, Math.round(rng.logNormal(model.lagMedianDays, model.lagSigma)));
        if (reported > asOf) continue;
        const written = writeDeathRecord(model, p, p.death, reported, 'beneficiary', rng);
        if (written) p.deathRecords++;
        if (model.source === 'household_register') p.householdReport = reported;
      }
    }

    // Agency behaviour: certifications, suspensions, reactivations, terminations, payments.
    const credits = new Map<string, Credit[]>();
    const pendingTruth = new Map<Person, Timeline>();
    const villageRing: { person: Person; overpaid: number; after: number; status: string }[] = [];
    for (const p of people) {
      const result = simulateTimeline(p, rng);
      writeBeneficiary(p, result.status, result.lastAmountFen);
      if (p.fraud === 'ring')
        villageRing.push({
          person: p,
          overpaid: result.overpaidFen,
          after: result.paymentsAfterDeath,
          status: result.status,
        });
      else pendingTruth.set(p, result);
      for (const c of result.windowCredits) {
        const list = credits.get(c.card) ?? [];
        list.push({ day: c.day, fen: c.fen, afterDeathOf: c.afterDeathOf });
        credits.set(c.card, list);
      }
    }

    // Card events in the window.
    const firstFraud = new Map<Person, number>();
    generateVillageEvents(people, credits, firstFraud, rng);
    for (const [p, result] of pendingTruth) {
      const ff = firstFraud.get(p);
      writeTruth(p, result.overpaidFen, result.paymentsAfterDeath, result.status, ff, undefined);
    }
    pendingTruth.clear();
    for (const r of villageRing) {
      const card = cardAt(r.person, asOf);
      ringCards.push({
        person: r.person,
        card,
        credits: (credits.get(card) ?? [])
          .filter((c) => c.day > (r.person.death ?? 0))
          .sort((a, b) => a.day - b.day),
        startFen: rng.int(0, 99) * 100,
        overpaidFen: r.overpaid,
        paymentsAfterDeath: r.after,
        status: r.status,
      });
    }

    // Decoys: deaths of people not on this roll (all ages, the province feed), some namesakes of the living.
    const decoyCount = rng.poisson(o.decoys * village.size);
    const living = people.filter((p) => aliveAt(p, asOf));
    for (let i = 0; i < decoyCount; i++) writeDecoy(rng, living);
    for (const p of living) {
      if (!rng.chance(o.falseDeaths)) continue;
      const model = DEATH_SOURCE_MODELS[rng.pick([1, 3])]!;
      const deathDay = rng.int(Math.max(p.enrolled + 30, simStart), asOf - 10);
      writeDeathRecord(model, p, deathDay, Math.min(asOf, deathDay + rng.int(3, 60)), 'false', rng);
    }

    done += village.size;
    onProgress?.({ beneficiaries: done, total });
  }

  // The ring's sweeps, then the ring's truth rows.
  const ringFirst = sweepRingCards();
  for (const r of ringCards) {
    writeTruth(r.person, r.overpaidFen, r.paymentsAfterDeath, r.status, ringFirst.get(r.card), r.card);
  }
  count('ringCards', ringCards.length);

  // Card events, in delivery order, with noise.
  const eventsOut = createTextOutput(file('card_events.jsonl'));
  let eventLine = 0;
  buckets.drain((json, fraud) => {
    eventLine++;
    if (!fraud && o.noise > 0 && noiseRng.chance(o.noise)) {
      const event = JSON.parse(json) as Record<string, unknown>;
      const damage = damageEvent(event, noiseRng);
      if (damage === 'invalid_json') {
        eventsOut.write(`${json.slice(0, Math.floor(json.length / 2))}\n`);
        truth.badRows.row(['card_events.jsonl', String(eventLine), undefined, 'invalid_json']);
      } else {
        eventsOut.write(`${JSON.stringify(event)}\n`);
        truth.badRows.row(['card_events.jsonl', String(eventLine), damage.column, damage.defect]);
      }
      count('badRows');
      return;
    }
    eventsOut.write(`${json}\n`);
  });
  eventsOut.close();
  count('cardEvents', eventLine);

  // Each damaged CSV file ends with a malformed line (an unclosed quote), a copy of an earlier row.
  const files: Record<string, { rows: number; bytes: number }> = {};
  for (const output of Object.values(out)) {
    const last = lastRows.get(output);
    if (o.noise > 0 && last) {
      const columns = output === out.handlers ? handlerColumns : headerOf(output);
      const line = output.raw(unbalancedQuoteLine(columns.map((c) => last[c])));
      truth.badRows.row([fileName(output), String(line), undefined, 'unbalanced_quote']);
      count('badRows');
    }
    output.close();
    files[fileName(output)] = { rows: output.lines - 1, bytes: output.bytes };
  }
  files['card_events.jsonl'] = { rows: eventLine, bytes: eventsOut.bytes };
  for (const t of Object.values(truth)) t.close();

  const summary = {
    out: o.out,
    seed: o.seed,
    size: o.size,
    asOf: o.asOf,
    eventsFrom: dateOf(eventsFromDay),
    counts,
    files,
  };
  writeFileSync(
    file('truth/meta.json'),
    `${JSON.stringify({ generator: 'ghostwatch simulate', ...summary, options: o }, null, 2)}\n`,
  );
  onProgress?.({ beneficiaries: total, total });
  return summary;

  // ---- helpers (closures over the run's state) ----

  function headerOf(output: CsvOutput): string[] {
    if (output === out.beneficiaries) return columnsOf('beneficiaries');
    if (output === out.accountChanges) return columnsOf('account-changes');
    if (output === out.statusChanges) return columnsOf('status-changes');
    if (output === out.payments) return columnsOf('payments');
    if (output === out.deaths) return columnsOf('deaths');
    if (output === out.certifications) return columnsOf('certifications');
    return handlerColumns;
  }

  function cardAt(p: Person, day: number): string {
    let card = p.cards[0]!.card;
    for (const c of p.cards) if (c.from <= day) card = c.card;
    return card;
  }

  function writeBeneficiary(p: Person, status: string, amountFen: number): void {
    const row: Row = {
      beneficiary_id: p.id,
      name: p.name,
      id_number: p.rollIdNumber,
      sex: p.sex,
      birth_date: dateOf(p.birth),
      region_code: COUNTY.code,
      address: p.address,
      phone: p.phone,
      bank_card: cardAt(p, asOf),
      scheme: p.scheme,
      monthly_amount: formatYuan(amountFen),
      enrolled_at: dateOf(p.enrolled),
      handler_id: p.handlerId,
      status,
    };
    let flag: { column: string; defect: string } | undefined;
    if (o.noise > 0 && noiseRng.chance(o.noise)) flag = flagRollRow(row, noiseRng);
    remember(out.beneficiaries, row);
    const line = writeRow(
      out.beneficiaries,
      columnsOf('beneficiaries'),
      row,
      p.noRollNoise || flag !== undefined,
    );
    if (flag) {
      truth.qualityFlags.row(['beneficiaries.csv', String(line), flag.column, flag.defect]);
      count('qualityFlags');
    }
    count('beneficiaries');
  }

  function writeTruth(
    p: Person,
    overpaidFen: number,
    after: number,
    status: string,
    firstFraud: number | undefined,
    ringCard: string | undefined,
  ): void {
    const dead = p.death !== undefined;
    const since =
      p.fraud === 'ring'
        ? p.takeover
        : p.fraud === 'relative' || p.fraud === 'card_switch'
          ? p.death
          : undefined;
    const fraudCard =
      p.fraud === 'card_switch' && p.collector
        ? cardAt(p.collector, asOf)
        : p.fraud !== 'none'
          ? cardAt(p, asOf)
          : undefined;
    truth.beneficiaries.row([
      p.id,
      String(dead),
      dead ? dateOf(p.death as number) : undefined,
      p.fraud,
      since !== undefined ? dateOf(since) : undefined,
      firstFraud !== undefined ? formatShanghai(firstFraud) : undefined,
      ringCard,
      fraudCard,
      formatYuan(overpaidFen),
      String(after),
      String(p.deathRecords),
      cardAt(p, asOf),
      status,
    ]);
    if (dead) count('dead');
    if (dead && p.deathRecords > 0) count('deadWithRecord');
    if (p.fraud !== 'none') count(`fraud_${p.fraud}`);
    count('overpaidFen', overpaidFen);
  }

  /**
   * Writes one death record about `who` (a beneficiary, or a decoy), corrupted as its source corrupts records.
   * Returns false when noise damaged it (it will be quarantined), true otherwise.
   */
  function writeDeathRecord(
    model: DeathSourceModel,
    who: { name: string; idNumber: string; sex: Sex; birth: number; address: string; id?: string },
    deathDay: number,
    reported: number,
    kind: 'beneficiary' | 'decoy' | 'namesake' | 'false',
    rng: Rng,
    regionCode: string = COUNTY.code,
  ): boolean | undefined {
    const c = model.corruption;
    const corruption: string[] = [];
    let name = who.name;
    if (rng.chance(c.homophone)) {
      const variant = homophoneOf(rng, name);
      if (variant !== name) corruption.push('homophone');
      name = variant;
    }
    let idNumber: string | undefined = who.idNumber;
    if (rng.chance(c.missingId)) {
      idNumber = undefined;
      corruption.push('missing_id');
    } else if (rng.chance(c.wrongDigit)) {
      const at = rng.int(0, 16);
      const digit = String((Number(idNumber[at]) + rng.int(1, 9)) % 10);
      idNumber = idNumber.slice(0, at) + digit + idNumber.slice(at + 1);
      corruption.push('wrong_digit');
    } else if (rng.chance(c.transposed)) {
      const candidates = [...Array(16).keys()].filter((i) => who.idNumber[i] !== who.idNumber[i + 1]);
      if (candidates.length > 0) {
        const at = rng.pick(candidates);
        idNumber = idNumber.slice(0, at) + idNumber[at + 1] + idNumber[at] + idNumber.slice(at + 2);
        corruption.push('transposed');
      }
    }
    let birth: string | undefined = dateOf(who.birth);
    if (rng.chance(c.missingBirthDate)) {
      birth = undefined;
      corruption.push('missing_birth_date');
    } else if (rng.chance(c.wrongBirthDate)) {
      birth = dateOf(who.birth + rng.pick([-365, -31, -1, 1, 30, 365]));
      corruption.push('wrong_birth_date');
    }
    let region = regionCode;
    let address: string | undefined = who.address;
    if (rng.chance(c.otherCounty)) {
      const other = rng.pick(OTHER_REGIONS.slice(0, 10));
      region = other.code;
      address = rng.chance(0.5) ? `${other.name}人民医院` : undefined;
      corruption.push('other_county');
    }
    const seq = (recordSeq[model.source] ?? 0) + 1;
    recordSeq[model.source] = seq;
    const recordId = `${model.prefix}${yearMonthOf(reported).year}${String(seq).padStart(8, '0')}`;
    const row: Row = {
      record_id: recordId,
      source: model.source,
      name,
      id_number: idNumber,
      sex: rng.chance(0.85) ? who.sex : undefined,
      birth_date: birth,
      death_date: dateOf(deathDay),
      region_code: region,
      address: rng.chance(0.8) ? address : undefined,
      reported_at: dateOf(reported),
    };
    remember(out.deaths, row);
    const line = writeRow(out.deaths, columnsOf('deaths'), row);
    truth.deathRecords.row([
      model.source,
      recordId,
      String(Math.abs(line)),
      kind === 'beneficiary' || kind === 'false' ? who.id : undefined,
      kind,
      corruption.join(';') || undefined,
    ]);
    count(`deathRecords_${kind}`);
    return line > 0;
  }

  function writeDecoy(rng: Rng, living: readonly Person[]): void {
    const namesakeOf = living.length > 0 && rng.chance(o.namesakeShare) ? rng.pick(living) : undefined;
    let sex: Sex;
    let birth: number;
    let name: string;
    let region: string = COUNTY.code;
    let address: string;
    const deathDay = rng.int(simStart, asOf - 1);
    if (namesakeOf) {
      sex = namesakeOf.sex;
      name = namesakeOf.name;
      birth = namesakeOf.birth + rng.pick([-1, 1]) * rng.int(40, 15 * 365);
      birth = Math.min(birth, deathDay - 365 * 40);
      const t = rng.pick(county.townships);
      address = `${townshipAddress(t, rng.pick(county.villages))}${rng.int(1, 12)}组`;
    } else {
      sex = rng.chance(0.55) ? 'M' : 'F';
      name = drawSurname(rng) + drawGivenName(rng, sex);
      const age = rng.chance(0.25) ? rng.int(20, 59) : rng.int(60, 100);
      birth = deathDay - age * 365 - rng.int(0, 364);
      const r = rng.next();
      if (r < 0.55) {
        const t = rng.pick(county.townships);
        address = `${townshipAddress(t, rng.pick(county.villages))}${rng.int(1, 12)}组`;
      } else {
        const other = rng.pick(OTHER_REGIONS);
        region = other.code;
        address = other.name;
      }
    }
    const idNumber = issueId(region, birth, sex);
    count(namesakeOf ? 'namesakes' : 'decoys');
    let wrote = false;
    for (const model of DEATH_SOURCE_MODELS) {
      if (!rng.chance(model.coverage)) continue;
      const reported =
        deathDay + Math.min(MAX_LAG_DAYS, Math.round(rng.logNormal(model.lagMedianDays, model.lagSigma)));
      if (reported > asOf) continue;
      writeDeathRecord(
        model,
        { name, idNumber, sex, birth, address },
        deathDay,
        reported,
        namesakeOf ? 'namesake' : 'decoy',
        rng,
        region,
      );
      wrote = true;
    }
    if (!wrote && deathDay + 30 <= asOf) {
      const model = DEATH_SOURCE_MODELS[1]!;
      writeDeathRecord(
        model,
        { name, idNumber, sex, birth, address },
        deathDay,
        deathDay + 30,
        namesakeOf ? 'namesake' : 'decoy',
        rng,
        region,
      );
    }
  }

  function amountIn(p: Person, year: number): number {
    const asOfYear = yearMonthOf(asOf).year;
    if (p.scheme === 'urban_employee') return Math.round(p.amountFen / 1.05 ** Math.max(0, asOfYear - year));
    return year < 2018 ? p.amountFen - 1800 : p.amountFen;
  }

  /**
   * The agency's year with one beneficiary: annual certification (on time, late, missed; faked for the dead the
   * fraud keeps alive), suspension two months after a missed one, reactivation after a late one (with arrears),
   * termination some days after the household register reports the death; payments on the 10th of each month
   * while active.
   */
  function simulateTimeline(p: Person, rng: Rng): Timeline {
    type Intent = {
      day: number;
      to: 'active' | 'suspended' | 'terminated';
      reason: string;
      handler: string;
      approver: string | undefined;
    };
    const intents: Intent[] = [];
    const certs: { day: number; channel: string; handler: string | undefined; device: string | undefined }[] =
      [];
    const clerk = () => rng.pick(county.countyClerkIds);
    const approver = () => (rng.chance(0.85) ? rng.pick(sectionApprovers) : undefined);
    const honestChannel = (): {
      channel: string;
      handler: string | undefined;
      device: string | undefined;
    } => {
      const old = ageOn(p.birth, asOf) >= 85;
      const r = rng.next();
      if (r < (old ? 0.15 : 0.35) && p.device)
        return { channel: 'face_app', handler: undefined, device: p.device };
      if (r < (old ? 0.25 : 0.45))
        return { channel: 'face_app', handler: p.village.agentId, device: agentDevice(p) };
      if (r < (old ? 0.45 : 0.7)) return { channel: 'bigdata', handler: undefined, device: undefined };
      if (r < (old ? 0.6 : 0.82))
        return { channel: 'in_person', handler: rng.pick(p.township.stationClerkIds), device: undefined };
      if (r < (old ? 0.8 : 0.92)) return { channel: 'agent', handler: p.village.agentId, device: undefined };
      return {
        channel: 'home_visit',
        handler: rng.chance(0.5) ? p.township.stationHeadId : rng.pick(p.township.stationClerkIds),
        device: undefined,
      };
    };
    const fakeChannel = (): { channel: string; handler: string | undefined; device: string | undefined } => {
      if (p.fraud === 'ring') {
        if (ringDevices.length > 0 && rng.chance(0.35))
          return { channel: 'face_app', handler: undefined, device: rng.pick(ringDevices) };
        return {
          channel: rng.chance(0.6) ? 'home_visit' : 'in_person',
          handler: p.township.stationHeadId,
          device: undefined,
        };
      }
      if (p.fraud === 'card_switch' && p.collector) {
        return rng.chance(0.6)
          ? { channel: 'face_app', handler: undefined, device: p.collector.device ?? agentDevice(p) }
          : { channel: 'agent', handler: p.village.agentId, device: undefined };
      }
      return {
        channel: 'face_app',
        handler: undefined,
        device: p.device ?? `IMEI86${String(seedFor(o.seed, 'family', p.index) % 1e9).padStart(9, '0')}`,
      };
    };

    // The ring takes the card over some weeks after the death; some were suspended for a missed certification
    // first and are reactivated by the insider's colleague.
    let reactivateRing = false;
    if (p.fraud === 'ring' && p.death !== undefined) {
      p.takeover = Math.min(asOf - 20, p.death + rng.int(20, 120));
      if (rng.chance(o.ring.reactivationShare)) {
        // The family missed the next certification before the ring had the card: it was suspended.
        const deathYm = yearMonthOf(p.death);
        let due = dayOfMonthIndex(deathYm.year * 12 + p.certMonth - 1, 1);
        if (due <= p.death) due = dayOfMonthIndex((deathYm.year + 1) * 12 + p.certMonth - 1, 1);
        if (due + 61 + 90 <= asOf - 25) {
          reactivateRing = true;
          p.takeover = Math.max(p.takeover, due + 1);
        }
      }
    }

    const asOfYm = yearMonthOf(asOf);
    const firstYear = Math.max(2016, yearMonthOf(p.enrolled).year + 1);
    for (let year = firstYear; year <= asOfYm.year; year++) {
      const due = dayOfMonthIndex(year * 12 + p.certMonth - 1, 1);
      if (due > asOf) break;
      const suspendDay = due + 61;
      if (aliveAtDay(p, due + 27)) {
        const r = rng.next();
        if (r < 0.94) {
          certs.push({ day: Math.min(asOf, due + rng.int(0, 27)), ...honestChannel() });
        } else {
          const late = due + rng.int(70, r < 0.99 ? 200 : 330);
          intents.push({
            day: suspendDay,
            to: 'suspended',
            reason: 'missed certification',
            handler: clerk(),
            approver: undefined,
          });
          if (late <= asOf && aliveAtDay(p, late)) {
            certs.push({ day: late, ...honestChannel() });
            intents.push({
              day: late + rng.int(0, 10),
              to: 'active',
              reason: 'reactivated after late certification',
              handler: clerk(),
              approver: approver(),
            });
          }
        }
        continue;
      }
      const faked =
        p.fraud === 'relative' ||
        p.fraud === 'card_switch' ||
        (p.fraud === 'ring' && p.takeover !== undefined && (p.takeover <= due || !reactivateRing));
      if (faked) {
        certs.push({ day: Math.min(asOf, due + rng.int(0, 27)), ...fakeChannel() });
        continue;
      }
      intents.push({
        day: suspendDay,
        to: 'suspended',
        reason: 'missed certification',
        handler: clerk(),
        approver: undefined,
      });
      if (p.fraud === 'ring' && p.takeover !== undefined) {
        // Suspended before the ring had the card: a fake certification, then the colleague reactivates it.
        const revive = Math.max(p.takeover, suspendDay + rng.int(15, 90));
        if (revive <= asOf - 5) {
          certs.push({
            day: revive,
            channel: 'home_visit',
            handler: p.township.stationHeadId,
            device: undefined,
          });
          intents.push({
            day: revive + rng.int(0, 5),
            to: 'active',
            reason: 'reactivated, certification completed',
            handler: county.reactivatorId ?? clerk(),
            approver: rng.chance(0.6) ? county.insiderId : undefined,
          });
          p.takeover = revive;
        }
      }
    }
    if (p.householdReport !== undefined && p.fraud === 'none') {
      const day = p.householdReport + rng.int(3, 40);
      if (day <= asOf) {
        intents.push({
          day,
          to: 'terminated',
          reason: 'death reported, household register cancelled',
          handler: clerk(),
          approver: rng.pick(sectionApprovers),
        });
      }
    }

    // Any certification lifts a suspension for a missed one (the ring's reactivations are its colleague's work).
    if (p.fraud !== 'ring') {
      for (const c of certs) {
        intents.push({
          day: c.day + rng.int(0, 10),
          to: 'active',
          reason: 'reactivated after certification',
          handler: clerk(),
          approver: approver(),
        });
      }
    }

    // Apply the intents in date order as a state machine, writing the changes that happen.
    intents.sort((a, b) => a.day - b.day);
    const changes: { day: number; to: string }[] = [];
    let status: 'active' | 'suspended' | 'terminated' = 'active';
    const statusColumns = columnsOf('status-changes');
    for (const intent of intents) {
      if (intent.day > asOf) continue;
      const allowed =
        (intent.to === 'suspended' && status === 'active') ||
        (intent.to === 'active' && status === 'suspended') ||
        (intent.to === 'terminated' && status !== 'terminated');
      if (!allowed) continue;
      const row: Row = {
        beneficiary_id: p.id,
        changed_at: dateOf(intent.day),
        from_status: status,
        to_status: intent.to,
        reason: intent.reason,
        handler_id: intent.handler,
        approved_by: intent.approver,
      };
      remember(out.statusChanges, row);
      writeRow(out.statusChanges, statusColumns, row, p.fraud !== 'none');
      count('statusChanges');
      if (intent.to === 'active' && p.fraud === 'ring') count('ringReactivations');
      status = intent.to;
      changes.push({ day: intent.day, to: intent.to });
    }
    const certColumns = columnsOf('certifications');
    for (const c of certs.sort((a, b) => a.day - b.day)) {
      const row: Row = {
        certification_id: `C${String(++certSeq).padStart(9, '0')}`,
        beneficiary_id: p.id,
        certified_at: dateOf(c.day),
        channel: c.channel,
        handler_id: c.handler,
        device_id: c.device,
      };
      remember(out.certifications, row);
      writeRow(out.certifications, certColumns, row, p.fraud !== 'none');
      count('certifications');
    }

    // Payments.
    const payColumns = columnsOf('payments');
    // The first payment is for the month of enrolment when enrolled by payday, else for the next month.
    let month = monthIndexOf(p.enrolled) + (Number(dateOf(p.enrolled).slice(8)) > PAYDAY ? 1 : 0);
    const lastMonth = monthIndexOf(asOf) - (Number(dateOf(asOf).slice(8)) < PAYDAY ? 1 : 0);
    const deathMonth = p.death !== undefined ? monthIndexOf(p.death) : undefined;
    let changeAt = 0;
    let current = 'active';
    let owed: number[] = [];
    let overpaidFen = 0;
    let paymentsAfterDeath = 0;
    let lastAmountFen = amountIn(p, asOfYm.year);
    const windowCredits: Timeline['windowCredits'] = [];
    for (; month <= lastMonth; month++) {
      const payday = dayOfMonthIndex(month, PAYDAY);
      while (changeAt < changes.length && changes[changeAt]!.day <= payday) current = changes[changeAt++]!.to;
      if (current === 'suspended') {
        owed.push(month);
        continue;
      }
      if (current === 'terminated') break;
      const card = cardAt(p, payday);
      for (const period of [...owed, month]) {
        const amount = amountIn(p, Math.floor(period / 12));
        lastAmountFen = amount;
        const afterDeath = deathMonth !== undefined && period > deathMonth;
        if (afterDeath) {
          overpaidFen += amount;
          paymentsAfterDeath++;
        }
        if (paymentsFromMonth !== undefined && period < paymentsFromMonth) continue;
        const row: Row = {
          payment_id: `P${String(++paymentSeq).padStart(10, '0')}`,
          beneficiary_id: p.id,
          period: periodOfMonthIndex(period),
          paid_at: dateOf(payday),
          amount: formatYuan(amount),
          bank_card: card,
        };
        remember(out.payments, row);
        writeRow(out.payments, payColumns, row);
        count('payments');
        if (payday >= eventsFromDay)
          windowCredits.push({
            card,
            day: payday,
            fen: amount,
            afterDeathOf: afterDeath ? p.index : undefined,
          });
      }
      owed = [];
    }
    return { status, lastAmountFen, overpaidFen, paymentsAfterDeath, windowCredits };
  }

  function aliveAtDay(p: Person, day: number): boolean {
    return p.death === undefined || p.death > day;
  }

  function agentDevice(p: Person): string {
    return `IMEI86${String(seedFor(o.seed, 'agent-device', p.village.index) % 1e9).padStart(9, '0')}`;
  }

  /**
   * Honest and fraudulent use of the village's cards in the events window. Units visit together: a person alone,
   * a couple (one spouse takes both cards), or a village agent withdrawing for two or three housebound
   * neighbours; relatives keep using a dead person's card; a collector withdraws a switched pension with their own.
   */
  function generateVillageEvents(
    people: readonly Person[],
    credits: Map<string, Credit[]>,
    firstFraud: Map<Person, number>,
    rng: Rng,
  ): void {
    const balances = new Map<string, { fen: number; next: number; list: Credit[] }>();
    const balanceOf = (card: string, day: number) => {
      let b = balances.get(card);
      if (!b) {
        const list = (credits.get(card) ?? []).sort((x, y) => x.day - y.day);
        b = { fen: rng.int(0, 150) * 100, next: 0, list };
        balances.set(card, b);
      }
      while (b.next < b.list.length && b.list[b.next]!.day <= day) b.fen += b.list[b.next++]!.fen;
      return b;
    };
    const fraudCreditBefore = (card: string, day: number): Credit | undefined =>
      (credits.get(card) ?? []).find((c) => c.afterDeathOf !== undefined && c.day <= day);

    type Unit = {
      members: Person[];
      agent: boolean;
      channel: 'atm' | 'counter' | 'pos';
      atm: string;
      every: number;
      offset: number;
    };
    const units: Unit[] = [];
    const inUnit = new Set<Person>();
    const habit = (agent: boolean, p: Person): Pick<Unit, 'channel' | 'atm' | 'every' | 'offset'> => {
      const r = rng.next();
      const channel = agent ? (r < 0.6 ? 'pos' : 'atm') : r < 0.45 ? 'atm' : r < 0.8 ? 'counter' : 'pos';
      const atm = rng.chance(0.03) ? rng.pick(county.cityAtmIds) : rng.pick(p.township.atmIds);
      const every = p.scheme === 'urban_employee' ? 1 : rng.pick([1, 1, 2, 2, 3]);
      return { channel, atm, every, offset: rng.int(0, every - 1) };
    };
    // Agent groups: the oldest of the village, alive when the window opens.
    const oldest = people
      .filter(
        (p) =>
          aliveAtDay(p, eventsFromDay + 60) &&
          p.fraud === 'none' &&
          ageOn(p.birth, eventsFromDay) >= 82 &&
          !p.spouse,
      )
      .slice(0, 3 * rng.int(0, 2));
    for (let i = 0; i + 1 < oldest.length; i += 3) {
      const members = oldest.slice(i, i + 3);
      for (const m of members) inUnit.add(m);
      units.push({ members, agent: true, ...habit(true, members[0]!) });
      count('agentGroups');
    }
    for (const p of people) {
      if (inUnit.has(p)) continue;
      if (p.spouse && !inUnit.has(p.spouse) && rng.chance(0.6)) {
        inUnit.add(p);
        inUnit.add(p.spouse);
        units.push({ members: [p, p.spouse], agent: false, ...habit(false, p) });
        count('couplesTogether');
        continue;
      }
      inUnit.add(p);
      units.push({ members: [p], agent: false, ...habit(false, p) });
    }

    const firstMonth = monthIndexOf(eventsFromDay);
    const lastMonth = monthIndexOf(asOf);
    for (const unit of units) {
      for (let m = firstMonth; m <= lastMonth; m++) {
        if ((m + unit.offset) % unit.every !== 0) continue;
        const day = dayOfMonthIndex(m, PAYDAY) + rng.int(1, rng.chance(0.8) ? 12 : 20);
        if (day > asOf || day < eventsFromDay) continue;
        const night = rng.chance(0.01);
        let t = shanghaiMs(day, night ? rng.int(19, 21) : rng.int(8, 16), rng.int(0, 59), rng.int(0, 59));
        let used = 0;
        for (const p of unit.members) {
          const alive = aliveAtDay(p, day);
          const relativeUse = p.fraud === 'relative' && !alive;
          if (!alive && !relativeUse) continue;
          const card = cardAt(p, day);
          // After the switch the dying person's pension lands on the collector's card: the collector uses it.
          if (p.fraud === 'card_switch' && (!alive || (p.collector && card === cardAt(p.collector, day))))
            continue;
          const b = balanceOf(card, day);
          const fraudCredit = fraudCreditBefore(card, day);
          const fraud = relativeUse || fraudCredit !== undefined;
          const employee = p.scheme === 'urban_employee';
          const channel = unit.channel;
          let amount = 0;
          if (channel === 'atm')
            amount =
              Math.floor(Math.min(b.fen, employee ? rng.int(5, 30) * 10_000 : 250_000) / 10_000) * 10_000;
          else if (channel === 'pos') amount = Math.floor(Math.min(b.fen, 200_000) / 1000) * 1000;
          else
            amount = employee
              ? Math.floor(Math.min(b.fen, rng.int(10, 40) * 10_000) / 100) * 100
              : Math.floor(b.fen / 100) * 100;
          if (used > 0) t += rng.int(40, 150) * 1000;
          used++;
          let withdrawnAt = t;
          if (channel === 'atm') {
            const session = atmSession(rng, t, card, unit.atm, amount, fraud, 0.04, amount > 0 ? 0.15 : 1);
            withdrawnAt = session.withdrawal;
            t = session.end;
          } else if (amount > 0) {
            const terminal = channel === 'pos' ? p.village.posId : p.township.counterId;
            emitEvent(t, card, terminal, channel, 'withdrawal', amount, 'approved', undefined, fraud);
          } else continue;
          if (amount > 0) {
            b.fen -= amount;
            count(fraud ? 'fraudWithdrawals' : 'honestWithdrawals');
            if (fraud) {
              const victim = relativeUse
                ? p
                : people.find((q) => fraudCredit && q.index === fraudCredit.afterDeathOf);
              if (victim && !firstFraud.has(victim)) firstFraud.set(victim, withdrawnAt);
            }
          }
        }
        if (used > 1) count(unit.agent ? 'agentSessions' : 'coupleSessions');
      }
    }
  }

  /**
   * The ring's sweeps: every month after payday the insider takes a bag of cards to one of a few ATMs, mostly at
   * night, and empties them one after another, a minute or two apart. Returns each card's first withdrawal.
   */
  function sweepRingCards(): Map<string, number> {
    const rng = createRng(seedFor(o.seed, 'ring'));
    const first = new Map<string, number>();
    if (ringCards.length === 0 || county.ringTerminals.length === 0) return first;
    const state = ringCards.map((r) => ({
      r,
      fen: r.startFen,
      next: 0,
      every: rng.chance(0.6) ? 1 : 2,
      offset: rng.int(0, 1),
    }));
    const firstMonth = monthIndexOf(eventsFromDay);
    const lastMonth = monthIndexOf(asOf);
    for (let m = firstMonth; m <= lastMonth; m++) {
      const due = state.filter((s) => s.r.person.takeover !== undefined && (m + s.offset) % s.every === 0);
      rng.shuffle(due);
      let i = 0;
      while (i < due.length) {
        const batch = due.slice(i, i + rng.int(15, 60));
        i += batch.length;
        const day = dayOfMonthIndex(m, rng.int(11, 26));
        if (day > asOf) continue;
        const terminal = rng.pick(county.ringTerminals);
        const night = rng.chance(o.ring.nightShare);
        let t = night
          ? shanghaiMs(day, rng.pick([21, 22, 23, 24, 25]), rng.int(0, 59), rng.int(0, 59))
          : shanghaiMs(day, rng.int(11, 14), rng.int(0, 59), rng.int(0, 59));
        count('ringNights');
        for (const s of batch) {
          if ((s.r.person.takeover ?? Infinity) > day) continue;
          while (s.next < s.r.credits.length && s.r.credits[s.next]!.day <= day)
            s.fen += s.r.credits[s.next++]!.fen;
          const amount = Math.floor(Math.min(s.fen, 250_000) / 10_000) * 10_000;
          if (amount <= 0) continue;
          const session = atmSession(rng, t, s.r.card, terminal, amount, true, 0.08, 0.3);
          if (!first.has(s.r.card)) first.set(s.r.card, session.withdrawal);
          t = session.end;
          s.fen -= amount;
          count('ringWithdrawals');
          t += rng.int(20, 70) * 1000;
        }
      }
    }
    return first;
  }
}

function monthIndexToDay(index: number): number {
  return dayOfMonthIndex(index, 1);
}

import type { LoadId } from '../ingest/ports.js';
import type { RecordKind } from '../records/enums.js';
import type { RecordOf } from '../records/schemas.js';
import type { Store } from '../store/store.js';

/**
 * A lean county written straight into a store for the analytics benchmark (the simulator takes minutes and
 * ~10 GB for a million beneficiaries): the roll, two years of certifications, reactivations, card changes, death
 * records with exact ID numbers, the last three months of payments and six months of card use at terminals, with
 * a Hengnan-like ring (0.5 % of the roll, swept monthly at three ATMs at night). Deterministic; no CSV, no zod.
 */

const TOWNS = 22;
const VILLAGE = 120;
const DAY = 86_400_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const date = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

export async function writeAnalyticsCounty(
  store: Store,
  size: number,
  onProgress: (what: string) => void = () => {},
): Promise<Record<string, number>> {
  const random = rng(20210201);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const counts: Record<string, number> = {};
  const writers = new Map<RecordKind, { loadId: LoadId; buffer: unknown[]; rows: number }>();
  const begin = async (kind: RecordKind) => {
    const loadId = await store.beginLoad({
      fileKey: `bench:${kind}`,
      fileName: `${kind}.bench`,
      kind,
      startedAt: Date.now(),
    });
    writers.set(kind, { loadId, buffer: [], rows: 0 });
  };
  const flush = async (kind: RecordKind) => {
    const w = writers.get(kind)!;
    if (w.buffer.length === 0) return;
    w.rows += w.buffer.length;
    await store.writeBatch(w.loadId, {
      kind,
      records: w.buffer as RecordOf[RecordKind][],
      quarantined: [],
      flags: [],
      throughLine: w.rows + 1,
    });
    w.buffer = [];
  };
  // Rows are built here as the tables' toRow reads them; branded types (dates, cards) are plain strings.
  const put = async (kind: RecordKind, record: Readonly<Record<string, unknown>>) => {
    const w = writers.get(kind)!;
    w.buffer.push(record);
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (w.buffer.length >= 20_000) await flush(kind);
  };
  const kinds: RecordKind[] = [
    'handlers',
    'beneficiaries',
    'certifications',
    'status-changes',
    'account-changes',
    'deaths',
    'payments',
    'card-events',
  ];
  for (const kind of kinds) await begin(kind);

  // Handlers: station heads and clerks per town, county clerks, section heads, disbursement, one agent a village.
  const heads = Array.from({ length: TOWNS }, (_, t) => `HS${pad(t, 2)}`);
  const stationClerks = Array.from({ length: TOWNS }, (_, t) => [`HC${pad(t, 2)}a`, `HC${pad(t, 2)}b`]);
  const countyClerks = Array.from(
    { length: Math.max(4, Math.min(60, Math.round(size / 5000))) },
    (_, i) => `HK${pad(i, 2)}`,
  );
  const sections = ['HSEC1', 'HSEC2', 'HSEC3', 'HSEC4'];
  const villages = Math.ceil(size / VILLAGE);
  const handlerRows: [string, string][] = [
    ...heads.map((h): [string, string] => [h, 'station_head']),
    ...stationClerks.flat().map((h): [string, string] => [h, 'clerk']),
    ...countyClerks.map((h): [string, string] => [h, 'clerk']),
    ...sections.map((h): [string, string] => [h, 'section_head']),
    ['HD1', 'disbursement'],
    ['HD2', 'disbursement'],
    ...Array.from({ length: villages }, (_, v): [string, string] => [`HA${pad(v, 6)}`, 'agent']),
  ];
  for (const [handlerId, role] of handlerRows)
    await put('handlers', { handlerId, name: '王建国', role, unit: undefined, regionCode: '430422' });

  const start = Date.parse('2016-01-01T00:00:00+08:00');
  const asOf = Date.parse('2021-06-30T00:00:00+08:00');
  const eventsFrom = Date.parse('2021-01-01T00:00:00+08:00');
  const ringTowns = new Set([5, 6]);
  const ringAtms = ['ATM-430422-0001', 'ATM-430422-0011', 'ATM-430422-0013'];
  const ringDevices = ['IMEI-RING-1', 'IMEI-RING-2'];
  const ringWanted = Math.ceil(size * 0.005);
  const ringCards: string[] = [];
  let eventSeq = 0;
  const event = async (ts: number, card: string, terminalId: string, type: string, amountFen?: number) =>
    put('card-events', {
      eventId: `E${pad(++eventSeq, 10)}`,
      ts,
      card,
      terminalId,
      terminalRegion: '430422',
      channel: terminalId.startsWith('ATM') ? 'atm' : terminalId.startsWith('POS') ? 'pos' : 'counter',
      type,
      amountFen,
      result: 'approved',
      sessionId: undefined,
    });

  for (let i = 0; i < size; i++) {
    const id = `B${pad(i, 8)}`;
    const town = i % TOWNS;
    const village = Math.floor(i / VILLAGE);
    // Unique per person (18 characters, not a checked ID number: the bench does not validate).
    const idNumber = `4304${pad(i, 14)}`;
    const card = `62170${pad(i, 14)}`;
    const death = random() < 0.2 ? start + Math.floor(random() * (asOf - start - 60 * DAY)) : undefined;
    const ring =
      death !== undefined && ringTowns.has(town) && ringCards.length < ringWanted && random() < 0.5;
    if (ring) ringCards.push(card);
    const terminated = death !== undefined && !ring;
    await put('beneficiaries', {
      beneficiaryId: id,
      name: '王秀英',
      idNumber,
      sex: i % 2 ? 'M' : 'F',
      birthDate: `${1925 + (i % 36)}-01-01`,
      regionCode: '430422',
      address: `衡南县${town}镇${village}村${i % 40}组`,
      phone: random() < 0.75 ? `138${pad(i, 8)}` : undefined,
      bankCard: card,
      scheme: 'urban_rural_resident',
      monthlyAmountFen: 15_000,
      enrolledAt: '2012-01-01',
      handlerId: pick(stationClerks[town]!),
      status: terminated ? 'terminated' : 'active',
      flags: [],
    });
    if (death !== undefined) {
      const sources = ring ? ['household_register', 'cremation'] : ['household_register', 'civil_affairs'];
      for (const source of sources) {
        if (random() < 0.3) continue;
        await put('deaths', {
          source,
          recordId: `${source}-${i}`,
          name: '王秀英',
          idNumber,
          sex: undefined,
          birthDate: undefined,
          deathDate: date(death),
          regionCode: '430422',
          address: undefined,
          reportedAt: date(death + 30 * DAY),
          flags: [],
        });
      }
    }
    for (const year of [2019, 2020]) {
      const at = Date.parse(`${year}-0${1 + (i % 9)}-05T10:00:00+08:00`);
      const alive = death === undefined || death > at;
      if (!alive && !ring) continue;
      const r = random();
      const cert = alive
        ? r < 0.35
          ? { channel: 'face_app', handlerId: undefined, deviceId: `IMEI-${i}` }
          : r < 0.45
            ? { channel: 'face_app', handlerId: `HA${pad(village, 6)}`, deviceId: `IMEI-A${village}` }
            : r < 0.7
              ? { channel: 'bigdata', handlerId: undefined, deviceId: undefined }
              : r < 0.82
                ? { channel: 'in_person', handlerId: pick(stationClerks[town]!), deviceId: undefined }
                : r < 0.92
                  ? { channel: 'agent', handlerId: `HA${pad(village, 6)}`, deviceId: undefined }
                  : { channel: 'home_visit', handlerId: heads[town], deviceId: undefined }
        : r < 0.35
          ? { channel: 'face_app', handlerId: undefined, deviceId: pick(ringDevices) }
          : { channel: 'home_visit', handlerId: heads[town], deviceId: undefined };
      await put('certifications', {
        certificationId: `C${pad(i, 8)}${year}`,
        beneficiaryId: id,
        certifiedAt: date(at),
        ...cert,
      });
    }
    if (ring ? random() < 0.35 : death === undefined && random() < 0.06) {
      const at = ring
        ? death! + 120 * DAY
        : Date.parse('2020-09-01T00:00:00+08:00') + Math.floor(random() * 200) * DAY;
      await put('status-changes', {
        beneficiaryId: id,
        changedAt: date(at - 70 * DAY),
        fromStatus: 'active',
        toStatus: 'suspended',
        reason: 'missed certification',
        handlerId: pick(countyClerks),
        approvedBy: undefined,
      });
      await put('status-changes', {
        beneficiaryId: id,
        changedAt: date(at),
        fromStatus: 'suspended',
        toStatus: 'active',
        reason: 'reactivated',
        handlerId: ring ? 'HD1' : pick(countyClerks),
        approvedBy: ring
          ? random() < 0.6
            ? 'HSEC4'
            : undefined
          : random() < 0.85
            ? pick(sections.slice(0, 3))
            : undefined,
      });
    }
    if (death === undefined && random() < 0.05) {
      await put('account-changes', {
        beneficiaryId: id,
        changedAt: '2020-03-01',
        oldCard: `62179${pad(i, 14)}`,
        newCard: card,
        handlerId: pick(stationClerks[town]!),
      });
    }
    if (!terminated) {
      for (const period of ['2021-04', '2021-05', '2021-06']) {
        await put('payments', {
          paymentId: `P${pad(i, 8)}${period}`,
          beneficiaryId: id,
          period,
          paidAt: `${period}-10`,
          amountFen: 15_000,
          bankCard: card,
        });
      }
    }
    // Honest card use: every other month after payday, in the daytime, at the town's ATMs, counter or the village POS.
    if (death === undefined) {
      for (let month = i % 2; month < 6; month += 2) {
        const day = eventsFrom + (month * 30 + 10 + Math.floor(random() * 14)) * DAY;
        const ts = day + (8 + random() * 8) * 3_600_000;
        const r = random();
        const terminal =
          r < 0.45
            ? `ATM-430422-${pad(town * 8 + Math.floor(random() * 8), 4)}`
            : r < 0.8
              ? `CTR-430422-${pad(town, 3)}`
              : `POS-430422-${pad(village, 5)}`;
        if (terminal.startsWith('ATM')) await event(ts, card, terminal, 'card_inserted');
        await event(ts + 30_000, card, terminal, 'withdrawal', 20_000);
      }
    }
    if (i % 100_000 === 99_999) onProgress(`${i + 1} beneficiaries written`);
  }

  // The ring's sweeps: each month, batches of ~40 cards a minute apart at night at one of three ATMs.
  for (let month = 0; month < 6; month++) {
    const order = [...ringCards].sort(() => random() - 0.5);
    for (let b = 0; b < order.length; b += 40) {
      let ts = eventsFrom + (month * 30 + 12 + Math.floor(random() * 12)) * DAY + 22 * 3_600_000;
      const atm = pick(ringAtms);
      for (const card of order.slice(b, b + 40)) {
        await event(ts, card, atm, 'card_inserted');
        await event(ts + 25_000, card, atm, 'withdrawal', 30_000);
        ts += 60_000 + Math.floor(random() * 50_000);
      }
    }
  }
  for (const kind of kinds) {
    await flush(kind);
    const w = writers.get(kind)!;
    await store.finishLoad(w.loadId, {
      finishedAt: Date.now(),
      rows: w.rows,
      loaded: w.rows,
      quarantined: 0,
      flagged: 0,
    });
  }
  counts.ringCards = ringCards.length;
  return counts;
}

import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLuhnValid } from '../core/card-number.js';
import { classifyIdNumber } from '../core/id-number.js';
import { parseYuan } from '../core/money.js';
import { parseTimestamp } from '../core/time.js';
import { RECORD_KINDS } from '../records/enums.js';
import { KIND_SPECS } from '../records/schemas.js';
import { dayOf } from './calendar.js';
import { DEATH_SOURCE_MODELS } from './death-sources.js';
import { type SimulationSummary, simulateCounty } from './simulate-county.js';

/** A strict RFC 4180 reader: records with the line each starts on; an unclosed quote is an error record. */
function readCsv(text: string): {
  header: string[];
  records: { line: number; cells: string[] | 'malformed' }[];
} {
  const records: { line: number; cells: string[] | 'malformed' }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(cell);
    records.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell.length === 0) quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // part of CRLF
    } else if (c === '\n') {
      endRecord();
      line++;
      start = line;
    } else cell += c;
  }
  if (quoted) records.push({ line: start, cells: 'malformed' });
  else if (cell.length > 0 || cells.length > 0) endRecord();
  const [head, ...rest] = records;
  return { header: head && head.cells !== 'malformed' ? head.cells : [], records: rest };
}

function rowsOf(text: string) {
  const { header, records } = readCsv(text);
  return {
    header,
    rows: records.map(({ line, cells }) => {
      if (cells === 'malformed' || cells.length !== header.length) return { line, row: undefined };
      const row: Record<string, string> = {};
      header.forEach((name, i) => {
        const value = cells[i];
        if (value !== undefined && value !== '') row[name] = value;
      });
      return { line, row };
    }),
  };
}

const csvKinds = RECORD_KINDS.filter((k) => KIND_SPECS[k].format === 'csv');

let dir: string;
let summary: SimulationSummary;
const SIZE = 3000;
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const truthRows = (name: string) => rowsOf(read(`truth/${name}`)).rows.map((r) => r.row!);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ghostwatch-sim-'));
  summary = await simulateCounty({ out: dir, size: SIZE, seed: 11 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulateCounty: files and quarantine guarantee', () => {
  it('writes exactly the contract files, each CSV header equal to the contract columns', () => {
    const files = readdirSync(dir)
      .filter((f) => f !== 'truth')
      .sort();
    expect(files).toEqual(RECORD_KINDS.map((k) => KIND_SPECS[k].fileName).sort());
    for (const kind of csvKinds) {
      const { header } = readCsv(read(KIND_SPECS[kind].fileName));
      expect(header, kind).toEqual(KIND_SPECS[kind].columns.map((c) => c.name));
    }
    const contractFields = new Set(KIND_SPECS['card-events'].columns.map((c) => c.name));
    const first = JSON.parse(read('card_events.jsonl').split('\n')[0]!) as Record<string, unknown>;
    for (const key of Object.keys(first)) expect(contractFields.has(key)).toBe(true);
  });

  it('every row not listed in bad_rows.csv parses, and every listed row fails its schema', () => {
    const bad = new Set(truthRows('bad_rows.csv').map((r) => `${r.file}:${r.line}`));
    const perFile = new Map<string, number>();
    for (const kind of RECORD_KINDS) {
      const spec = KIND_SPECS[kind];
      const entries =
        spec.format === 'csv'
          ? rowsOf(read(spec.fileName)).rows
          : read(spec.fileName)
              .split('\n')
              .filter((l) => l.length > 0)
              .map((text, i) => {
                try {
                  return { line: i + 1, row: JSON.parse(text) as Record<string, unknown> };
                } catch {
                  return { line: i + 1, row: undefined };
                }
              });
      let failures = 0;
      for (const { line, row } of entries) {
        const parsed = row === undefined ? false : spec.schema.safeParse(row).success;
        const listed = bad.has(`${spec.fileName}:${line}`);
        if (parsed === listed) failures++;
        if (parsed === listed && failures < 3)
          expect({ file: spec.fileName, line, listed, row }).toBeUndefined();
        if (listed) perFile.set(spec.fileName, (perFile.get(spec.fileName) ?? 0) + 1);
      }
      expect(failures, spec.fileName).toBe(0);
    }
    // Noise in every file.
    for (const kind of RECORD_KINDS) expect(perFile.get(KIND_SPECS[kind].fileName), kind).toBeGreaterThan(0);
    expect(bad.size).toBe(summary.counts.badRows);
  });

  it('flagged roll rows load with the data-quality flag the truth names', () => {
    const flags = truthRows('quality_flags.csv');
    expect(flags.length).toBeGreaterThan(0);
    const rows = new Map(rowsOf(read('beneficiaries.csv')).rows.map((r) => [r.line, r.row] as const));
    for (const f of flags) {
      const parsed = KIND_SPECS.beneficiaries.schema.safeParse(rows.get(Number(f.line)));
      expect(parsed.success).toBe(true);
      if (parsed.success) expect(parsed.data.flags.map((x) => x.code)).toContain(f.defect);
    }
  });
});

describe('simulateCounty: people', () => {
  const roll = () =>
    rowsOf(read('beneficiaries.csv')).rows.flatMap((r) =>
      r.row ? [{ line: r.line, ...r.row } as Record<string, string | undefined> & { line: number }] : [],
    );

  it('draws surnames with the real skew and makes namesakes common', () => {
    const names = roll().map((r) => r.name ?? '');
    const share = (s: string) => names.filter((n) => n.startsWith(s)).length / names.length;
    expect(share('王')).toBeGreaterThan(0.05);
    expect(share('王')).toBeLessThan(0.095);
    const topThree = share('王') + share('李') + share('张');
    expect(topThree).toBeGreaterThan(0.17);
    expect(topThree).toBeLessThan(0.26);
    const byName = new Map<string, number>();
    for (const n of names) byName.set(n, (byName.get(n) ?? 0) + 1);
    const inNamesakeGroups = [...byName.values()].filter((c) => c > 1).reduce((a, b) => a + b, 0);
    expect(inNamesakeGroups / names.length).toBeGreaterThan(0.2);
  });

  it('gives valid ID numbers consistent with birth date and sex, Luhn-valid cards and realistic amounts', () => {
    const flagged = new Set(
      [
        ...truthRows('quality_flags.csv'),
        ...truthRows('bad_rows.csv').filter((r) => r.file === 'beneficiaries.csv'),
      ].map((r) => Number(r.line)),
    );
    const rows = roll().filter((r) => !flagged.has(r.line) && r.id_number !== undefined);
    let valid = 0;
    for (const r of rows) {
      const c = classifyIdNumber(r.id_number!);
      if (c.kind === 'valid' && c.info.birthDate === r.birth_date && c.info.sex === r.sex) valid++;
    }
    expect(valid / rows.length).toBeGreaterThan(0.995);
    expect(new Set(rows.map((r) => r.id_number)).size).toBe(rows.length);
    expect(rows.filter((r) => r.id_number!.length === 15).length).toBeGreaterThan(0);
    for (const r of rows) {
      if (r.bank_card) expect(isLuhnValid(r.bank_card)).toBe(true);
      if (r.phone) expect(r.phone).toMatch(/^1[3-9]\d{9}$/);
      const amount = parseYuan(r.monthly_amount ?? '');
      if (!amount.ok) continue;
      // The roll shows the amount of the last payment: current levels for those still paid.
      if (r.status !== 'active') continue;
      if (r.scheme === 'urban_rural_resident') expect(amount.value).toBeGreaterThanOrEqual(10_000);
      if (r.scheme === 'urban_rural_resident') expect(amount.value).toBeLessThanOrEqual(30_000);
      if (r.scheme === 'urban_employee') expect(amount.value).toBeGreaterThanOrEqual(150_000);
      if (r.scheme === 'urban_employee') expect(amount.value).toBeLessThanOrEqual(400_000);
      expect(dayOf(r.enrolled_at!) - dayOf(r.birth_date!)).toBeGreaterThan(59 * 365);
    }
    const schemes = new Set(rows.map((r) => r.scheme));
    expect(schemes).toEqual(new Set(['urban_rural_resident', 'urban_employee']));
  });

  it('has handlers of every role, and the ring insider, reactivator and station heads colluding', () => {
    const handlers = rowsOf(read('handlers.csv')).rows.flatMap((r) => (r.row ? [r.row] : []));
    const roles = new Set(handlers.map((h) => h.role));
    for (const role of ['section_head', 'clerk', 'disbursement', 'station_head', 'agent'])
      expect(roles).toContain(role);
    const colluding = truthRows('handlers.csv').filter((h) => h.colluding === 'true');
    expect(colluding.map((h) => h.role).sort()).toEqual([
      'disbursement',
      'section_head',
      'station_head',
      'station_head',
    ]);
  });
});

describe('simulateCounty: deaths', () => {
  it('follows the age-specific mortality', () => {
    const truth = new Map(truthRows('beneficiaries.csv').map((r) => [r.beneficiary_id, r] as const));
    const roll = rowsOf(read('beneficiaries.csv')).rows.flatMap((r) => (r.row?.birth_date ? [r.row] : []));
    const start = dayOf('2016-01-01');
    const end = dayOf('2021-06-30');
    const exposure = [0, 0];
    const deaths = [0, 0];
    for (const r of roll) {
      const t = truth.get(r.beneficiary_id!);
      if (!t || !r.enrolled_at) continue;
      const from = Math.max(start, dayOf(r.enrolled_at));
      const to = t.death_date ? dayOf(t.death_date) : end;
      const ageAt2018 = (dayOf('2018-07-01') - dayOf(r.birth_date!)) / 365.25;
      const band = ageAt2018 < 80 ? 0 : 1;
      exposure[band]! += Math.max(0, to - from) / 365.25;
      if (t.death_date) deaths[band]!++;
    }
    const younger = deaths[0]! / exposure[0]!;
    const older = deaths[1]! / exposure[1]!;
    // Under 80: a few percent a year; 80 and over: several times more.
    expect(younger).toBeGreaterThan(0.008);
    expect(younger).toBeLessThan(0.04);
    expect(older).toBeGreaterThan(0.06);
    expect(older).toBeLessThan(0.2);
    expect(older / younger).toBeGreaterThan(3);
  });

  it('reports deaths through several sources with their coverage and lags; decoys far outnumber', () => {
    const records = truthRows('death_records.csv');
    const deaths = new Map(
      rowsOf(read('deaths.csv')).rows.flatMap((r) => (r.row ? [[r.line, r.row] as const] : [])),
    );
    const truth = truthRows('beneficiaries.csv');
    const asOf = dayOf('2021-06-30');
    // Dead at least two years before the as-of date, and not hidden by relatives or a card switch.
    const settled = new Set(
      truth
        .filter(
          (t) =>
            t.death_date &&
            dayOf(t.death_date) < asOf - 730 &&
            (t.fraud_scheme === 'none' || t.fraud_scheme === 'ring'),
        )
        .map((t) => t.beneficiary_id),
    );
    expect(settled.size).toBeGreaterThan(150);
    for (const model of DEATH_SOURCE_MODELS) {
      const mine = records.filter(
        (r) => r.kind === 'beneficiary' && r.source === model.source && settled.has(r.beneficiary_id),
      );
      const coverage = new Set(mine.map((r) => r.beneficiary_id)).size / settled.size;
      expect(coverage, model.source).toBeGreaterThan(model.coverage * 0.98 - 0.08);
      expect(coverage, model.source).toBeLessThan(model.coverage + 0.06);
      const lags = mine.flatMap((r) => {
        const d = deaths.get(Number(r.line));
        return d?.reported_at && d.death_date ? [dayOf(d.reported_at) - dayOf(d.death_date)] : [];
      });
      lags.sort((a, b) => a - b);
      const median = lags[Math.floor(lags.length / 2)]!;
      expect(median, model.source).toBeGreaterThan(model.lagMedianDays * 0.7);
      expect(median, model.source).toBeLessThan(model.lagMedianDays * 1.4);
      expect(lags[0]).toBeGreaterThanOrEqual(0);
    }
    const kinds = (k: string) => records.filter((r) => r.kind === k).length;
    expect(kinds('decoy') + kinds('namesake')).toBeGreaterThan(2 * kinds('beneficiary'));
    expect(kinds('namesake')).toBeGreaterThan(0);
    expect(kinds('false')).toBeGreaterThanOrEqual(0);
    const corruptions = new Set(records.flatMap((r) => (r.corruption ?? '').split(';')));
    for (const c of [
      'missing_id',
      'wrong_digit',
      'transposed',
      'homophone',
      'wrong_birth_date',
      'missing_birth_date',
      'other_county',
    ]) {
      expect(corruptions).toContain(c);
    }
    // Some deaths are never recorded anywhere.
    expect(truth.filter((t) => t.dead === 'true' && t.death_records === '0').length).toBeGreaterThan(0);
  });

  it('namesake decoys share a living beneficiary name but not the person', () => {
    const records = truthRows('death_records.csv').filter((r) => r.kind === 'namesake');
    const deaths = new Map(
      rowsOf(read('deaths.csv')).rows.flatMap((r) => (r.row ? [[r.line, r.row] as const] : [])),
    );
    const roll = rowsOf(read('beneficiaries.csv')).rows.flatMap((r) => (r.row ? [r.row] : []));
    const names = new Map(roll.map((r) => [r.name, r] as const));
    let sameName = 0;
    for (const r of records) {
      const d = deaths.get(Number(r.line));
      if (!d) continue;
      const b = names.get(d.name);
      if (b) {
        sameName++;
        if (d.id_number && b.id_number?.length === 18) expect(d.id_number).not.toBe(b.id_number);
      }
    }
    expect(sameName / records.length).toBeGreaterThan(0.7);
  });

  it('overpayment in the truth is the payments for periods after the death month', () => {
    const truth = truthRows('beneficiaries.csv').filter((t) => t.dead === 'true');
    const deathMonth = new Map(truth.map((t) => [t.beneficiary_id, t.death_date!.slice(0, 7)] as const));
    const bad = new Set(
      truthRows('bad_rows.csv')
        .filter((r) => r.file === 'payments.csv')
        .map((r) => Number(r.line)),
    );
    const paid = new Map<string, number>();
    for (const { line, row } of rowsOf(read('payments.csv')).rows) {
      if (!row || bad.has(line)) continue;
      const month = deathMonth.get(row.beneficiary_id!);
      if (month === undefined || row.period! <= month) continue;
      const fen = parseYuan(row.amount!);
      if (fen.ok) paid.set(row.beneficiary_id!, (paid.get(row.beneficiary_id!) ?? 0) + fen.value);
    }
    let exact = 0;
    for (const t of truth) {
      const want = parseYuan(t.overpaid_amount!);
      if (want.ok && want.value === (paid.get(t.beneficiary_id!) ?? 0)) exact++;
    }
    expect(exact / truth.length).toBeGreaterThan(0.97);
    const fraud = truth.filter((t) => t.fraud_scheme !== 'none');
    expect(fraud.every((t) => Number(t.payments_after_death) > 0)).toBe(true);
  });
});

interface Event {
  event_id: string;
  ts: string;
  card: string;
  terminal_id?: string;
  type: string;
  channel: string;
  amount?: string;
  session_id?: string;
  ms: number;
}

describe('simulateCounty: card events', () => {
  const events = (): Event[] =>
    read('card_events.jsonl')
      .split('\n')
      .flatMap((l) => {
        try {
          const e = JSON.parse(l) as Event;
          const ms = parseTimestamp(e.ts);
          return ms.ok ? [{ ...e, ms: ms.value }] : [];
        } catch {
          return [];
        }
      });

  it('holds the ring: the cards asked for, swept in multi-card sessions at a few terminals, mostly at night', () => {
    const truth = truthRows('beneficiaries.csv');
    const ringCards = new Set(truth.flatMap((t) => (t.ring_card ? [t.ring_card] : [])));
    expect(ringCards.size).toBe(Math.ceil(SIZE * 0.005));
    expect(truth.filter((t) => t.fraud_scheme === 'ring').every((t) => t.dead === 'true')).toBe(true);
    const since = new Map(
      truth.flatMap((t) =>
        t.ring_card && t.fraud_since ? [[t.ring_card, dayOf(t.fraud_since)] as const] : [],
      ),
    );
    const withdrawals = events().filter(
      (e) => e.type === 'withdrawal' && e.terminal_id && e.ms >= (since.get(e.card) ?? Infinity) * 86_400_000,
    );
    const terminals = new Set(withdrawals.map((e) => e.terminal_id));
    expect(terminals.size).toBeLessThanOrEqual(3);
    // Bursts: consecutive ring withdrawals at one terminal less than 5 minutes apart.
    const byTerminal = new Map<string, Event[]>();
    for (const e of withdrawals)
      byTerminal.set(e.terminal_id!, [...(byTerminal.get(e.terminal_id!) ?? []), e]);
    let largest = 0;
    for (const list of byTerminal.values()) {
      list.sort((a, b) => a.ms - b.ms);
      let burst = new Set<string>([list[0]!.card]);
      for (let i = 1; i < list.length; i++) {
        if (list[i]!.ms - list[i - 1]!.ms < 5 * 60_000) burst.add(list[i]!.card);
        else burst = new Set([list[i]!.card]);
        largest = Math.max(largest, burst.size);
      }
    }
    expect(largest).toBeGreaterThanOrEqual(10);
    const night = withdrawals.filter((e) => {
      const hour = Number(e.ts.slice(11, 13));
      return hour >= 21 || hour < 3;
    });
    expect(night.length / withdrawals.length).toBeGreaterThan(0.5);
    // Each ring card's first fraudulent withdrawal is in the stream.
    const firsts = truth.filter((t) => t.ring_card && t.first_fraudulent_withdrawal);
    expect(firsts.length).toBeGreaterThan(ringCards.size * 0.8);
    const reactivations = rowsOf(read('status_changes.csv')).rows.filter(
      (r) => r.row?.to_status === 'active' && r.row.reason?.includes('certification completed'),
    );
    expect(reactivations.length).toBeGreaterThan(0);
  });

  it('has honest look-alikes: couples and agents using 2-3 cards back to back, PIN failures, enquiries', () => {
    const truth = truthRows('beneficiaries.csv');
    const honest = new Set(
      truth.filter((t) => t.fraud_scheme === 'none' && t.dead === 'false').map((t) => t.card),
    );
    const withdrawals = events()
      .filter((e) => e.type === 'withdrawal' && honest.has(e.card) && e.terminal_id)
      .sort((a, b) => a.ms - b.ms);
    const byTerminal = new Map<string, Event[]>();
    for (const e of withdrawals)
      byTerminal.set(e.terminal_id!, [...(byTerminal.get(e.terminal_id!) ?? []), e]);
    const sizes = new Map<number, number>();
    for (const list of byTerminal.values()) {
      let run = 1;
      for (let i = 1; i <= list.length; i++) {
        const next = list[i];
        const prev = list[i - 1]!;
        if (next && next.ms - prev.ms < 4 * 60_000 && next.card !== prev.card) run++;
        else {
          sizes.set(run, (sizes.get(run) ?? 0) + 1);
          run = 1;
        }
      }
    }
    expect(sizes.get(2) ?? 0).toBeGreaterThan(50);
    expect(sizes.get(3) ?? 0).toBeGreaterThan(0);
    const types = new Set(events().map((e) => e.type));
    for (const t of ['pin_failure', 'balance_inquiry', 'card_inserted', 'card_ejected', 'withdrawal'])
      expect(types).toContain(t);
  });

  it('delivers some events twice and some out of order, never later than five minutes', () => {
    const list = events();
    const ids = new Map<string, number>();
    for (const e of list) ids.set(e.event_id, (ids.get(e.event_id) ?? 0) + 1);
    expect([...ids.values()].filter((n) => n > 1).length).toBeGreaterThan(0);
    let maxSeen = 0;
    let late = 0;
    let worst = 0;
    for (const e of list) {
      if (e.ms < maxSeen) {
        late++;
        worst = Math.max(worst, maxSeen - e.ms);
      }
      maxSeen = Math.max(maxSeen, e.ms);
    }
    expect(late).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(300_000);
  });
});

describe('simulateCounty: determinism and encodings', () => {
  const hashDir = (d: string) => {
    const h = createHash('sha256');
    for (const f of [
      ...readdirSync(d)
        .filter((x) => x !== 'truth')
        .sort(),
      ...readdirSync(join(d, 'truth'))
        .sort()
        .map((x) => `truth/${x}`),
    ]) {
      const content = readFileSync(join(d, f), f.endsWith('meta.json') ? 'utf8' : undefined);
      h.update(f);
      h.update(
        f.endsWith('meta.json') ? String(content).replace(/"(out|elapsedMs)": [^,\n]*/g, '') : content,
      );
    }
    return h.digest('hex');
  };

  it('writes the same county for the same seed and another for another seed', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ghostwatch-det-'));
    try {
      await simulateCounty({ out: join(base, 'a'), size: 400, seed: 5 });
      await simulateCounty({ out: join(base, 'b'), size: 400, seed: 5 });
      await simulateCounty({ out: join(base, 'c'), size: 400, seed: 6 });
      expect(hashDir(join(base, 'a'))).toBe(hashDir(join(base, 'b')));
      expect(hashDir(join(base, 'a'))).not.toBe(hashDir(join(base, 'c')));
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('writes GBK CSV files that decode to the UTF-8 county, and reports progress', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ghostwatch-gbk-'));
    try {
      const progress: number[] = [];
      await simulateCounty({ out: join(base, 'u'), size: 300, seed: 9 });
      await simulateCounty({
        out: join(base, 'g'),
        size: 300,
        seed: 9,
        encoding: 'gbk',
        onProgress: (p) => progress.push(p.beneficiaries),
      });
      for (const f of ['beneficiaries.csv', 'deaths.csv', 'handlers.csv']) {
        const gbk = readFileSync(join(base, 'g', f));
        expect(gbk.equals(readFileSync(join(base, 'u', f)))).toBe(false);
        expect(iconv.decode(gbk, 'gbk')).toBe(readFileSync(join(base, 'u', f), 'utf8'));
      }
      expect(progress.at(-1)).toBe(300);
      expect(progress.length).toBeGreaterThan(1);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

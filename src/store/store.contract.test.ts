import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Anomaly, HandlerRisk, RingFinding, TerminalUse } from '../analytics/ports.js';
import type { CardNumber } from '../core/card-number.js';
import type { CalendarDate, Period } from '../core/time.js';
import type { FlaggedRow, IngestBatch, LoadId, QuarantinedRow } from '../ingest/ports.js';
import type { DeathMatch, Finding } from '../matching/ports.js';
import type { Alert } from '../monitor/alert.js';
import type { MonitorCheckpoint } from '../monitor/checkpoint.js';
import type { DeathSource, RecordKind } from '../records/enums.js';
import { RECORD_KINDS } from '../records/enums.js';
import {
  type CardEvent,
  type Certification,
  KIND_SPECS,
  type Payment,
  type RecordOf,
} from '../records/schemas.js';
import { adminClient, postgresSkip, TEST_POSTGRES_URL } from '../testing/postgres.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { openStore } from './open-store.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/**
 * The storage contract: every test body runs against every adapter (SQLite on a temporary file always;
 * PostgreSQL in a fresh schema, skipped with a printed reason only when the server is unreachable and CI is unset).
 */

const PG_URL = TEST_POSTGRES_URL;
const { skip: skipPostgres, problem: postgresProblem } = await postgresSkip('store contract');

interface OpenOptions {
  readonly migrations?: readonly Migration[];
}

/** One fresh, empty store location; `open` may be called again to re-open it. */
interface Fixture {
  open(options?: OpenOptions): Promise<Store>;
  cleanup(): Promise<void>;
}

interface Adapter {
  readonly name: 'sqlite' | 'postgres';
  readonly skip: boolean;
  fresh(): Fixture;
}

function trackStores(open: (options: OpenOptions) => Promise<Store>) {
  const opened: Store[] = [];
  return {
    open: async (options: OpenOptions = {}) => {
      const store = await open(options);
      opened.push(store);
      return store;
    },
    closeAll: async () => {
      for (const store of opened) await store.close();
    },
  };
}

const sqliteAdapter: Adapter = {
  name: 'sqlite',
  skip: false,
  fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'ghostwatch-store-'));
    const path = join(dir, 'ghostwatch.db');
    const stores = trackStores((options) => openSqliteStore(path, options));
    return {
      open: stores.open,
      cleanup: async () => {
        await stores.closeAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgresAdapter: Adapter = {
  name: 'postgres',
  skip: skipPostgres,
  fresh() {
    const schema = `ghostwatch_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const stores = trackStores((options) => openPostgresStore(PG_URL, { schema, ...options }));
    return {
      open: stores.open,
      cleanup: async () => {
        await stores.closeAll();
        const client = adminClient();
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  },
};

/** Records as the ingest makes them: each parsed from a contract row by the kind's own schema. */
const SAMPLE_ROWS: { readonly [K in RecordKind]: Record<string, string> } = {
  handlers: {
    handler_id: 'H1',
    name: '李建国',
    role: 'station_head',
    unit: '某镇劳动保障站',
    region_code: '430422',
  },
  beneficiaries: {
    beneficiary_id: 'B1',
    name: '王秀英',
    id_number: '11010519491231002X',
    sex: 'F',
    birth_date: '1949-12-31',
    region_code: '430422',
    address: '衡南县某村 3 组',
    phone: '13800000000',
    bank_card: '6217001234567890123',
    scheme: 'urban_rural_resident',
    monthly_amount: '123.45',
    enrolled_at: '2010-01-01',
    handler_id: 'H1',
    status: 'active',
  },
  'account-changes': {
    beneficiary_id: 'B1',
    changed_at: '2019-03-01',
    old_card: '6217001234567890123',
    new_card: '6217009876543210987',
    handler_id: 'H1',
  },
  'status-changes': {
    beneficiary_id: 'B1',
    changed_at: '2019-04-01',
    from_status: 'suspended',
    to_status: 'active',
    reason: 'reactivated on appeal',
    handler_id: 'H2',
    approved_by: 'H3',
  },
  payments: {
    payment_id: 'P1',
    beneficiary_id: 'B1',
    period: '2021-01',
    paid_at: '2021-01-05',
    amount: '123.45',
    bank_card: '6217001234567890123',
  },
  deaths: {
    record_id: 'D1',
    source: 'cremation',
    name: '王秀英',
    id_number: '11010519491231002X',
    sex: 'F',
    birth_date: '1949-12-31',
    death_date: '2016-02-03',
    region_code: '430422',
    address: '衡南县某村 3 组',
    reported_at: '2016-02-10',
  },
  certifications: {
    certification_id: 'C1',
    beneficiary_id: 'B1',
    certified_at: '2018-06-01',
    channel: 'face_app',
    handler_id: 'H1',
    device_id: 'PHONE-77',
  },
  'card-events': {
    event_id: 'E1',
    ts: '2021-02-01T23:41:07+08:00',
    card: '6217001234567890123',
    terminal_id: 'ATM-430422-0007',
    terminal_region: '430422',
    channel: 'atm',
    type: 'withdrawal',
    amount: '2000.00',
    result: 'approved',
    session_id: 'S9',
  },
};

/** The columns each kind can leave empty: a minimal record has only the required ones. */
function minimalRow(kind: RecordKind): Record<string, string> {
  const required = new Set(KIND_SPECS[kind].columns.filter((c) => c.required).map((c) => c.name));
  const row = SAMPLE_ROWS[kind];
  // Card events need a terminal for ATM and an amount for a withdrawal: make it an online balance inquiry.
  const base = kind === 'card-events' ? { ...row, channel: 'online', type: 'balance_inquiry' } : row;
  return Object.fromEntries(Object.entries(base).filter(([name]) => required.has(name)));
}

function parse<K extends RecordKind>(kind: K, row: Record<string, string>): RecordOf[K] {
  return KIND_SPECS[kind].schema.parse(row);
}

const sample = <K extends RecordKind>(kind: K, overrides: Record<string, string> = {}): RecordOf[K] =>
  parse(kind, { ...SAMPLE_ROWS[kind], ...overrides });

/** What a stored record reads back as: flags live in the data-quality table, not on the record. */
function asStored(record: object): object {
  return 'flags' in record ? { ...record, flags: [] } : record;
}

function batch<K extends RecordKind>(
  kind: K,
  records: readonly RecordOf[K][],
  extra: {
    quarantined?: readonly QuarantinedRow[];
    flags?: readonly FlaggedRow[];
    throughLine?: number;
  } = {},
): IngestBatch<K> {
  return {
    kind,
    records,
    quarantined: extra.quarantined ?? [],
    flags: extra.flags ?? [],
    throughLine: extra.throughLine ?? records.length + 1,
  };
}

let clock = 1_700_000_000_000;
const tick = () => ++clock;

async function load<K extends RecordKind>(
  store: Store,
  kind: K,
  records: readonly RecordOf[K][],
  file = KIND_SPECS[kind].fileName,
): Promise<LoadId> {
  const loadId = await store.beginLoad({ fileKey: `/data/${file}`, fileName: file, kind, startedAt: tick() });
  await store.writeBatch(loadId, batch(kind, records));
  await store.finishLoad(loadId, {
    finishedAt: tick(),
    rows: records.length,
    loaded: records.length,
    quarantined: 0,
    flagged: 0,
  });
  return loadId;
}

const payment = (id: string, amountFen: number): Payment => ({
  paymentId: id,
  beneficiaryId: 'B1',
  period: '2021-01' as Period,
  paidAt: '2021-01-05' as CalendarDate,
  amountFen,
  bankCard: '6217001234567890123' as CardNumber,
});

const cardEvent = (id: string, amountFen: number): CardEvent => ({
  eventId: id,
  ts: 1_612_194_067_000,
  card: '6217001234567890123' as CardNumber,
  terminalId: 'ATM-430422-0007',
  terminalRegion: '430422',
  channel: 'atm',
  type: 'withdrawal',
  amountFen,
  result: 'approved',
  sessionId: undefined,
});

describe('openStore', () => {
  it('explains in one line a SQLite path that cannot be opened', async () => {
    const error = await openStore('/nonexistent-ghostwatch-dir/sub/ghostwatch.db').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^cannot open SQLite database at \/nonexistent-ghostwatch-dir\/sub\/ghostwatch\.db \(.+\): check that its directory exists and is writable, or pass another --db$/,
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it('explains in one line a PostgreSQL server that does not answer', async () => {
    const error = await openStore('postgres://127.0.0.1:1/test').catch((e: Error) => e);
    expect((error as Error).message).toBe(
      'cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED): start it or pass another --db',
    );
  });
});

describe.each([sqliteAdapter, postgresAdapter])('store contract: $name', (adapter) => {
  const test = it.skipIf(adapter.skip);
  const fixtures: Fixture[] = [];
  const fresh = (): Fixture => {
    const fixture = adapter.fresh();
    fixtures.push(fixture);
    return fixture;
  };
  const freshStore = () => fresh().open();
  afterEach(async () => {
    for (const fixture of fixtures.splice(0)) await fixture.cleanup();
  });

  test('applies migrations once, records the version, and re-opens as a no-op', async () => {
    const fixture = fresh();
    const latest = MIGRATIONS.at(-1)!.version;
    const store = await fixture.open();
    expect(store.dialect).toBe(adapter.name);
    expect((await store.status()).store).toMatchObject({ dialect: adapter.name, schemaVersion: latest });
    await load(store, 'payments', [payment('P1', 100)]);
    await store.close();

    // A migration that fails if it ever runs twice (its table would already exist).
    const probe: Migration = {
      version: latest + 1,
      name: 'test probe',
      sql: {
        sqlite: 'CREATE TABLE migration_probe (x INTEGER)',
        postgres: 'CREATE TABLE migration_probe (x INTEGER)',
      },
    };
    const withProbe = [...MIGRATIONS, probe];
    const upgraded = await fixture.open({ migrations: withProbe });
    expect((await upgraded.status()).store.schemaVersion).toBe(latest + 1);
    await upgraded.close();
    const reopened = await fixture.open({ migrations: withProbe });
    const status = await reopened.status();
    expect(status.store.schemaVersion).toBe(latest + 1);
    expect(status.rows.payments).toBe(1);
  });

  test('a failing migration leaves the schema as it was, and says so in one line', async () => {
    const fixture = fresh();
    const latest = MIGRATIONS.at(-1)!.version;
    const broken: Migration = {
      version: latest + 1,
      name: 'broken',
      sql: {
        sqlite: 'CREATE TABLE half_done (x INTEGER); CREATE TABLE payments (x INTEGER)',
        postgres: 'CREATE TABLE half_done (x INTEGER); CREATE TABLE payments (x INTEGER)',
      },
    };
    await (await fixture.open()).close();
    const error = await fixture.open({ migrations: [...MIGRATIONS, broken] }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^cannot bring the (SQLite|PostgreSQL) database at .+ up to date/,
    );
    expect((error as Error).message).not.toContain('\n');
    const fixed: Migration = {
      ...broken,
      sql: { sqlite: 'CREATE TABLE half_done (x INTEGER)', postgres: 'CREATE TABLE half_done (x INTEGER)' },
    };
    // half_done was rolled back with the rest: creating it again succeeds.
    const store = await fixture.open({ migrations: [...MIGRATIONS, fixed] });
    expect((await store.status()).store.schemaVersion).toBe(latest + 1);
  });

  test.each(RECORD_KINDS)('round-trips %s, full and minimal, and counts it', async (kind) => {
    const store = await freshStore();
    const full = sample(kind);
    const minimal = parse(kind, minimalRow(kind));
    await load(store, kind, [full]);
    expect(await store.countRows(kind)).toBe(1);
    expect(await store.findRecord(kind, full as never)).toEqual(asStored(full));
    await load(store, kind, [minimal]);
    const status = await store.status();
    for (const other of RECORD_KINDS) expect(status.rows[other]).toBe(other === kind ? 1 : 0);
    // The minimal record has the same key: it replaced the full one (card events: the first one stays).
    const expected = kind === 'card-events' ? full : minimal;
    expect(await store.findRecord(kind, minimal as never)).toEqual(asStored(expected));
  });

  test('keeps text with tabs, newlines, backslashes and a literal \\N intact', async () => {
    const store = await freshStore();
    const address = 'line 1\nline 2\ttab \\ back\\slash \\N \r end';
    const record = sample('beneficiaries', { beneficiary_id: 'B\\tricky', address });
    await load(store, 'beneficiaries', [record]);
    const stored = await store.findRecord('beneficiaries', { beneficiaryId: 'B\\tricky' });
    expect(stored?.address).toBe(address);
    expect(stored?.monthlyAmountFen).toBe(12345);
  });

  test('writing the same batch again changes no counts', async () => {
    const store = await freshStore();
    const records = Array.from({ length: 300 }, (_, i) => payment(`P${i}`, 100 + i));
    await load(store, 'payments', records);
    await load(store, 'card-events', [cardEvent('E1', 2000), cardEvent('E2', 3000)]);
    const before = await store.status();
    await load(store, 'payments', records);
    await load(store, 'card-events', [cardEvent('E1', 2000), cardEvent('E2', 3000)]);
    const after = await store.status();
    expect(after.rows).toEqual(before.rows);
    expect(after.rows.payments).toBe(300);
    expect(after.loads).toHaveLength(4);
  });

  test('status counts the rows again after every batch written, and only then', async () => {
    const fixture = fresh();
    const store = await fixture.open();
    await load(store, 'payments', [payment('P1', 100)]);
    expect((await store.status()).rows.payments).toBe(1);
    // A second store on the same database writes: the first one's status sees it.
    const other = await fixture.open();
    await load(other, 'payments', [payment('P2', 200), payment('P3', 300)]);
    expect((await store.status()).rows.payments).toBe(3);
    await load(store, 'card-events', [cardEvent('E1', 2000)]);
    const status = await store.status();
    expect(status.rows).toMatchObject({ payments: 3, 'card-events': 1 });
    // A batch of quarantined rows only changes no count but is seen as a write all the same.
    await load(other, 'payments', []);
    expect((await store.status()).rows).toEqual(status.rows);
    await other.close();
  });

  test('a corrected row replaces the old one', async () => {
    const store = await freshStore();
    await load(store, 'payments', [payment('P1', 100), payment('P2', 200)]);
    await load(store, 'payments', [{ ...payment('P1', 150), bankCard: undefined }]);
    expect(await store.countRows('payments')).toBe(2);
    expect(await store.findRecord('payments', { paymentId: 'P1' })).toEqual({
      ...payment('P1', 150),
      bankCard: undefined,
    });
    expect((await store.findRecord('payments', { paymentId: 'P2' }))?.amountFen).toBe(200);
    const death = sample('deaths');
    await load(store, 'deaths', [death]);
    await load(store, 'deaths', [sample('deaths', { death_date: '2016-02-04' })]);
    await load(store, 'deaths', [sample('deaths', { source: 'hospital', death_date: '2016-02-05' })]);
    expect(await store.countRows('deaths')).toBe(2);
    expect(
      (await store.findRecord('deaths', { source: 'cremation' as DeathSource, recordId: 'D1' }))?.deathDate,
    ).toBe('2016-02-04');
    expect(await store.findRecord('payments', { paymentId: 'nope' })).toBeUndefined();
  });

  test("a death record without reported_at keeps its first load's date when re-loaded on another day", async () => {
    const store = await freshStore();
    const key = { source: 'cremation' as DeathSource, recordId: 'D1' };
    const unreported = { ...sample('deaths'), reportedAt: undefined };
    await load(store, 'deaths', [{ ...unreported, loadedOn: '2021-03-01' as CalendarDate }]);
    expect((await store.findRecord('deaths', key))?.reportedAt).toBe('2021-03-01');
    await load(store, 'deaths', [{ ...unreported, loadedOn: '2021-03-09' as CalendarDate }]);
    expect((await store.findRecord('deaths', key))?.reportedAt).toBe('2021-03-01');
    // A correction is still a correction, and a date the file gives wins over the load date.
    await load(store, 'deaths', [
      { ...sample('deaths', { death_date: '2016-02-04' }), loadedOn: '2021-03-10' as CalendarDate },
    ]);
    const corrected = await store.findRecord('deaths', key);
    expect(corrected?.deathDate).toBe('2016-02-04');
    expect(corrected?.reportedAt).toBe('2016-02-10');
    await load(store, 'deaths', [{ ...unreported, loadedOn: '2021-03-11' as CalendarDate }]);
    expect((await store.findRecord('deaths', key))?.reportedAt).toBe('2021-03-01');
  });

  test('a card event delivered again is ignored: the first delivery stays', async () => {
    const store = await freshStore();
    await load(store, 'card-events', [cardEvent('E1', 2000)]);
    await load(store, 'card-events', [cardEvent('E1', 9999), cardEvent('E2', 500)]);
    expect(await store.countRows('card-events')).toBe(2);
    expect((await store.findRecord('card-events', { eventId: 'E1' }))?.amountFen).toBe(2000);
  });

  test('a key twice in one batch: the later record wins (card events: the first)', async () => {
    const store = await freshStore();
    // Large enough for multi-row statements; duplicates both near each other and far apart.
    const records = [
      ...Array.from({ length: 200 }, (_, i) => payment(`P${i % 100}`, i)),
      payment('P7', 7777),
      payment('P7', 7778),
    ];
    await load(store, 'payments', records);
    expect(await store.countRows('payments')).toBe(100);
    expect((await store.findRecord('payments', { paymentId: 'P7' }))?.amountFen).toBe(7778);
    expect((await store.findRecord('payments', { paymentId: 'P42' }))?.amountFen).toBe(142);

    const change = sample('account-changes');
    await load(store, 'account-changes', [change, { ...change, handlerId: 'H9' }]);
    expect(await store.countRows('account-changes')).toBe(1);
    expect((await store.findRecord('account-changes', change))?.handlerId).toBe('H9');

    const events = Array.from({ length: 300 }, (_, i) => cardEvent(`E${i % 150}`, i));
    await load(store, 'card-events', events);
    expect(await store.countRows('card-events')).toBe(150);
    expect((await store.findRecord('card-events', { eventId: 'E3' }))?.amountFen).toBe(3);
  });

  test('quarantined rows and flags are written, listed, and cleared by a re-load of the same file', async () => {
    const store = await freshStore();
    const quarantined: QuarantinedRow[] = [
      {
        line: 3,
        column: 'amount',
        code: 'money.too_many_decimals',
        reason: 'has 3 decimals',
        raw: 'P3,B1,12.345',
      },
      { line: 5, column: undefined, code: 'csv.quote', reason: 'unbalanced quote', raw: 'P5,"B1' },
    ];
    const flags: FlaggedRow[] = [
      { line: 2, column: 'id_number', code: 'id.check_character', message: 'wrong check', recordKey: 'B1' },
      { line: 2, column: 'sex', code: 'id.sex_mismatch', message: 'sex contradicts', recordKey: 'B1' },
      { line: 4, column: 'sex', code: 'id.sex_mismatch', message: 'sex contradicts', recordKey: 'B2' },
    ];
    const start = { fileKey: '/data/in/beneficiaries.csv', fileName: 'in/beneficiaries.csv' };
    const first = await store.beginLoad({ ...start, kind: 'beneficiaries', startedAt: tick() });
    await store.writeBatch(
      first,
      batch('beneficiaries', [sample('beneficiaries')], { quarantined, flags, throughLine: 5 }),
    );
    await store.finishLoad(first, { finishedAt: tick(), rows: 4, loaded: 2, quarantined: 2, flagged: 2 });
    // Another file's quarantine is not touched by re-loading the first.
    const other = await store.beginLoad({
      fileKey: '/data/payments.csv',
      fileName: 'payments.csv',
      kind: 'payments',
      startedAt: tick(),
    });
    await store.writeBatch(other, batch('payments', [], { quarantined: [quarantined[0]!] }));

    let status = await store.status();
    expect(status.quarantine).toEqual([
      { file: 'in/beneficiaries.csv', kind: 'beneficiaries', rows: 2, loadedBy: 'ingest' },
      { file: 'payments.csv', kind: 'payments', rows: 1, loadedBy: 'ingest' },
    ]);
    expect(status.dataQualityFlags).toBe(2);
    expect(await store.quarantine()).toHaveLength(3);
    const listed = await store.quarantine({ file: 'beneficiaries.csv' });
    expect(listed).toEqual(
      quarantined.map((q) => ({
        file: 'in/beneficiaries.csv',
        kind: 'beneficiaries',
        line: q.line,
        column: q.column,
        code: q.code,
        reason: q.reason,
        raw: q.raw,
      })),
    );
    expect(await store.quarantine({ file: 'in/beneficiaries.csv' })).toEqual(listed);
    expect(await store.quarantine({ file: '/data/in/beneficiaries.csv' })).toEqual(listed);
    expect(await store.quarantine({ file: 'beneficiaries.csv', limit: 1 })).toEqual([listed[0]]);
    expect(await store.quarantine({ file: 'deaths.csv' })).toEqual([]);

    const again = await store.beginLoad({ ...start, kind: 'beneficiaries', startedAt: tick() });
    status = await store.status();
    expect(status.quarantine).toEqual([
      { file: 'payments.csv', kind: 'payments', rows: 1, loadedBy: 'ingest' },
    ]);
    expect(status.dataQualityFlags).toBe(0);
    expect(await store.quarantine({ file: 'beneficiaries.csv' })).toEqual([]);
    await store.writeBatch(again, batch('beneficiaries', [], { quarantined: [quarantined[1]!] }));
    expect(await store.quarantine({ file: 'beneficiaries.csv' })).toEqual([listed[1]]);
    expect(status.rows.beneficiaries).toBe(1);
  });

  test('loads are listed newest first; one never finished stays running with its progress', async () => {
    const store = await freshStore();
    const done = await load(store, 'handlers', [sample('handlers')]);
    expect(done).toEqual(expect.any(String));
    const startedAt = tick();
    const killed = await store.beginLoad({
      fileKey: '/data/payments.csv',
      fileName: 'payments.csv',
      kind: 'payments',
      startedAt,
    });
    await store.writeBatch(
      killed,
      batch('payments', [payment('P1', 1), payment('P2', 2)], { throughLine: 3 }),
    );
    const { loads } = await store.status();
    expect(loads).toEqual([
      {
        file: 'payments.csv',
        kind: 'payments',
        startedAt,
        finishedAt: undefined,
        status: 'running',
        rows: 2,
        loaded: 2,
        quarantined: 0,
        flagged: 0,
        throughLine: 3,
      },
      expect.objectContaining({ file: 'handlers.csv', kind: 'handlers', status: 'done', rows: 1, loaded: 1 }),
    ]);
    expect(loads[1]?.finishedAt).toBeGreaterThan(loads[1]!.startedAt);
  });

  test('records job runs and reports the last run of each job', async () => {
    const store = await freshStore();
    await store.recordJobRun({
      job: 'match',
      startedAt: 1000,
      finishedAt: 2000,
      outcome: 'failed',
      summary: { error: 'x' },
    });
    await store.recordJobRun({
      job: 'match',
      startedAt: 3000,
      finishedAt: 4000,
      outcome: 'ok',
      summary: { linked: 12, nested: { a: [1, 2] } },
    });
    await store.recordJobRun({ job: 'monitor', startedAt: 500, finishedAt: 600, outcome: 'ok', summary: {} });
    expect((await store.status()).jobs).toEqual([
      {
        job: 'match',
        startedAt: 3000,
        finishedAt: 4000,
        outcome: 'ok',
        summary: { linked: 12, nested: { a: [1, 2] } },
      },
      { job: 'monitor', startedAt: 500, finishedAt: 600, outcome: 'ok', summary: {} },
    ]);
  });

  test('a batch that fails midway leaves nothing of itself behind', async () => {
    const store = await freshStore();
    const loadId = await store.beginLoad({
      fileKey: '/data/payments.csv',
      fileName: 'payments.csv',
      kind: 'payments',
      startedAt: tick(),
    });
    await store.writeBatch(loadId, batch('payments', [payment('P0', 1)], { throughLine: 2 }));
    const broken = { ...payment('P2', 2), paidAt: undefined } as unknown as Payment;
    const records = [
      payment('P0', 999),
      ...Array.from({ length: 150 }, (_, i) => payment(`P${i + 10}`, i)),
      broken,
    ];
    await expect(
      store.writeBatch(
        loadId,
        batch('payments', records, {
          quarantined: [{ line: 9, column: 'amount', code: 'x', reason: 'y', raw: 'z' }],
          flags: [{ line: 8, column: 'sex', code: 'x', message: 'y', recordKey: 'P1' }],
          throughLine: 200,
        }),
      ),
    ).rejects.toThrow();
    const status = await store.status();
    expect(status.rows.payments).toBe(1);
    expect((await store.findRecord('payments', { paymentId: 'P0' }))?.amountFen).toBe(1);
    expect(status.quarantine).toEqual([]);
    expect(status.dataQualityFlags).toBe(0);
    expect(status.loads[0]).toMatchObject({ status: 'running', throughLine: 2, loaded: 1 });
    // The store is still usable after the failure.
    await store.writeBatch(loadId, batch('payments', [payment('P1', 5)], { throughLine: 201 }));
    expect(await store.countRows('payments')).toBe(2);
  });

  test('refuses a batch or a finish for a load it does not have', async () => {
    const store = await freshStore();
    await expect(store.writeBatch('12345', batch('payments', [payment('P1', 1)]))).rejects.toThrow(/load/);
    await expect(store.writeBatch('not-a-load', batch('payments', []))).rejects.toThrow(/load/);
    await expect(
      store.finishLoad('12345', { finishedAt: 1, rows: 0, loaded: 0, quarantined: 0, flagged: 0 }),
    ).rejects.toThrow(/load/);
    expect(await store.countRows('payments')).toBe(0);
  });

  test('property: writing any sequence of batches twice gives the same counts as once', async () => {
    const store = await freshStore();
    let run = 0;
    const amount = fc.integer({ min: 0, max: 10_000_000 });
    const paymentBatch = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 30 }), amount), { maxLength: 150 })
      .map((rows) => ({ kind: 'payments' as const, rows }));
    const eventBatch = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 30 }), amount), { maxLength: 40 })
      .map((rows) => ({ kind: 'card-events' as const, rows }));
    const deathBatch = fc
      .array(
        fc.tuple(fc.integer({ min: 0, max: 8 }), fc.constantFrom<DeathSource>('cremation', 'hospital')),
        {
          maxLength: 20,
        },
      )
      .map((rows) => ({ kind: 'deaths' as const, rows }));
    const batches = fc.array(
      fc.record({
        content: fc.oneof(paymentBatch, eventBatch, deathBatch),
        quarantined: fc.nat({ max: 3 }),
        flagged: fc.nat({ max: 3 }),
      }),
      { maxLength: 6 },
    );

    await fc.assert(
      fc.asyncProperty(batches, async (plan) => {
        const prefix = `run${++run}-`;
        const fileKey = `/data/${prefix}mixed`;
        const expectedKeys = {
          payments: new Set<string>(),
          'card-events': new Set<string>(),
          deaths: new Set<string>(),
        };
        const writeAll = async () => {
          const loadId = await store.beginLoad({
            fileKey,
            fileName: `${prefix}mixed`,
            kind: 'payments',
            startedAt: tick(),
          });
          let line = 1;
          for (const { content, quarantined, flagged } of plan) {
            const q = Array.from({ length: quarantined }, () => ({
              line: ++line,
              column: 'c',
              code: 'x',
              reason: 'r',
              raw: 'raw',
            }));
            const f = Array.from({ length: flagged }, (_, i) => ({
              line: ++line,
              column: 'c',
              code: 'x',
              message: 'm',
              recordKey: `${prefix}${i}`,
            }));
            let written: IngestBatch<RecordKind>;
            if (content.kind === 'payments') {
              const records = content.rows.map(([n, fen]) => payment(`${prefix}P${n}`, fen));
              for (const r of records) expectedKeys.payments.add(r.paymentId);
              written = batch('payments', records, { quarantined: q, flags: f, throughLine: line });
            } else if (content.kind === 'card-events') {
              const records = content.rows.map(([n, fen]) => cardEvent(`${prefix}E${n}`, fen));
              for (const r of records) expectedKeys['card-events'].add(r.eventId);
              written = batch('card-events', records, { quarantined: q, flags: f, throughLine: line });
            } else {
              const records = content.rows.map(([n, source]) =>
                sample('deaths', { record_id: `${prefix}D${n}`, source }),
              );
              for (const r of records) expectedKeys.deaths.add(`${r.source}|${r.recordId}`);
              written = batch('deaths', records, { quarantined: q, flags: f, throughLine: line });
            }
            line += content.rows.length;
            await store.writeBatch(loadId, written);
          }
          await store.finishLoad(loadId, {
            finishedAt: tick(),
            rows: line,
            loaded: 0,
            quarantined: 0,
            flagged: 0,
          });
          const status = await store.status();
          return {
            rows: status.rows,
            quarantine: status.quarantine,
            flags: status.dataQualityFlags,
          };
        };
        const before = (await store.status()).rows;
        const once = await writeAll();
        const twice = await writeAll();
        expect(twice).toEqual(once);
        expect(once.rows.payments - before.payments).toBe(expectedKeys.payments.size);
        expect(once.rows['card-events'] - before['card-events']).toBe(expectedKeys['card-events'].size);
        expect(once.rows.deaths - before.deaths).toBe(expectedKeys.deaths.size);
      }),
      { numRuns: 25 },
    );
  });
});

afterAll(() => {
  if (skipPostgres) console.warn(`PostgreSQL store contract tests were skipped: ${postgresProblem}`);
});

describe.each([sqliteAdapter, postgresAdapter])('matching store contract: $name', (adapter) => {
  const test = it.skipIf(adapter.skip);
  const fixtures: Fixture[] = [];
  const freshStore = () => {
    const fixture = adapter.fresh();
    fixtures.push(fixture);
    return fixture.open();
  };
  afterEach(async () => {
    for (const fixture of fixtures.splice(0)) await fixture.cleanup();
  });

  const beneficiary = (id: string, overrides: Record<string, string> = {}) =>
    sample('beneficiaries', { beneficiary_id: id, ...overrides });
  const death = (id: string, source = 'cremation', overrides: Record<string, string> = {}) =>
    sample('deaths', { record_id: id, source, ...overrides });
  const match = (
    recordId: string,
    beneficiaryId: string | undefined,
    source: DeathSource = 'cremation',
  ): DeathMatch => ({
    source,
    recordId,
    beneficiaryId,
    matchWeight: beneficiaryId === undefined ? undefined : 12.5,
    matchProbability: beneficiaryId === undefined ? undefined : 0.9998,
    explanation:
      beneficiaryId === undefined
        ? undefined
        : {
            priorWeight: -10,
            terms: [{ comparison: 'id_number', level: 0, label: 'exact', weight: 22.5, tfAdjustment: 0 }],
          },
    modelId: '1',
    matchedAt: 1_700_000_000_000,
  });

  test('reads the roll and the death records in batches, in key order, filtered by date and by match', async () => {
    const store = await freshStore();
    const roll = Array.from({ length: 25 }, (_, i) => beneficiary(`B${String(i).padStart(3, '0')}`));
    await load(store, 'beneficiaries', roll);
    const batches: string[][] = [];
    for await (const b of store.readBeneficiaries({ batchSize: 10 }))
      batches.push(b.map((x) => x.beneficiaryId));
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(roll.map((b) => b.beneficiaryId));
    expect(
      (await store.findBeneficiaries(['B003', 'B001', 'B003', 'nobody'])).map((b) => b.beneficiaryId).sort(),
    ).toEqual(['B001', 'B003']);

    await load(store, 'deaths', [
      death('D1', 'cremation', { reported_at: '2016-02-10' }),
      death('D2', 'cremation', { reported_at: '2021-07-01' }),
      death('D3', 'hospital', { reported_at: '2016-03-01' }),
      death('D4', 'civil_affairs', { death_date: '2021-08-01', reported_at: '2021-08-02' }),
    ]);
    const keys = async (query: Parameters<Store['readDeathRecords']>[0]) => {
      const out: string[] = [];
      for await (const b of store.readDeathRecords(query))
        out.push(...b.map((d) => `${d.source}|${d.recordId}`));
      return out;
    };
    expect(await keys({ batchSize: 1 })).toEqual([
      'civil_affairs|D4',
      'cremation|D1',
      'cremation|D2',
      'hospital|D3',
    ]);
    expect(await keys({ through: '2021-06-30' as CalendarDate })).toEqual(['cremation|D1', 'hospital|D3']);
    await store.upsertDeathMatches([match('D1', 'B001')]);
    expect(await keys({ unmatchedOnly: true, batchSize: 2 })).toEqual([
      'civil_affairs|D4',
      'cremation|D2',
      'hospital|D3',
    ]);
  });

  test('blocking keys: bulk replace, add without duplicates, indexed look-up', async () => {
    const store = await freshStore();
    const big = 2 ** 52 - 7;
    const n = await store.replaceBlockingKeys([
      [
        { hash: 1, beneficiaryId: 'B1' },
        { hash: 2, beneficiaryId: 'B1' },
      ],
      [
        { hash: 2, beneficiaryId: 'B2' },
        { hash: big, beneficiaryId: 'B3' },
      ],
    ]);
    expect(n).toBe(4);
    expect([...(await store.beneficiariesByBlockingKeys([2]))].sort()).toEqual(['B1', 'B2']);
    expect(await store.beneficiariesByBlockingKeys([big, 99])).toEqual(['B3']);
    expect(await store.beneficiariesByBlockingKeys([])).toEqual([]);
    await store.addBlockingKeys([
      { hash: 1, beneficiaryId: 'B1' },
      { hash: 1, beneficiaryId: 'B4' },
    ]);
    expect([...(await store.beneficiariesByBlockingKeys([1]))].sort()).toEqual(['B1', 'B4']);
    await store.replaceBlockingKeys([[{ hash: 5, beneficiaryId: 'B5' }]]);
    expect(await store.beneficiariesByBlockingKeys([1, 2])).toEqual([]);
    // Many keys in one look-up (more than one IN list).
    const hashes = Array.from({ length: 1500 }, (_, i) => 1000 + i);
    await store.addBlockingKeys(hashes.map((hash) => ({ hash, beneficiaryId: `K${hash}` })));
    expect(await store.beneficiariesByBlockingKeys(hashes)).toHaveLength(1500);
  });

  test('blocking keys: block sizes counted up to a cap', async () => {
    const store = await freshStore();
    const big = 2 ** 52 - 7;
    await store.replaceBlockingKeys([
      Array.from({ length: 30 }, (_, i) => ({ hash: big, beneficiaryId: `B${i}` })),
      [
        { hash: 7, beneficiaryId: 'B1' },
        { hash: 7, beneficiaryId: 'B2' },
      ],
    ]);
    const counts = await store.blockingKeyCounts([big, 7, 8, 7], 11);
    expect([...counts].sort((a, b) => a[0] - b[0])).toEqual([
      [7, 2],
      [big, 11],
    ]);
    expect((await store.blockingKeyCounts([big], 100)).get(big)).toBe(30);
  });

  test('candidate rows: bulk replace, upsert, read once per beneficiary beside its keys or by block', async () => {
    const store = await freshStore();
    const big = 2 ** 52 - 7;
    // Keys 7 and 8 are clustering keys (a beneficiary has a row in the block of each); 1, 2 and big are not.
    await store.replaceBlockingKeys([
      [
        { hash: 1, beneficiaryId: 'B1' },
        { hash: 2, beneficiaryId: 'B1' },
        { hash: 7, beneficiaryId: 'B1' },
        { hash: 8, beneficiaryId: 'B1' },
        { hash: 2, beneficiaryId: 'B2' },
        { hash: big, beneficiaryId: 'B3' },
        { hash: 7, beneficiaryId: 'B4' },
        // A stale key: B5's rows are in block 8 now.
        { hash: 7, beneficiaryId: 'B5' },
        { hash: 8, beneficiaryId: 'B5' },
      ],
    ]);
    expect(
      await store.replaceCandidateRows([
        [
          { beneficiaryId: 'B5', block: 8, candidate: 'five' },
          { beneficiaryId: 'B1', block: 7, candidate: '[1,"王秀英"]' },
          { beneficiaryId: 'B1', block: 8, candidate: '[1,"王秀英"]' },
        ],
        [
          { beneficiaryId: 'B2', block: -1, candidate: 'two' },
          { beneficiaryId: 'B4', block: 7, candidate: 'four' },
        ],
      ]),
    ).toBe(5);
    const sorted = (cs: readonly { beneficiaryId: string; candidate: string | undefined }[]) =>
      [...cs].sort((a, b) => a.beneficiaryId.localeCompare(b.beneficiaryId));
    // B1 holds two keys and two rows but comes once; B3 has keys and no row (indexed before schema version 12).
    expect(sorted(await store.blockingCandidates([1, 2, big, 99]))).toEqual([
      { beneficiaryId: 'B1', candidate: '[1,"王秀英"]' },
      { beneficiaryId: 'B2', candidate: 'two' },
      { beneficiaryId: 'B3', candidate: undefined },
    ]);
    expect(await store.blockingCandidates([])).toEqual([]);
    // Block 7 read as a cluster: two rows for three holders of key 7, so the holders are read too (B5, through its
    // stale key, with its row from block 8).
    expect(sorted(await store.blockingCandidates([7, big], [7]))).toEqual([
      { beneficiaryId: 'B1', candidate: '[1,"王秀英"]' },
      { beneficiaryId: 'B3', candidate: undefined },
      { beneficiaryId: 'B4', candidate: 'four' },
      { beneficiaryId: 'B5', candidate: 'five' },
    ]);
    // Block 8 holds a row for each of its two holders: complete, read as one range.
    expect(sorted(await store.blockingCandidates([8], [8]))).toEqual([
      { beneficiaryId: 'B1', candidate: '[1,"王秀英"]' },
      { beneficiaryId: 'B5', candidate: 'five' },
    ]);
    // A block as complete as its rows say (rows are written with their keys): a row without its key (never written so
    // by the matcher) stands for the holder the count is missing.
    await store.replaceCandidateRows([
      [
        { beneficiaryId: 'B1', block: 8, candidate: 'one' },
        { beneficiaryId: 'B6', block: 8, candidate: 'six' },
      ],
    ]);
    expect(sorted(await store.blockingCandidates([8], [8]))).toEqual([
      { beneficiaryId: 'B1', candidate: 'one' },
      { beneficiaryId: 'B6', candidate: 'six' },
    ]);
    expect(sorted(await store.blockingCandidates([8]))).toEqual([
      { beneficiaryId: 'B1', candidate: 'one' },
      { beneficiaryId: 'B5', candidate: undefined },
    ]);
    // Upsert: every row of a beneficiary replaced (B4 leaves block 7 for 9 and 10), its new keys added in the same
    // call; B4's key 7 is stale now, so block 7 (two rows, four holders) is read through its keys too.
    await store.replaceCandidateRows([
      [
        { beneficiaryId: 'B1', block: 7, candidate: '[1,"王秀英"]' },
        { beneficiaryId: 'B4', block: 7, candidate: 'four' },
        { beneficiaryId: 'B5', block: 8, candidate: 'five' },
      ],
    ]);
    await store.upsertCandidateRows(
      [
        { beneficiaryId: 'B3', block: 7, candidate: 'three' },
        { beneficiaryId: 'B4', block: 9, candidate: 'four again' },
        { beneficiaryId: 'B4', block: 10, candidate: 'four again' },
      ],
      [
        { hash: 7, beneficiaryId: 'B3' },
        { hash: 9, beneficiaryId: 'B4' },
        { hash: 10, beneficiaryId: 'B4' },
      ],
    );
    expect(sorted(await store.blockingCandidates([7], [7]))).toEqual([
      { beneficiaryId: 'B1', candidate: '[1,"王秀英"]' },
      { beneficiaryId: 'B3', candidate: 'three' },
      { beneficiaryId: 'B4', candidate: 'four again' },
      { beneficiaryId: 'B5', candidate: 'five' },
    ]);
    expect(sorted(await store.blockingCandidates([9, 10], [9, 10]))).toEqual([
      { beneficiaryId: 'B4', candidate: 'four again' },
    ]);
    expect(await store.beneficiariesByBlockingKeys([10])).toEqual(['B4']);
    await store.replaceCandidateRows([[{ beneficiaryId: 'B1', block: 7, candidate: 'one' }]]);
    expect(sorted(await store.blockingCandidates([2, 7], [7]))).toEqual([
      { beneficiaryId: 'B1', candidate: 'one' },
      { beneficiaryId: 'B2', candidate: undefined },
      { beneficiaryId: 'B3', candidate: undefined },
      { beneficiaryId: 'B4', candidate: undefined },
      { beneficiaryId: 'B5', candidate: undefined },
    ]);
    expect(await store.latestModelId()).toBeUndefined();
    // A block larger than one IN list, given in no particular order, read by block and by its keys alike.
    const ids = Array.from({ length: 1300 }, (_, i) => `M${(i * 7919) % 1300}`);
    await store.replaceBlockingKeys([ids.map((beneficiaryId) => ({ hash: 5, beneficiaryId }))]);
    await store.replaceCandidateRows([
      ids.map((beneficiaryId) => ({ beneficiaryId, block: 5, candidate: beneficiaryId })),
    ]);
    const viaBlock = await store.blockingCandidates([5], [5]);
    const viaKeys = await store.blockingCandidates([5]);
    expect(sorted(viaBlock)).toEqual(sorted(viaKeys));
    expect(viaBlock).toHaveLength(1300);
    expect(viaKeys.every((c) => c.candidate === c.beneficiaryId)).toBe(true);
  });

  test('saves a model with its term frequencies and loads the latest', async () => {
    const store = await freshStore();
    expect(await store.loadModel()).toBeUndefined();
    const parameters = {
      probabilityTwoRandomRecordsMatch: 0.0001,
      comparisons: [{ name: 'name', levels: [{ label: 'exact', m: 0.9, u: 0.01, isNull: false }] }],
    };
    const settings = { threshold: 0.5, termFrequencyTotals: [3, 3], rollSize: 3 };
    const first = await store.saveModel({ createdAt: 1, preset: 'china', parameters, settings }, [
      { slot: 0, value: '王秀英', count: 2 },
      { slot: 1, value: 'wangxiuying', count: 2 },
    ]);
    const second = await store.saveModel({ createdAt: 2, preset: 'china', parameters, settings }, [
      { slot: 0, value: '王秀英', count: 3 },
    ]);
    expect(second).not.toBe(first);
    expect(await store.latestModelId()).toBe(second);
    expect(await store.loadModel()).toEqual({
      modelId: second,
      createdAt: 2,
      preset: 'china',
      parameters,
      settings,
    });
    expect(await store.termFrequencyCounts(0, ['王秀英', '李四'])).toEqual(new Map([['王秀英', 3]]));
    expect(await store.termFrequencyCounts(1, ['wangxiuying'])).toEqual(new Map());
  });

  test('death matches: replace, upsert without duplicates, links with death dates, explanation kept', async () => {
    const store = await freshStore();
    await load(store, 'deaths', [
      death('D1'),
      death('D2'),
      death('D3', 'hospital', { death_date: '2016-03-01' }),
    ]);
    await store.replaceDeathMatches([match('D1', 'B1'), match('D2', undefined)]);
    await store.upsertDeathMatches([
      match('D2', 'B1'),
      match('D3', 'B1', 'hospital'),
      match('D3', 'B1', 'hospital'),
    ]);
    await store.upsertDeathMatches([match('D2', 'B1')]);
    const all = await store.listDeathMatches();
    expect(all.map((m) => [m.recordId, m.beneficiaryId])).toEqual([
      ['D1', 'B1'],
      ['D2', 'B1'],
      ['D3', 'B1'],
    ]);
    expect(all[0]).toEqual(match('D1', 'B1'));
    const links = await store.linksOf(['B1', 'B2']);
    expect(links.map((l) => [l.recordId, l.deathDate])).toEqual([
      ['D1', '2016-02-03'],
      ['D2', '2016-02-03'],
      ['D3', '2016-03-01'],
    ]);
    // What given records linked to before (a re-loaded record's old beneficiary); unknown records left out.
    expect(
      (
        await store.deathMatchesOf([
          { source: 'hospital', recordId: 'D3' },
          { source: 'civil_affairs', recordId: 'D3' },
          { source: 'hospital', recordId: 'D9' },
        ])
      ).map((m) => [m.source, m.recordId, m.beneficiaryId]),
    ).toEqual([['hospital', 'D3', 'B1']]);
    await store.replaceDeathMatches([match('D1', undefined)]);
    expect(await store.linksOf(['B1'])).toEqual([]);
    expect(await store.listDeathMatches()).toHaveLength(1);
  });

  test('payments per beneficiary, optionally paid through a date', async () => {
    const store = await freshStore();
    await load(store, 'payments', [
      { ...payment('P1', 100), beneficiaryId: 'B1', paidAt: '2021-01-10' as CalendarDate },
      { ...payment('P2', 200), beneficiaryId: 'B1', paidAt: '2021-02-10' as CalendarDate },
      { ...payment('P3', 300), beneficiaryId: 'B2' },
    ]);
    expect((await store.paymentsOf(['B1'])).map((p) => p.amountFen).sort()).toEqual([100, 200]);
    expect(
      (await store.paymentsOf(['B1', 'B2'], '2021-01-31' as CalendarDate)).map((p) => p.paymentId).sort(),
    ).toEqual(['P1', 'P3']);
  });

  test('decisions are recorded with their evidence, reversible with a reason, and the history is kept', async () => {
    const store = await freshStore();
    const proposed = {
      beneficiaryId: 'B1',
      decidedAt: 10,
      decision: 'confirmed' as const,
      action: 'suspend' as const,
      reason: 'exact ID match in an authoritative source (household_register)',
      evidence: ['household_register:H1'],
      statusBefore: 'active' as const,
      statusAfter: 'suspended' as const,
    };
    const [first, other] = await store.recordDecisions([proposed, { ...proposed, beneficiaryId: 'B2' }]);
    expect(first).toMatchObject({ ...proposed });
    expect(other?.beneficiaryId).toBe('B2');
    const finding: Finding = {
      beneficiaryId: 'B1',
      deathDate: '2020-01-15' as CalendarDate,
      dateSupport: 1,
      evidence: ['household_register:H1'],
      matchProbability: 0.999,
      decision: 'confirmed',
      firstUnentitledPeriod: '2020-02' as Period,
      overpaidFen: 12_345,
      overpaidPayments: 1,
      rollStatus: 'active',
      statusAfter: 'suspended',
      decisionId: first!.decisionId,
      updatedAt: 10,
    };
    await store.replaceFindings([finding]);
    expect(await store.listFindings()).toEqual([finding]);

    const reversed = await store.reverseDecision(first!.decisionId, {
      at: 20,
      by: 'auditor',
      reason: 'seen alive',
    });
    expect(reversed.ok).toBe(true);
    const again = await store.reverseDecision(first!.decisionId, { at: 30, by: 'auditor', reason: 'twice' });
    expect(again.ok).toBe(false);
    const noReason = await store.reverseDecision(other!.decisionId, { at: 30, by: 'auditor', reason: ' ' });
    expect(noReason.ok).toBe(false);
    expect((await store.reverseDecision('999999', { at: 30, by: 'a', reason: 'r' })).ok).toBe(false);
    expect((await store.listFindings())[0]).toMatchObject({ statusAfter: 'active', decision: 'confirmed' });

    const [newer] = await store.recordDecisions([
      { ...proposed, decidedAt: 40, evidence: ['cremation:C1', 'household_register:H1'] },
    ]);
    const latest = await store.latestDecisions(['B1', 'B2', 'B9']);
    expect(latest.get('B1')?.decisionId).toBe(newer!.decisionId);
    expect(latest.get('B2')?.decisionId).toBe(other!.decisionId);
    expect(latest.has('B9')).toBe(false);
    const history = await store.decisionHistory('B1');
    expect(history.map((d) => d.decisionId)).toEqual([first!.decisionId, newer!.decisionId]);
    expect(history[0]?.reversal).toEqual({ at: 20, by: 'auditor', reason: 'seen alive' });
    expect(history[1]?.reversal).toBeUndefined();

    await store.upsertFindings([
      { ...finding, overpaidFen: 1, decisionId: newer!.decisionId },
      { ...finding, beneficiaryId: 'B2' },
    ]);
    expect((await store.listFindings()).map((f) => [f.beneficiaryId, f.overpaidFen])).toEqual([
      ['B1', 1],
      ['B2', 12_345],
    ]);
    // A finding contested by a life sign keeps it; a finding no record links to any more can be removed.
    const lifeSign = { certificationId: 'C7', date: '2020-05-03' as CalendarDate, channel: 'bigdata' };
    await store.upsertFindings([{ ...finding, beneficiaryId: 'B2', lifeSign }]);
    expect((await store.listFindings()).find((f) => f.beneficiaryId === 'B2')?.lifeSign).toEqual(lifeSign);
    await store.deleteFindings(['B2', 'B9']);
    expect((await store.listFindings()).map((f) => f.beneficiaryId)).toEqual(['B1']);
    // An unsupported finding (no record about the beneficiary) keeps the flag; a supported one has none.
    await store.upsertFindings([{ ...finding, beneficiaryId: 'B3', unsupported: true }]);
    const listed = new Map((await store.listFindings()).map((f) => [f.beneficiaryId, f]));
    expect(listed.get('B3')?.unsupported).toBe(true);
    expect(listed.get('B1')).not.toHaveProperty('unsupported');
    await store.replaceFindings([{ ...finding, beneficiaryId: 'B4', unsupported: true }]);
    expect((await store.listFindings()).map((f) => [f.beneficiaryId, f.unsupported])).toEqual([['B4', true]]);
  });

  test('the reports of one death: records of the same death date and name, reported through a date', async () => {
    const store = await freshStore();
    const same = { name: '刘秀英', death_date: '2020-03-15' };
    await load(store, 'deaths', [
      death('HH1', 'cremation', { ...same, reported_at: '2020-03-20' }),
      death('HJ1', 'household_register', { ...same, reported_at: '2020-05-01' }),
      death('YX1', 'hospital', { ...same, reported_at: '2021-09-01' }),
      death('HH2', 'cremation', { ...same, name: '刘秀兰', reported_at: '2020-03-20' }),
      death('HH3', 'cremation', { ...same, death_date: '2020-03-16', reported_at: '2020-03-20' }),
    ]);
    const of = async (through?: CalendarDate) =>
      (
        await store.deathTwins(
          [
            { source: 'cremation', recordId: 'HH1' },
            { source: 'hospital', recordId: 'YX1' },
          ],
          through,
        )
      )
        .map((t) => `${t.source}:${t.recordId}>${t.twin.source}:${t.twin.recordId}`)
        .sort();
    expect(await of()).toEqual([
      'cremation:HH1>cremation:HH1',
      'cremation:HH1>hospital:YX1',
      'cremation:HH1>household_register:HJ1',
      'hospital:YX1>cremation:HH1',
      'hospital:YX1>hospital:YX1',
      'hospital:YX1>household_register:HJ1',
    ]);
    // Through a date: a report not yet made is not one of them (as readDeathRecords leaves it out).
    expect(await of('2021-06-30' as CalendarDate)).toEqual([
      'cremation:HH1>cremation:HH1',
      'cremation:HH1>household_register:HJ1',
      'hospital:YX1>cremation:HH1',
      'hospital:YX1>household_register:HJ1',
    ]);
    const twins = await store.deathTwins([{ source: 'cremation', recordId: 'HH1' }]);
    expect(twins.find((t) => t.twin.recordId === 'HJ1')?.twin).toMatchObject({
      name: '刘秀英',
      source: 'household_register',
    });
    expect(await store.deathTwins([])).toEqual([]);
    expect(await store.deathTwins([{ source: 'cremation', recordId: 'nobody' }])).toEqual([]);
  });

  test('certifications per beneficiary, optionally certified through a date (life signs)', async () => {
    const store = await freshStore();
    const cert = (id: string, beneficiaryId: string, certifiedAt: string, channel: string) => ({
      certificationId: id,
      beneficiaryId,
      certifiedAt: certifiedAt as CalendarDate,
      channel: channel as Certification['channel'],
      handlerId: undefined,
      deviceId: undefined,
    });
    await load(store, 'certifications', [
      cert('C1', 'B1', '2020-01-10', 'bigdata'),
      cert('C2', 'B1', '2021-03-10', 'home_visit'),
      cert('C3', 'B2', '2020-06-10', 'face_app'),
    ]);
    expect((await store.certificationsOf(['B1'])).map((c) => c.certificationId).sort()).toEqual(['C1', 'C2']);
    expect(
      (await store.certificationsOf(['B1', 'B2'], '2020-12-31' as CalendarDate))
        .map((c) => [c.certificationId, c.channel])
        .sort(),
    ).toEqual([
      ['C1', 'bigdata'],
      ['C3', 'face_app'],
    ]);
  });
});

describe.each([sqliteAdapter, postgresAdapter])('monitor store contract: $name', (adapter) => {
  const test = it.skipIf(adapter.skip);
  const fixtures: Fixture[] = [];
  const freshFixture = () => {
    const fixture = adapter.fresh();
    fixtures.push(fixture);
    return fixture;
  };
  afterEach(async () => {
    for (const fixture of fixtures.splice(0)) await fixture.cleanup();
  });

  const alert = (id: string, overrides: Partial<Alert> = {}): Alert => ({
    alertId: id,
    rule: 'hengnan-atm-sweep',
    ruleVersion: 'v1',
    severity: 'high',
    score: 0.85,
    firstTs: 1_612_194_067_000,
    lastTs: 1_612_194_967_000,
    entityType: 'terminal',
    entityId: 'ATM-430422-0007',
    beneficiaryIds: ['B1', 'B2'],
    explanation: '6 different cards used at terminal ATM-430422-0007 within 30 minutes',
    evidence: ['E1', 'E2'],
    status: 'open',
    ...overrides,
  });

  test('upserts alerts by their id (a replay rewrites, never duplicates) and lists them by first_ts', async () => {
    const fixture = freshFixture();
    const store = await fixture.open();
    await store.monitor.upsert([alert('AL-2', { firstTs: 2_000 }), alert('AL-1', { firstTs: 1_000 })]);
    await store.monitor.upsert([
      alert('AL-2', { firstTs: 2_000, score: 0.97, severity: 'critical', evidence: ['E1', 'E2', 'E3'] }),
    ]);
    await store.monitor.upsert([]);
    const listed = await store.monitor.listAlerts();
    expect(listed.map((a) => a.alertId)).toEqual(['AL-1', 'AL-2']);
    expect(listed[1]).toEqual(
      alert('AL-2', { firstTs: 2_000, score: 0.97, severity: 'critical', evidence: ['E1', 'E2', 'E3'] }),
    );
    await store.monitor.upsert([alert('AL-1', { firstTs: 1_000, status: 'closed' })]);
    expect((await store.monitor.listAlerts({ status: 'open' })).map((a) => a.alertId)).toEqual(['AL-2']);
    expect((await store.monitor.listAlerts({ status: 'closed' })).map((a) => a.alertId)).toEqual(['AL-1']);
    expect(await store.monitor.listAlerts({ rule: 'collector-ring' })).toEqual([]);
    // Alerts survive a re-open.
    const again = await fixture.open();
    expect((await again.monitor.listAlerts()).length).toBe(2);
  });

  test('saves a checkpoint by name, replacing the previous one, and loads it back as it was', async () => {
    const store = await freshFixture().open();
    expect(await store.monitor.load('replay:/data/card_events.jsonl')).toBeUndefined();
    const checkpoint = (line: number): MonitorCheckpoint => ({
      format: 'ghostwatch.monitor.checkpoint/1',
      ruleVersion: 'v1',
      position: { kind: 'file', path: '/data/card_events.jsonl', line },
      engine: {
        watermark: 1_612_194_067_000,
        maxTs: 1_612_194_367_000,
        lastExpiry: null,
        counters: { received: line },
        seen: [['E1', 1_612_194_067_000]],
        buffered: [cardEvent('E9', 20_000)],
        detectors: { 'multi-card-terminal': { terminals: [], sessions: [] } },
        typologies: {},
      },
    });
    await store.monitor.save('replay:/data/card_events.jsonl', checkpoint(10));
    await store.monitor.save('replay:/data/card_events.jsonl', checkpoint(20));
    await store.monitor.save('nats:S:C', checkpoint(5));
    const loaded = await store.monitor.load('replay:/data/card_events.jsonl');
    expect(loaded).toEqual(JSON.parse(JSON.stringify(checkpoint(20))));
    expect((await store.monitor.load('nats:S:C'))?.position).toEqual(checkpoint(5).position);
  });

  test('reads stored card events back in (ts, event_id) order, in pages, within [from, to)', async () => {
    const store = await freshStore();
    const events = fc.sample(fc.integer({ min: 0, max: 20 }), { numRuns: 57, seed: 7 }).map((minute, i) => ({
      ...cardEvent(`E${String(i).padStart(3, '0')}`, 100 + i),
      ts: 1_612_000_000_000 + minute * 60_000,
    }));
    await load(store, 'card-events', events);
    const read = async (query: Parameters<Store['monitor']['readCardEvents']>[0]) => {
      const out: CardEvent[] = [];
      const sizes: number[] = [];
      for await (const batch of store.monitor.readCardEvents(query)) {
        sizes.push(batch.length);
        out.push(...batch);
      }
      return { out, sizes };
    };
    const order = (list: readonly CardEvent[]) =>
      [...list].sort((a, b) => a.ts - b.ts || (a.eventId < b.eventId ? -1 : 1)).map((e) => e.eventId);
    const all = await read({ batchSize: 10 });
    expect(all.out.map((e) => e.eventId)).toEqual(order(events));
    expect(all.sizes.slice(0, -1).every((n) => n === 10)).toBe(true);
    expect(all.out[0]).toEqual(events.find((e) => e.eventId === all.out[0]!.eventId));
    const from = 1_612_000_000_000 + 5 * 60_000;
    const to = 1_612_000_000_000 + 12 * 60_000;
    const window = await read({ from, to, batchSize: 3 });
    expect(window.out.map((e) => e.eventId)).toEqual(order(events.filter((e) => e.ts >= from && e.ts < to)));
    const cards = await store.monitor.cardsOfEvents(['E000', 'E001', 'nope']);
    expect([...cards.entries()]).toEqual(
      expect.arrayContaining([
        ['E000', '6217001234567890123'],
        ['E001', '6217001234567890123'],
      ]),
    );
    expect(cards.has('nope')).toBe(false);
  });

  async function freshStore(): Promise<Store> {
    return freshFixture().open();
  }

  test('loads reference data from the roll, the changes, the payments and death findings when present', async () => {
    const store = await freshStore();
    // A payment row without bank_card: credited to the card the benefit was paid to on that day.
    const withoutCard = (overrides: Record<string, string>) => {
      const { bank_card: _card, ...row } = { ...SAMPLE_ROWS.payments, ...overrides };
      return parse('payments', row);
    };
    const oldCard = '6217001234567890123';
    const newCard = '6217009876543210987';
    const shared = '6228480000000000013';
    await load(store, 'beneficiaries', [
      sample('beneficiaries', { beneficiary_id: 'B1', bank_card: newCard, region_code: '430422' }),
      sample('beneficiaries', {
        beneficiary_id: 'B2',
        bank_card: shared,
        region_code: '430405',
      }),
      sample('beneficiaries', {
        beneficiary_id: 'B3',
        bank_card: shared,
        region_code: '430405',
      }),
    ]);
    await load(store, 'account-changes', [
      sample('account-changes', {
        beneficiary_id: 'B1',
        changed_at: '2019-03-01',
        old_card: oldCard,
        new_card: newCard,
      }),
    ]);
    await load(store, 'status-changes', [
      sample('status-changes', {
        beneficiary_id: 'B2',
        changed_at: '2020-05-01',
        from_status: 'active',
        to_status: 'suspended',
      }),
    ]);
    await load(store, 'payments', [
      withoutCard({ payment_id: 'P1', beneficiary_id: 'B1', paid_at: '2019-02-10' }),
      withoutCard({ payment_id: 'P2', beneficiary_id: 'B1', paid_at: '2019-04-10' }),
      sample('payments', {
        payment_id: 'P3',
        beneficiary_id: 'B1',
        paid_at: '2019-05-10',
        bank_card: newCard,
      }),
      sample('payments', {
        payment_id: 'P4',
        beneficiary_id: 'B2',
        paid_at: '2019-05-10',
        bank_card: shared,
      }),
    ]);
    const day = (date: string) => Date.parse(`${date}T00:00:00+08:00`);

    const reference = await store.monitor.loadReferenceData();
    expect(reference.cards).toBe(3);
    expect(reference.beneficiaries).toBe(3);
    expect(reference.card('6217000000000000000')).toBeUndefined();
    // Before the change the pension went to the old card, after it to the new one.
    expect(reference.card(oldCard)?.paymentTimes).toEqual([day('2019-02-10')]);
    expect(reference.card(newCard)?.paymentTimes).toEqual([day('2019-04-10'), day('2019-05-10')]);
    const b1 = reference.card(newCard)?.beneficiaries[0];
    expect(b1).toMatchObject({ beneficiaryId: 'B1', regionCode: '430422', believedDeadSince: undefined });
    expect(b1?.accountChanges).toEqual([{ at: day('2019-03-01'), oldCard, newCard, handlerId: 'H1' }]);
    expect(reference.card(oldCard)?.beneficiaries.map((b) => b.beneficiaryId)).toEqual(['B1']);
    const sharedRef = reference.card(shared);
    expect(sharedRef?.beneficiaries.map((b) => b.beneficiaryId).sort()).toEqual(['B2', 'B3']);
    expect(sharedRef?.beneficiaries.find((b) => b.beneficiaryId === 'B2')?.statusChanges).toEqual([
      { at: day('2020-05-01'), status: 'suspended' },
    ]);

    // Death matching's findings, once there are any; a reversed decision no longer counts.
    const [confirmed, reversed] = await store.recordDecisions(
      ['B1', 'B3'].map((id) => ({
        beneficiaryId: id,
        decidedAt: 10,
        decision: 'confirmed' as const,
        action: 'suspend' as const,
        reason: 'two sources',
        evidence: ['cremation:C1'],
        statusBefore: 'active' as const,
        statusAfter: 'suspended' as const,
      })),
    );
    const finding = (beneficiaryId: string, decisionId: string): Finding => ({
      beneficiaryId,
      deathDate: '2020-01-15' as CalendarDate,
      dateSupport: 1,
      evidence: ['cremation:C1'],
      matchProbability: 0.999,
      decision: 'confirmed',
      firstUnentitledPeriod: '2020-02' as Period,
      overpaidFen: 100,
      overpaidPayments: 1,
      rollStatus: 'active',
      statusAfter: 'suspended',
      decisionId,
      updatedAt: 20,
    });
    await store.upsertFindings([finding('B1', confirmed!.decisionId), finding('B3', reversed!.decisionId)]);
    await store.reverseDecision(reversed!.decisionId, { at: 30, by: 'auditor', reason: 'seen alive' });
    const withDeaths = await store.monitor.loadReferenceData();
    expect(withDeaths.card(newCard)?.beneficiaries[0]).toMatchObject({
      believedDeadSince: day('2020-01-15'),
      deathEvidence: 'confirmed',
    });
    expect(
      withDeaths.card(shared)?.beneficiaries.find((b) => b.beneficiaryId === 'B3')?.believedDeadSince,
    ).toBe(undefined);
  });
});

describe.each([sqliteAdapter, postgresAdapter])('analytics store contract: $name', (adapter) => {
  const test = it.skipIf(adapter.skip);
  const fixtures: Fixture[] = [];
  const freshStore = () => {
    const fixture = adapter.fresh();
    fixtures.push(fixture);
    return fixture.open();
  };
  afterEach(async () => {
    for (const fixture of fixtures.splice(0)) await fixture.cleanup();
  });

  /** A sample record with the overrides; an override of '' leaves the column out (unknown). */
  const record = <K extends RecordKind>(kind: K, overrides: Record<string, string>): RecordOf[K] =>
    parse(
      kind,
      Object.fromEntries(Object.entries({ ...SAMPLE_ROWS[kind], ...overrides }).filter(([, v]) => v !== '')),
    );
  const use = (
    id: string,
    terminal: string | undefined,
    ts: number,
    overrides: Record<string, string> = {},
  ) =>
    record('card-events', {
      event_id: id,
      ts: new Date(ts).toISOString(),
      ...(terminal === undefined
        ? { channel: 'online', type: 'balance_inquiry' }
        : { terminal_id: terminal }),
      ...overrides,
    });

  test('streams card use at terminals in terminal, time and event order, in batches, up to --as-of', async () => {
    const store = await freshStore();
    const t0 = Date.parse('2021-01-15T22:00:00+08:00');
    await load(store, 'card-events', [
      use('E5', 'ATM-2', t0),
      use('E2', 'ATM-1', t0 + 60_000),
      use('E1', 'ATM-1', t0 + 60_000, { type: 'card_inserted', amount: '' }),
      use('E3', 'ATM-1', t0, { result: 'declined' }),
      use('E4', undefined, t0),
      use('E6', 'ATM-1', Date.parse('2021-07-01T10:00:00+08:00')),
      use('E7', 'CTR-1', t0, { channel: 'counter' }),
    ]);
    const read = async (query: Parameters<Store['analytics']['readTerminalUse']>[0]) => {
      const batches: string[][] = [];
      for await (const batch of store.analytics.readTerminalUse(query))
        batches.push(batch.map((u) => u.eventId));
      return batches;
    };
    expect((await read({ batchSize: 2 })).flat()).toEqual(['E3', 'E1', 'E2', 'E6', 'E5']);
    // Self-service terminals by default; a bank counter only when asked for.
    expect((await read({ channels: ['counter', 'atm'] })).flat()).toEqual([
      'E3',
      'E1',
      'E2',
      'E6',
      'E5',
      'E7',
    ]);
    expect(await read({ batchSize: 100, asOf: '2021-06-30' as CalendarDate })).toEqual([
      ['E3', 'E1', 'E2', 'E5'],
    ]);
    const all: TerminalUse[] = [];
    for await (const batch of store.analytics.readTerminalUse()) all.push(...batch);
    expect(all.find((u) => u.eventId === 'E2')).toEqual({
      terminalId: 'ATM-1',
      ts: t0 + 60_000,
      eventId: 'E2',
      card: '6217001234567890123',
      type: 'withdrawal',
      withdrawnFen: 200_000,
    });
    // A declined withdrawal takes no money.
    expect(all.find((u) => u.eventId === 'E3')?.withdrawnFen).toBe(0);
  });

  test('reads histories in batches with exact-ID death evidence, and death matching findings once present', async () => {
    const store = await freshStore();
    const idOf = (b: string) => (b === 'B1' ? '11010519491231002X' : '110105194912310029');
    await load(store, 'handlers', [sample('handlers'), sample('handlers', { handler_id: 'H2' })]);
    await load(
      store,
      'beneficiaries',
      ['B1', 'B2', 'B3'].map((id) =>
        record('beneficiaries', { beneficiary_id: id, id_number: id === 'B3' ? '' : idOf(id) }),
      ),
    );
    await load(store, 'certifications', [
      sample('certifications', { certification_id: 'C2', beneficiary_id: 'B1', certified_at: '2019-06-01' }),
      sample('certifications', { certification_id: 'C1', beneficiary_id: 'B1', certified_at: '2018-06-01' }),
      sample('certifications', { certification_id: 'C3', beneficiary_id: 'B2', certified_at: '2021-08-01' }),
    ]);
    await load(store, 'status-changes', [sample('status-changes', { beneficiary_id: 'B2' })]);
    await load(store, 'account-changes', [sample('account-changes', { beneficiary_id: 'B3' })]);
    await load(store, 'payments', [
      sample('payments', {
        payment_id: 'P1',
        beneficiary_id: 'B1',
        period: '2021-01',
        paid_at: '2021-01-10',
      }),
      sample('payments', {
        payment_id: 'P2',
        beneficiary_id: 'B1',
        period: '2021-03',
        paid_at: '2021-03-10',
      }),
    ]);
    await load(store, 'deaths', [
      sample('deaths', {
        record_id: 'D1',
        source: 'cremation',
        id_number: idOf('B1'),
        death_date: '2016-02-03',
      }),
      sample('deaths', {
        record_id: 'D2',
        source: 'household_register',
        id_number: idOf('B1'),
        death_date: '2016-02-04',
        reported_at: '2016-03-01',
      }),
      sample('deaths', {
        record_id: 'D3',
        source: 'hospital',
        id_number: idOf('B2'),
        death_date: '2020-02-03',
        reported_at: '2020-02-20',
      }),
      sample('deaths', {
        record_id: 'D4',
        source: 'cremation',
        id_number: '11010519491231003X',
        death_date: '2017-01-01',
      }),
    ]);
    expect((await store.analytics.readHandlers()).map((h) => h.handlerId)).toEqual(['H1', 'H2']);
    expect(await store.analytics.deathEvidenceBasis()).toBe('exact_id');
    const read = async (query: Parameters<Store['analytics']['readHistories']>[0]) => {
      const batches = [];
      for await (const batch of store.analytics.readHistories(query)) batches.push(batch);
      return batches;
    };
    const batches = await read({ batchSize: 2 });
    expect(batches.map((b) => b.map((h) => h.beneficiary.beneficiaryId))).toEqual([['B1', 'B2'], ['B3']]);
    const [b1, b2] = batches[0]!;
    expect(b1?.certifications.map((c) => c.certificationId)).toEqual(['C1', 'C2']);
    expect(b1?.death).toEqual({
      deathDate: '2016-02-04',
      basis: 'exact_id',
      evidence: ['cremation:D1', 'household_register:D2'],
      strong: true,
    });
    expect(b1?.lastPaidPeriod).toBe('2021-03');
    expect(b2?.death).toMatchObject({ deathDate: '2020-02-03', strong: false });
    expect(b2?.statusChanges.map((s) => s.toStatus)).toEqual(['active']);
    expect(batches[1]?.[0]?.accountChanges).toHaveLength(1);
    expect(batches[1]?.[0]?.death).toBeUndefined();

    const early = (await read({ asOf: '2019-12-31' as CalendarDate })).flat();
    expect(early[0]?.certifications.map((c) => c.certificationId)).toEqual(['C1', 'C2']);
    expect(early[0]?.lastPaidPeriod).toBeUndefined();
    expect(early[1]?.death).toBeUndefined();
    expect(early[1]?.certifications).toEqual([]);

    // Once death matching has findings, they are the evidence.
    const [decision] = await store.recordDecisions([
      {
        beneficiaryId: 'B2',
        decidedAt: 1,
        decision: 'confirmed',
        action: 'suspend',
        reason: 'two sources',
        evidence: ['cremation:C9'],
        statusBefore: 'active',
        statusAfter: 'suspended',
      } as Parameters<Store['recordDecisions']>[0][number],
    ]);
    await store.replaceFindings([
      {
        beneficiaryId: 'B2',
        deathDate: '2019-05-05' as CalendarDate,
        dateSupport: 1,
        evidence: ['cremation:C9'],
        matchProbability: 0.99,
        decision: 'confirmed',
        firstUnentitledPeriod: '2019-06' as Period,
        overpaidFen: 0,
        overpaidPayments: 0,
        rollStatus: 'active',
        statusAfter: 'suspended',
        decisionId: decision!.decisionId,
        updatedAt: 1,
      },
    ]);
    expect(await store.analytics.deathEvidenceBasis()).toBe('matching');
    const matched = (await read({})).flat();
    expect(matched.map((h) => h.death?.deathDate)).toEqual([undefined, '2019-05-05', undefined]);
    expect(matched[1]?.death).toMatchObject({ basis: 'matching', strong: true, evidence: ['cremation:C9'] });
  });

  test('replaces the ranking, rings and anomalies as a whole, and lists them back', async () => {
    const store = await freshStore();
    expect(await store.analytics.analyticsCounts()).toEqual({
      handlersRanked: 0,
      handlersSignificant: 0,
      rings: 0,
      anomalies: 0,
    });
    const risk = (handlerId: string, rank: number, pValue: number): HandlerRisk => ({
      handlerId,
      rank,
      role: rank === 1 ? 'station_head' : undefined,
      regionCode: '430422',
      riskScore: -Math.log10(pValue),
      beneficiaries: 30,
      deceasedLinked: rank === 1 ? 7 : 0,
      expectedDeceased: 0.25,
      pValue,
      qValue: Math.min(1, pValue * 2),
      significant: rank === 1,
      reasons: ['certified 7 beneficiaries as alive after their death', 'with, a "comma"'],
      acts: [{ act: 'certified', beneficiaries: 30, deceased: 7, expected: 0.25, peerRate: 0.008 }],
    });
    const ring: RingFinding = {
      ringId: 'ring-0123456789ab',
      members: [
        { card: '6217001234567890123', beneficiaryIds: ['B1'], sweeps: 5, membership: 'core' },
        { card: '6217009876543210987', beneficiaryIds: [], sweeps: 1, membership: 'attached' },
      ],
      sweeps: 5,
      terminals: ['ATM-1'],
      firstTs: 1_600_000_000_000,
      lastTs: 1_610_000_000_000,
      nightSweeps: 4,
      withdrawnFen: 1_234_500,
      deceasedBeneficiaries: 1,
      handlers: [{ handlerId: 'H1', role: 'station_head', vouchedAfterDeath: 1, manages: 0 }],
      sharedContacts: 0,
      score: 6,
      explanation: '2 cards used one after another',
    };
    const anomaly: Anomaly = {
      anomalyId: 'certification_after_death:B1',
      kind: 'certification_after_death',
      severity: 'high',
      subjectType: 'beneficiary',
      subjectId: 'B1',
      beneficiaryIds: ['B1'],
      handlerId: 'H1',
      deviceId: undefined,
      occurredOn: '2020-05-01' as CalendarDate,
      explanation: 'certified as alive after the death',
      evidence: ['C1', 'household_register:D2'],
    };
    const first = {
      analyzedAt: 5,
      asOf: undefined,
      handlers: [risk('H2', 2, 0.5), risk('H1', 1, 1e-250)],
      rings: [ring],
      anomalies: [
        anomaly,
        { ...anomaly, anomalyId: 'x:B2', kind: 'reactivation_of_dead' as const, subjectId: 'B2' },
      ],
    };
    await store.analytics.replaceAnalytics(first);
    await store.analytics.replaceAnalytics(first);
    expect(await store.analytics.listHandlerRisk()).toEqual([risk('H1', 1, 1e-250), risk('H2', 2, 0.5)]);
    expect(await store.analytics.listRings()).toEqual([ring]);
    expect(await store.analytics.listAnomalies({ kind: 'certification_after_death' })).toEqual([anomaly]);
    expect(await store.analytics.analyticsCounts()).toEqual({
      handlersRanked: 2,
      handlersSignificant: 1,
      rings: 1,
      anomalies: 2,
    });
    await store.analytics.replaceAnalytics({
      analyzedAt: 6,
      asOf: undefined,
      handlers: [],
      rings: [],
      anomalies: [],
    });
    expect(await store.analytics.analyticsCounts()).toMatchObject({
      handlersRanked: 0,
      rings: 0,
      anomalies: 0,
    });
    expect(await store.analytics.listRings()).toEqual([]);
  });
});

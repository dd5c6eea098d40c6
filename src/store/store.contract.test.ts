import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CardNumber } from '../core/card-number.js';
import type { CalendarDate, Period } from '../core/time.js';
import type { FlaggedRow, IngestBatch, LoadId, QuarantinedRow } from '../ingest/ports.js';
import type { DeathSource, RecordKind } from '../records/enums.js';
import { RECORD_KINDS } from '../records/enums.js';
import { type CardEvent, KIND_SPECS, type Payment, type RecordOf } from '../records/schemas.js';
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
      { file: 'in/beneficiaries.csv', kind: 'beneficiaries', rows: 2 },
      { file: 'payments.csv', kind: 'payments', rows: 1 },
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
    expect(status.quarantine).toEqual([{ file: 'payments.csv', kind: 'payments', rows: 1 }]);
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

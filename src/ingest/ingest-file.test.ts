import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCharacter } from '../core/id-number.js';
import type { RecordKind } from '../records/enums.js';
import { type IngestFileOptions, ingestFile } from './ingest-file.js';
import type { IngestProgress } from './progress.js';
import { createMemorySink, type MemorySink } from './testing/memory-sink.js';

const dir = mkdtempSync(join(tmpdir(), 'ghostwatch-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function fixture(name: string, content: string | Buffer): string {
  const path = join(dir, `${++fileCount}-${name}`);
  writeFileSync(path, content);
  return path;
}

/** 2021-03-01 12:00 in Shanghai. */
const NOW = Date.UTC(2021, 2, 1, 4);
const clock = () => NOW;

function load(sink: MemorySink, kind: RecordKind, path: string, extra: Partial<IngestFileOptions> = {}) {
  return ingestFile({ sink, kind, path, clock, ...extra });
}

const id17 = '43042219500315123';
const ID = id17 + checkCharacter(id17); // born 1950-03-15, sequence 123: male
const WRONG_CHECK = id17 + (checkCharacter(id17) === '0' ? '1' : '0');
const CARD = '6217001234567890123';

const VALID: Record<RecordKind, string> = {
  handlers: 'handler_id,name,role,unit,region_code\nH1,Chen Jing,clerk,County centre,430422\nH2,刘洋,,,\n',
  beneficiaries: `beneficiary_id,name,id_number,sex,birth_date,region_code,address,phone,bank_card,scheme,monthly_amount,enrolled_at,handler_id,status\nB1,王秀英,${ID},M,1950-03-15,430422,"西渡镇, 3组",13800000000,${CARD},urban_employee,2450.5,2010-05-01,H1,active\nB2,李娜,,,,,,,,,,,,\n`,
  'account-changes': `beneficiary_id,changed_at,old_card,new_card,handler_id\nB1,2020-06-01,${CARD},6217009876543210987,H1\n`,
  'status-changes':
    'beneficiary_id,changed_at,from_status,to_status,reason,handler_id,approved_by\nB1,2020-07-01,active,suspended,missed certification,H1,H2\n',
  payments: `payment_id,beneficiary_id,period,paid_at,amount,bank_card\nP1,B1,2021-01,2021-01-15,2450.50,${CARD}\nP2,B1,2021-02,2021-02-15,2450.5,\n`,
  deaths: `record_id,source,name,id_number,sex,birth_date,death_date,region_code,address,reported_at\nD1,civil_affairs,王秀英,${ID},M,1950-03-15,2020-12-30,430422,,2021-01-05\n`,
  certifications:
    'certification_id,beneficiary_id,certified_at,channel,handler_id,device_id\nC1,B1,2020-09-01,face_app,,PHONE-1\n',
  'card-events': `{"event_id":"E1","ts":"2021-02-01T23:41:07+08:00","card":"${CARD}","terminal_id":"ATM-430422-0007","terminal_region":"430422","channel":"atm","type":"withdrawal","amount":"2000.00","result":"approved","session_id":"S9"}\n{"event_id":"E2","ts":"2021-02-01T23:42:00+08:00","card":"${CARD}","channel":"online","type":"balance_inquiry","amount":null}\n`,
};

const EXPECTED_ROWS: Record<RecordKind, number> = {
  handlers: 2,
  beneficiaries: 2,
  'account-changes': 1,
  'status-changes': 1,
  payments: 2,
  deaths: 1,
  certifications: 1,
  'card-events': 2,
};

describe('ingestFile: every kind', () => {
  for (const kind of Object.keys(VALID) as RecordKind[]) {
    it(`loads a small valid ${kind} file`, async () => {
      const sink = createMemorySink();
      const path = fixture(`${kind}.${kind === 'card-events' ? 'jsonl' : 'csv'}`, VALID[kind]);
      const result = await load(sink, kind, path);
      expect(result).toEqual({
        ok: true,
        value: {
          kind,
          file: path,
          rows: EXPECTED_ROWS[kind],
          loaded: EXPECTED_ROWS[kind],
          quarantined: 0,
          flagged: 0,
          encoding: 'utf8',
          elapsedMs: 0,
        },
      });
      expect(sink.records(kind).size).toBe(EXPECTED_ROWS[kind]);
      expect(sink.quarantined(resolve(path))).toEqual([]);
      expect(sink.loads[0]).toMatchObject({
        status: 'done',
        start: { fileKey: resolve(path), fileName: path, kind, startedAt: NOW },
        summary: { rows: EXPECTED_ROWS[kind], loaded: EXPECTED_ROWS[kind], quarantined: 0 },
      });
    });
  }

  it('reads values into domain records (fen, dates, empty cells absent)', async () => {
    const sink = createMemorySink();
    await load(sink, 'beneficiaries', fixture('b.csv', VALID.beneficiaries));
    expect(sink.records('beneficiaries').get('B1')).toMatchObject({
      name: '王秀英',
      idNumber: ID,
      address: '西渡镇, 3组',
      monthlyAmountFen: 245050,
      enrolledAt: '2010-05-01',
      status: 'active',
    });
    const b2 = sink.records('beneficiaries').get('B2');
    expect(b2?.idNumber).toBeUndefined();
    expect(b2?.address).toBeUndefined();
    expect(b2?.monthlyAmountFen).toBeUndefined();
  });
});

describe('ingestFile: header', () => {
  it('takes the columns in any order, any case, and ignores extra columns', async () => {
    const sink = createMemorySink();
    const text =
      ' AMOUNT ,Remarks,paid_at,Payment_ID,period,beneficiary_id\n2450.50,hello,2021-01-15,P1,2021-01,B1\n';
    const result = await load(sink, 'payments', fixture('order.csv', text));
    expect(result.ok && result.value.loaded).toBe(1);
    expect(sink.records('payments').get('P1')).toEqual({
      paymentId: 'P1',
      beneficiaryId: 'B1',
      period: '2021-01',
      paidAt: '2021-01-15',
      amountFen: 245050,
      bankCard: undefined,
    });
  });

  it('reads a file with a UTF-8 BOM', async () => {
    const sink = createMemorySink();
    const path = fixture('bom.csv', `\uFEFF${VALID.handlers}`);
    const result = await load(sink, 'handlers', path);
    expect(result.ok && result.value.loaded).toBe(2);
    expect(sink.records('handlers').get('H2')?.name).toBe('刘洋');
  });

  it('stops a file with a missing required column before anything is written', async () => {
    const sink = createMemorySink();
    const path = fixture(
      'payments.csv',
      'payment_id,beneficiary_id,period,paid_at\nP1,B1,2021-01,2021-01-15\n',
    );
    const result = await load(sink, 'payments', path);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.code).toBe('ingest.missing_column');
    expect(result.issues[0]?.message).toContain(path);
    expect(result.issues[0]?.message).toMatch(/missing required column amount\b/);
    expect(sink.loads).toEqual([]);
    expect(sink.writes).toBe(0);
  });

  it('names every missing column, and --source for deaths', async () => {
    const sink = createMemorySink();
    const path = fixture('deaths.csv', 'record_id,name\nD1,x\n');
    const result = await load(sink, 'deaths', path);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.message).toMatch(/missing required columns source, death_date/);
    expect(result.issues[0]?.message).toContain('--source');
    expect(sink.loads).toEqual([]);
  });

  it('refuses a 0-byte file, and loads a file with only a header as 0 rows', async () => {
    const sink = createMemorySink();
    const empty = await load(sink, 'payments', fixture('empty.csv', ''));
    expect(empty).toMatchObject({ ok: false, issues: [{ code: 'ingest.empty_file' }] });
    expect(!empty.ok && empty.issues[0]?.message).toMatch(/empty \(0 bytes\).*no header row/);
    const blank = await load(sink, 'payments', fixture('blank.csv', '\n\n'));
    expect(blank).toMatchObject({ ok: false, issues: [{ code: 'ingest.no_header' }] });
    expect(sink.loads).toEqual([]);

    const headerOnly = await load(
      sink,
      'payments',
      fixture('header.csv', 'payment_id,beneficiary_id,period,paid_at,amount\r\n'),
    );
    expect(headerOnly).toMatchObject({ ok: true, value: { rows: 0, loaded: 0, quarantined: 0 } });
    expect(sink.loads).toHaveLength(1);
    expect(sink.loads[0]?.status).toBe('done');
  });

  it('a missing file is one clear failure', async () => {
    const path = join(dir, 'nope.csv');
    const result = await load(createMemorySink(), 'payments', path);
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          code: 'ingest.unreadable',
          path: [],
          message: `${path}: no such file; check the path and run the command again`,
        },
      ],
    });
    const folder = await load(createMemorySink(), 'payments', dir);
    expect(folder).toMatchObject({
      ok: false,
      issues: [{ message: expect.stringContaining('is a directory') }],
    });
  });
});

describe('ingestFile: quarantine', () => {
  it('quarantines an unbalanced quote in the middle of a file by its line, and loads the lines after it', async () => {
    const sink = createMemorySink();
    const text = [
      'payment_id,beneficiary_id,period,paid_at,amount',
      'P1,B1,2021-01,2021-01-15,100',
      'P2,"B2,2021-01,2021-01-15,100',
      'P3,B3,2021-01,2021-01-15,100',
      'P4,"B4",2021-01,2021-01-15,100',
      'P5,B5,2021-01,2021-01-15,100',
    ].join('\n');
    const path = fixture('quote.csv', text);
    const result = await load(sink, 'payments', path);
    expect(result).toMatchObject({ ok: true, value: { rows: 5, loaded: 4, quarantined: 1 } });
    expect([...sink.records('payments').keys()]).toEqual(['P1', 'P3', 'P4', 'P5']);
    expect(sink.quarantined(resolve(path))).toEqual([
      {
        line: 3,
        column: undefined,
        code: 'csv.malformed',
        reason: expect.stringContaining('unbalanced quote'),
        raw: 'P2,"B2,2021-01,2021-01-15,100',
      },
    ]);
  });

  it('quarantines wrong types with column and reason, and loads the rest', async () => {
    const sink = createMemorySink();
    const text = [
      'payment_id,beneficiary_id,period,paid_at,amount',
      'P1,B1,2021-01,2021-02-30,100',
      'P2,B1,2021-01,2021-01-15,12.345',
      'P3,B1,2021-13,2021-01-15,100',
      'P4,B1,2021-01,2021-01-15,',
      'P5,B1,2021-01,2021-01-15,99.9',
    ].join('\n');
    const path = fixture('types.csv', text);
    const result = await load(sink, 'payments', path);
    expect(result).toMatchObject({ ok: true, value: { rows: 5, loaded: 1, quarantined: 4 } });
    expect(sink.records('payments').get('P5')?.amountFen).toBe(9990);
    const rows = sink.quarantined(resolve(path));
    expect(rows.map((r) => [r.line, r.column, r.code])).toEqual([
      [2, 'paid_at', 'date.impossible'],
      [3, 'amount', 'money.too_many_decimals'],
      [4, 'period', 'period.format'],
      [5, 'amount', 'schema.invalid_type'],
    ]);
    expect(rows[1]?.reason).toMatch(/^amount: "12.345" has more than two decimal places/);
    expect(rows[3]?.reason).toBe('amount: is empty; this column is required');
    expect(rows[0]?.raw).toBe('P1,B1,2021-01,2021-02-30,100');
  });

  it('quarantines an ID number with letters, flags a wrong check character, and masks both', async () => {
    const sink = createMemorySink();
    const text = [
      'beneficiary_id,name,id_number,birth_date',
      'B1,王秀英,4304221950031AB123,',
      `B2,李娜,${WRONG_CHECK},`,
      `B3,张伟,${ID},1950-03-16`,
    ].join('\n');
    const path = fixture('ids.csv', text);
    const result = await load(sink, 'beneficiaries', path);
    expect(result).toMatchObject({ ok: true, value: { rows: 3, loaded: 2, quarantined: 1, flagged: 2 } });
    expect(sink.quarantined(resolve(path))).toMatchObject([
      { line: 2, column: 'id_number', code: 'id.characters' },
    ]);
    expect(sink.flags(resolve(path))).toEqual([
      {
        line: 3,
        column: 'id_number',
        code: 'id.check_character',
        message: expect.any(String),
        recordKey: 'B2',
      },
      {
        line: 4,
        column: 'birth_date',
        code: 'id.birth_date_mismatch',
        message: expect.any(String),
        recordKey: 'B3',
      },
    ]);
    expect(sink.records('beneficiaries').get('B2')?.idNumber).toBe(WRONG_CHECK);
  });

  it('quarantines a 0-byte line, invalid JSON and a bad event in a card-events file', async () => {
    const sink = createMemorySink();
    const good = (id: string) =>
      `{"event_id":"${id}","ts":"2021-02-01T23:41:07+08:00","card":"${CARD}","terminal_id":"T1","channel":"atm","type":"withdrawal","amount":"100"}`;
    const text = [
      good('E1'),
      '',
      `{"event_id":"E3","card":"${CARD}",`,
      '{"event_id":"E4","ts":"2021-02-01T23:41:07+08:00","card":"1234","channel":"atm","type":"withdrawal"}',
      good('E5'),
      good('E1'),
      '',
    ].join('\n');
    const path = fixture('events.jsonl', text);
    const result = await load(sink, 'card-events', path);
    expect(result).toMatchObject({ ok: true, value: { rows: 6, loaded: 3, quarantined: 3 } });
    expect([...sink.records('card-events').keys()]).toEqual(['E1', 'E5']);
    const rows = sink.quarantined(resolve(path));
    expect(rows.map((r) => [r.line, r.column, r.code])).toEqual([
      [2, undefined, 'jsonl.empty_line'],
      [3, undefined, 'jsonl.invalid_json'],
      [4, 'card', 'schema.invalid_format'],
    ]);
    expect(rows[1]?.reason).not.toContain(CARD);
    expect(rows[2]?.reason).toMatch(/^card: must be a card number/);
    expect(rows[2]?.reason).toContain('terminal_id: is required for atm events');
  });

  it('keeps line numbers right after quoted fields with newlines', async () => {
    const sink = createMemorySink();
    const text = [
      'beneficiary_id,name,address',
      'B1,王秀英,"西渡镇',
      '3组, 12号"',
      'B2,,"two',
      'lines"',
      'B3,李娜,x',
    ].join('\r\n');
    const path = fixture('multiline.csv', text);
    const result = await load(sink, 'beneficiaries', path);
    expect(result).toMatchObject({ ok: true, value: { loaded: 2, quarantined: 1 } });
    expect(sink.records('beneficiaries').get('B1')?.address).toBe('西渡镇\r\n3组, 12号');
    expect(sink.quarantined(resolve(path))).toMatchObject([{ line: 4, column: 'name' }]);
    expect(sink.loads[0]?.throughLine).toBe(6);
  });
});

describe('ingestFile: encodings and chunks', () => {
  const text = 'beneficiary_id,name,address\nB1,王秀英,湖南省衡阳县\nB2,欧阳娜,"长沙市, 芙蓉区"\n';

  it('detects a GBK file and reads its Chinese names, in any read size', async () => {
    const path = fixture('gbk.csv', iconv.encode(text, 'gbk'));
    for (const readSize of [1, 2, 3, 7, 65536]) {
      const sink = createMemorySink();
      const result = await load(sink, 'beneficiaries', path, { readSize });
      expect(result).toMatchObject({ ok: true, value: { loaded: 2, quarantined: 0, encoding: 'gb18030' } });
      expect(sink.records('beneficiaries').get('B1')).toMatchObject({
        name: '王秀英',
        address: '湖南省衡阳县',
      });
      expect(sink.records('beneficiaries').get('B2')?.name).toBe('欧阳娜');
    }
  });

  it('reads UTF-8 characters split across reads', async () => {
    const path = fixture('utf8.csv', text);
    for (const readSize of [1, 2, 5]) {
      const sink = createMemorySink();
      const result = await load(sink, 'beneficiaries', path, { readSize });
      expect(result).toMatchObject({ ok: true, value: { loaded: 2, encoding: 'utf8' } });
      expect(sink.records('beneficiaries').get('B2')?.address).toBe('长沙市, 芙蓉区');
    }
  });

  it('a named encoding overrides detection; rows with undecodable bytes are quarantined', async () => {
    const path = fixture('named.csv', iconv.encode(text, 'gbk'));
    const named = await load(createMemorySink(), 'beneficiaries', path, { encoding: 'gbk' });
    expect(named).toMatchObject({ ok: true, value: { loaded: 2, encoding: 'gbk' } });
    const sink = createMemorySink();
    const wrong = await load(sink, 'beneficiaries', path, { encoding: 'utf8' });
    expect(wrong).toMatchObject({ ok: true, value: { loaded: 0, quarantined: 2 } });
    expect(sink.quarantined(resolve(path))[0]).toMatchObject({ line: 2, code: 'encoding.invalid_bytes' });
  });

  it('reports progress with bytes read against the file size', async () => {
    const seen: IngestProgress[] = [];
    const path = fixture('p.csv', VALID.payments);
    await load(createMemorySink(), 'payments', path, { readSize: 16, onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toEqual({
      rows: 2,
      bytesRead: VALID.payments.length,
      bytesTotal: VALID.payments.length,
      elapsedMs: 0,
    });
  });
});

describe('ingestFile: deaths', () => {
  it('takes the source from --source when the column is absent or a cell is empty', async () => {
    const sink = createMemorySink();
    const absent = fixture('d1.csv', 'record_id,name,death_date\nD1,王秀英,2020-12-30\n');
    expect(await load(sink, 'deaths', absent, { source: 'cremation' })).toMatchObject({
      ok: true,
      value: { loaded: 1 },
    });
    const mixed = fixture(
      'd2.csv',
      'record_id,source,name,death_date\nD2,,李娜,2020-12-30\nD3,hospital,张伟,2020-12-31\n',
    );
    await load(sink, 'deaths', mixed, { source: 'cremation' });
    expect([...sink.records('deaths').keys()].sort()).toEqual([
      'cremation|D1',
      'cremation|D2',
      'hospital|D3',
    ]);
  });

  it('stamps each death record with the load date in Shanghai, what reported_at defaults to', async () => {
    const sink = createMemorySink();
    const path = fixture(
      'd.csv',
      'record_id,source,name,death_date,reported_at\nD1,other,x,2020-12-30,\nD2,other,y,2020-12-30,2021-01-02\n',
    );
    await ingestFile({ sink, kind: 'deaths', path, clock: () => Date.UTC(2021, 2, 1, 20) });
    expect(sink.records('deaths').get('other|D1')).toMatchObject({
      reportedAt: undefined,
      loadedOn: '2021-03-02',
    });
    expect(sink.records('deaths').get('other|D2')).toMatchObject({
      reportedAt: '2021-01-02',
      loadedOn: '2021-03-02',
    });
  });

  it('refuses --source for other kinds', async () => {
    const result = await load(createMemorySink(), 'payments', fixture('x.csv', VALID.payments), {
      source: 'hospital',
    });
    expect(result).toMatchObject({ ok: false, issues: [{ code: 'ingest.source_not_applicable' }] });
  });
});

describe('ingestFile: idempotence', () => {
  const goodRow = fc
    .record({
      id: fc.integer({ min: 1, max: 40 }),
      fen: fc.integer({ min: 0, max: 10_000_000 }),
      month: fc.integer({ min: 1, max: 12 }),
    })
    .map(({ id, fen, month }) => {
      const m = String(month).padStart(2, '0');
      return `P${id},B${id % 7},2021-${m},2021-${m}-15,${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
    });
  const badRow = fc.constantFrom(
    'P99,B1,2021-01,2021-02-30,10',
    'P98,B1,2021-01,2021-01-15,12.345',
    'P97,"B1,2021-01,2021-01-15,10',
    'P96,B1,2021-01',
    ',B1,2021-01,2021-01-15,10',
    'P95,B1,2021-01,2021-01-15,abc',
  );

  it('loading the same file twice gives the same store and the same summary', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(goodRow, badRow), { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (lines, batchSize) => {
          const path = fixture(
            'prop.csv',
            ['payment_id,beneficiary_id,period,paid_at,amount', ...lines].join('\n'),
          );
          const sink = createMemorySink();
          const first = await load(sink, 'payments', path, { batchSize });
          const afterFirst = sink.snapshot();
          const second = await load(sink, 'payments', path, { batchSize });
          expect(second).toEqual(first);
          expect(sink.snapshot()).toEqual(afterFirst);
          expect(first.ok && first.value.rows).toBe(lines.length);
          const fresh = createMemorySink();
          await load(fresh, 'payments', path, { batchSize: 1000 });
          expect(fresh.snapshot()).toEqual(afterFirst);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a corrected row replaces the old one', async () => {
    const sink = createMemorySink();
    const header = 'payment_id,beneficiary_id,period,paid_at,amount\n';
    const path = fixture('fix.csv', `${header}P1,B1,2021-01,2021-01-15,12.345\nP2,B1,2021-01,2021-01-15,1\n`);
    await load(sink, 'payments', path);
    expect(sink.quarantined(resolve(path))).toHaveLength(1);
    writeFileSync(path, `${header}P1,B1,2021-01,2021-01-15,12.34\nP2,B1,2021-01,2021-01-15,2\n`);
    await load(sink, 'payments', path);
    expect(sink.quarantined(resolve(path))).toEqual([]);
    expect(sink.records('payments').get('P1')?.amountFen).toBe(1234);
    expect(sink.records('payments').get('P2')?.amountFen).toBe(200);
  });
});

describe('ingestFile: reading in a worker thread', () => {
  it('gives the same store and summary as reading on this thread, for every kind', async () => {
    for (const kind of Object.keys(VALID) as RecordKind[]) {
      const path = fixture(`worker-${kind}.${kind === 'card-events' ? 'jsonl' : 'csv'}`, VALID[kind]);
      const here = createMemorySink();
      const there = createMemorySink();
      const a = await load(here, kind, path, { worker: false, batchSize: 2 });
      const b = await load(there, kind, path, { worker: true, batchSize: 2 });
      expect(b.ok && { ...b.value, elapsedMs: 0 }).toEqual(a.ok && { ...a.value, elapsedMs: 0 });
      expect(there.snapshot()).toEqual(here.snapshot());
    }
  });

  it('with bad rows, a malformed line and many batches, the worker loses nothing and keeps the order', async () => {
    const lines = ['payment_id,beneficiary_id,period,paid_at,amount'];
    for (let i = 0; i < 3000; i++) {
      if (i % 97 === 0) lines.push(`P${i},B1,2020-01,2020-01-15,12.345`);
      else if (i % 389 === 0) lines.push(`P${i},"B1,2020-01,2020-01-15,10`);
      else lines.push(`P${i % 2500},B${i},2020-01,2020-01-15,${i}.5`);
    }
    const path = fixture('worker-payments.csv', `${lines.join('\n')}\n`);
    const here = createMemorySink();
    const there = createMemorySink();
    const a = await load(here, 'payments', path, { worker: false, batchSize: 100 });
    const b = await load(there, 'payments', path, { worker: true, batchSize: 100 });
    expect(a.ok && a.value.quarantined).toBeGreaterThan(30);
    expect(b.ok && { ...b.value, elapsedMs: 0 }).toEqual(a.ok && { ...a.value, elapsedMs: 0 });
    expect(there.snapshot()).toEqual(here.snapshot());
  });

  it('a missing required column is refused before anything is written, in a worker too', async () => {
    const path = fixture('worker-missing.csv', 'payment_id,beneficiary_id,period\nP1,B1,2020-01\n');
    const sink = createMemorySink();
    const result = await load(sink, 'payments', path, { worker: true });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]?.message).toContain('amount');
    expect(sink.snapshot()).toEqual(createMemorySink().snapshot());
  });
});

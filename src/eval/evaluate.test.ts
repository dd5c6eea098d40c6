import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { formatEvaluation } from './format-evaluation.js';
import { readTruth } from './read-truth.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2021-01-10T14:00:00Z');

/** Five beneficiaries: two ring victims, one relative fraud, one dead with no record, one living. */
const BENEFICIARIES = [
  'beneficiary_id,dead,death_date,fraud_scheme,fraud_since,first_fraudulent_withdrawal,ring_card,fraud_card,overpaid_amount,payments_after_death,death_records,card,status',
  `B1,true,2019-03-01,ring,2019-05-01,${new Date(T0).toISOString().replace('Z', '+00:00')},6200000000000000001,6200000000000000001,"1,200.00",12,2,6200000000000000001,active`,
  `B2,true,2019-04-01,ring,2019-06-01,${new Date(T0 + 10 * HOUR).toISOString().replace('Z', '+00:00')},6200000000000000002,6200000000000000002,300.00,3,1,6200000000000000002,active`,
  'B3,true,2020-01-01,relative,2020-01-01,,,6200000000000000003,150.50,1,1,6200000000000000003,active',
  'B4,true,2020-02-01,none,,,,,0.00,0,0,6200000000000000004,suspended',
  'B5,false,,none,,,,,0.00,0,0,6200000000000000005,active',
  'B6,false,,none,,,,,0.00,0,0,6200000000000000006,active',
].join('\r\n');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ghostwatch-eval-'));
  const truth = join(dir, 'truth');
  mkdirSync(truth);
  writeFileSync(join(truth, 'meta.json'), JSON.stringify({ seed: 1, size: 6, asOf: '2021-06-30' }));
  writeFileSync(join(truth, 'beneficiaries.csv'), `${BENEFICIARIES}\r\n`);
  writeFileSync(
    join(truth, 'handlers.csv'),
    'handler_id,role,colluding\nH1,section_head,true\nH2,clerk,false\nH3,station_head,true\nH4,agent,false\n',
  );
  writeFileSync(
    join(truth, 'bad_rows.csv'),
    'file,line,column,defect\npayments.csv,10,amount,amount_three_decimals\ndeaths.csv,5,,unbalanced_quote\ncard_events.jsonl,7,ts,timestamp_without_offset\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('evaluate', () => {
  it('reads the truth back (quoted money, timestamps)', async () => {
    const truth = await readTruth(dir);
    expect(truth.beneficiaries.get('B1')).toMatchObject({
      dead: true,
      overpaidFen: 120_000,
      firstFraudulentWithdrawal: T0,
    });
    expect(truth.handlers.filter((h) => h.colluding)).toHaveLength(2);
    expect(truth.badRows).toHaveLength(3);
  });

  it('reports every section unavailable when nothing was observed, not zero', async () => {
    const result = await evaluate(dir, {});
    for (const section of [result.suspects, result.alerts, result.handlers, result.quarantine]) {
      expect(section.kind).toBe('unavailable');
    }
    expect(formatEvaluation(result)).toContain('unavailable');
  });

  it('scores suspects: precision, recall over the dead with a record, overpayment', async () => {
    const result = await evaluate(dir, {
      suspects: [
        { beneficiaryId: 'B1', overpaidFen: 110_000, decision: 'confirmed' },
        { beneficiaryId: 'B3', overpaidFen: 15_050, decision: 'review' },
        { beneficiaryId: 'B5', overpaidFen: 0, decision: 'confirmed' },
        { beneficiaryId: 'B4', overpaidFen: 0, decision: 'review' },
      ],
    });
    const s = result.suspects;
    expect(s.kind).toBe('measured');
    if (s.kind !== 'measured') return;
    expect(s.precision).toBeCloseTo(3 / 4);
    expect(s.confirmedPrecision).toBeCloseTo(1 / 2);
    // Dead with a record: B1, B2, B3 (B4 has none); found B1 and B3.
    expect(s.deadWithRecord).toBe(3);
    expect(s.recall).toBeCloseTo(2 / 3);
    expect(s.fraudRecall).toBeCloseTo(2 / 3);
    expect(s.overpaidTruthFen).toBe(120_000 + 30_000 + 15_050);
    expect(s.overpaidTruthFoundFen).toBe(135_050);
    expect(s.overpaidObservedFoundFen).toBe(125_050);
    expect(s.overpaidObservedFen).toBe(125_050);
    expect(s.contested).toBe(0);
  });

  it('reports the overpayment of suspects contested by a life sign apart from the claimed total', async () => {
    const result = await evaluate(dir, {
      suspects: [
        { beneficiaryId: 'B1', overpaidFen: 110_000, decision: 'confirmed' },
        { beneficiaryId: 'B5', overpaidFen: 40_000, decision: 'review', contested: true },
        { beneficiaryId: 'B3', overpaidFen: 15_050, decision: 'review', contested: true },
      ],
    });
    const s = result.suspects;
    if (s.kind !== 'measured') throw new Error('suspects not measured');
    // Contested suspects stay suspects: precision and recall count them.
    expect(s.precision).toBeCloseTo(2 / 3);
    expect(s.found).toBe(2);
    expect(s.overpaidObservedFen).toBe(110_000);
    expect(s.overpaidObservedFoundFen).toBe(110_000);
    expect(s.contested).toBe(2);
    expect(s.contestedLiving).toBe(1);
    expect(s.overpaidContestedFen).toBe(55_050);
    expect(formatEvaluation(result)).toContain('contested by a life sign');
  });

  it('reports unsupported suspects apart too, splits the claim by decision, counts the living suspended', async () => {
    const result = await evaluate(dir, {
      suspects: [
        { beneficiaryId: 'B1', overpaidFen: 110_000, decision: 'confirmed', suspended: true },
        { beneficiaryId: 'B3', overpaidFen: 15_050, decision: 'review' },
        // A namesake's records only: a lead, not a claim.
        { beneficiaryId: 'B5', overpaidFen: 40_000, decision: 'review', unsupported: true },
        // A living person suspended on a wrong record; and one contested and unsupported (counted as contested).
        { beneficiaryId: 'B6', overpaidFen: 7_000, decision: 'confirmed', suspended: true },
        { beneficiaryId: 'B2', overpaidFen: 30_000, decision: 'review', contested: true, unsupported: true },
      ],
    });
    const s = result.suspects;
    if (s.kind !== 'measured') throw new Error('suspects not measured');
    expect(s.suspects).toBe(5);
    expect(s.precision).toBeCloseTo(3 / 5);
    expect(s.overpaidObservedFen).toBe(110_000 + 15_050 + 7_000);
    expect(s.overpaidConfirmedFen).toBe(117_000);
    expect(s.overpaidReviewFen).toBe(15_050);
    expect(s.unsupported).toBe(1);
    expect(s.unsupportedLiving).toBe(1);
    expect(s.overpaidUnsupportedFen).toBe(40_000);
    expect(s.contested).toBe(1);
    expect(s.overpaidContestedFen).toBe(30_000);
    expect(s.livingSuspended).toBe(1);
    const text = formatEvaluation(result);
    expect(text).toContain('no record about them');
    expect(text).toContain('living suspended');
  });

  it('scores alerts: ring coverage, median delay, false alerts per 1,000 living cards', async () => {
    const result = await evaluate(dir, {
      alerts: [
        // Covers B1's card 30 h after its first fraudulent withdrawal.
        {
          alertId: 'A1',
          firstTs: T0 + 30 * HOUR,
          beneficiaryIds: [],
          cards: ['6200000000000000001'],
          entityType: 'session',
          rule: 'multi_card',
        },
        // Covers B2 by beneficiary 20 h after (an earlier alert than A3).
        {
          alertId: 'A2',
          firstTs: T0 + 30 * HOUR,
          beneficiaryIds: ['B2'],
          cards: [],
          entityType: 'beneficiary',
          rule: 'dead_active',
        },
        {
          alertId: 'A3',
          firstTs: T0 + 100 * HOUR,
          beneficiaryIds: [],
          cards: ['6200000000000000002'],
          entityType: 'card',
          rule: 'x',
        },
        // Two false alerts on living people's cards.
        {
          alertId: 'A4',
          firstTs: T0,
          beneficiaryIds: [],
          cards: ['6200000000000000005'],
          entityType: 'card',
          rule: 'x',
        },
        {
          alertId: 'A5',
          firstTs: T0,
          beneficiaryIds: ['B6'],
          cards: [],
          entityType: 'beneficiary',
          rule: 'x',
        },
      ],
    });
    const a = result.alerts;
    expect(a.kind).toBe('measured');
    if (a.kind !== 'measured') return;
    expect(a.ringCards).toBe(2);
    expect(a.ringCardsCovered).toBe(2);
    expect(a.ringCoverage).toBe(1);
    expect(a.medianDelayHours).toBeCloseTo((30 + 20) / 2);
    expect(a.falseAlerts).toBe(2);
    expect(a.livingCards).toBe(2);
    expect(a.falseAlertsPer1000LivingCards).toBe(1000);
    expect(a.fraudCards).toBe(3);
    expect(a.fraudCardsCovered).toBe(2);
  });

  it('scores handlers: precision at k and rank of the first colluder', async () => {
    const result = await evaluate(dir, {
      handlers: [
        { handlerId: 'H2', riskScore: 0.9, pValue: 0.01 },
        { handlerId: 'H3', riskScore: 0.8, pValue: 0.02 },
        { handlerId: 'H4', riskScore: 0.1, pValue: 0.5 },
        { handlerId: 'H1', riskScore: 0.05, pValue: undefined },
      ],
    });
    const h = result.handlers;
    expect(h.kind).toBe('measured');
    if (h.kind !== 'measured') return;
    expect(h.colluders).toBe(2);
    expect(h.precisionAtK).toBeCloseTo(1 / 2);
    expect(h.firstColluderRank).toBe(2);
    expect(h.significantColluders).toBe(1);
    expect(h.significantOthers).toBe(1);
  });

  it('scores the quarantine: injected rows found, good rows refused, by file name whatever the path', async () => {
    const result = await evaluate(dir, {
      quarantine: [
        { file: '/data/county/payments.csv', line: 10 },
        { file: 'deaths.csv', line: 5 },
        { file: 'deaths.csv', line: 6 },
      ],
    });
    const q = result.quarantine;
    expect(q.kind).toBe('measured');
    if (q.kind !== 'measured') return;
    expect(q.injected).toBe(3);
    expect(q.found).toBe(2);
    expect(q.recall).toBeCloseTo(2 / 3);
    expect(q.unexpected).toBe(1);
    expect(q.missedExamples[0]).toContain('card_events.jsonl:7');
    expect(q.byFile['deaths.csv']).toEqual({ injected: 1, found: 1 });
    const table = formatEvaluation(result);
    expect(table).toContain('66.7 %');
    expect(JSON.parse(JSON.stringify(result))).toMatchObject({ quarantine: { found: 2 } });
  });
});

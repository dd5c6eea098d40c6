import { describe, expect, it } from 'vitest';
import type { CalendarDate, Period } from '../core/time.js';
import type { RecordKind } from '../records/enums.js';
import { KIND_SPECS, type RecordOf } from '../records/schemas.js';
import { createAnalyzer } from './analyze.js';
import type { AnalyticsResult, Anomaly, DeathEvidence, TerminalUse } from './ports.js';
import { createMemoryAnalyticsStore, type MemoryAnalyticsData } from './testing/memory-analytics-store.js';

const parse = <K extends RecordKind>(kind: K, row: Record<string, string>): RecordOf[K] =>
  KIND_SPECS[kind].schema.parse(row);

const handler = (id: string, role: string) =>
  parse('handlers', { handler_id: id, name: '李建国', role, region_code: '430422' });
const beneficiary = (id: string, extra: Record<string, string> = {}) =>
  parse('beneficiaries', {
    beneficiary_id: id,
    name: '王秀英',
    birth_date: '1950-03-01',
    scheme: 'urban_rural_resident',
    handler_id: 'CLERK1',
    status: 'active',
    ...extra,
  });
let certSeq = 0;
const cert = (b: string, date: string, channel: string, extra: Record<string, string> = {}) =>
  parse('certifications', {
    certification_id: `C${++certSeq}`,
    beneficiary_id: b,
    certified_at: date,
    channel,
    ...extra,
  });
const reactivation = (b: string, date: string, handlerId: string, approvedBy?: string) =>
  parse('status-changes', {
    beneficiary_id: b,
    changed_at: date,
    from_status: 'suspended',
    to_status: 'active',
    reason: 'reactivated',
    handler_id: handlerId,
    ...(approvedBy === undefined ? {} : { approved_by: approvedBy }),
  });
const dead = (date: string, strong = true): DeathEvidence => ({
  deathDate: date as CalendarDate,
  basis: 'exact_id',
  evidence: [`household_register:R-${date}`],
  strong,
});

const HANDLERS = [
  handler('HEAD1', 'station_head'),
  handler('HEAD2', 'station_head'),
  handler('HEAD3', 'station_head'),
  handler('CLERK1', 'clerk'),
  handler('CLERK2', 'clerk'),
  handler('SEC1', 'section_head'),
  handler('SEC2', 'section_head'),
  handler('DISB1', 'disbursement'),
  handler('AGENT1', 'agent'),
];

/** A quiet county: 60 living beneficiaries certified each year by station heads, clerks and the agent's phone. */
function quietCounty(): Required<Pick<MemoryAnalyticsData, 'beneficiaries' | 'certifications'>> {
  const beneficiaries = Array.from({ length: 60 }, (_, i) => beneficiary(`L${String(i).padStart(3, '0')}`));
  const certifications = beneficiaries.flatMap((b, i) =>
    ['2018-05-01', '2019-05-01', '2020-05-01'].map((date, year) =>
      (i + year) % 3 === 0
        ? cert(b.beneficiaryId, date, 'home_visit', { handler_id: ['HEAD1', 'HEAD2', 'HEAD3'][i % 3]! })
        : (i + year) % 3 === 1
          ? cert(b.beneficiaryId, date, 'in_person', { handler_id: i % 2 === 0 ? 'CLERK1' : 'CLERK2' })
          : cert(b.beneficiaryId, date, 'face_app', { handler_id: 'AGENT1', device_id: 'AGENT-PHONE' }),
    ),
  );
  return { beneficiaries, certifications };
}

async function analyze(data: MemoryAnalyticsData): Promise<AnalyticsResult> {
  const store = createMemoryAnalyticsStore({ handlers: HANDLERS, ...data });
  await createAnalyzer({ store, clock: () => 1_700_000_000_000 }).run();
  return store.saved[0]!;
}

const ofKind = (result: AnalyticsResult, kind: Anomaly['kind']) =>
  result.anomalies.filter((a) => a.kind === kind);

describe('certification anomalies', () => {
  it('finds certifications dated after a death, not those before it', async () => {
    const quiet = quietCounty();
    const result = await analyze({
      beneficiaries: [...quiet.beneficiaries, beneficiary('D1'), beneficiary('D2')],
      certifications: [
        ...quiet.certifications,
        cert('D1', '2018-05-01', 'in_person', { handler_id: 'CLERK1' }),
        cert('D1', '2020-05-03', 'home_visit', { handler_id: 'HEAD1' }),
        cert('D2', '2019-02-01', 'in_person', { handler_id: 'CLERK2' }),
      ],
      deaths: new Map([
        ['D1', dead('2019-07-01')],
        ['D2', dead('2019-06-30')],
      ]),
    });
    const found = ofKind(result, 'certification_after_death');
    expect(found.map((a) => a.subjectId)).toEqual(['D1']);
    expect(found[0]).toMatchObject({ severity: 'high', handlerId: 'HEAD1', occurredOn: '2020-05-03' });
    expect(found[0]?.explanation).toContain('after the death on 2019-07-01');
    expect(found[0]?.evidence).toContain('household_register:R-2019-07-01');
  });

  it('finds one handler and one device vouching for many who prove dead, and ranks that handler first', async () => {
    const quiet = quietCounty();
    const deadIds = ['D1', 'D2', 'D3', 'D4', 'D5'];
    const result = await analyze({
      beneficiaries: [...quiet.beneficiaries, ...deadIds.map((id) => beneficiary(id))],
      certifications: [
        ...quiet.certifications,
        ...deadIds.flatMap((id) => [
          cert(id, '2019-05-02', 'home_visit', { handler_id: 'HEAD1' }),
          cert(id, '2020-05-02', 'face_app', { device_id: 'RING-PHONE' }),
        ]),
      ],
      deaths: new Map(deadIds.map((id) => [id, dead('2018-09-01')])),
    });
    const byHandler = ofKind(result, 'handler_vouches_for_dead');
    expect(byHandler.map((a) => a.subjectId)).toEqual(['HEAD1']);
    expect(byHandler[0]?.beneficiaryIds).toEqual(deadIds);
    const byDevice = ofKind(result, 'device_vouches_for_dead');
    expect(byDevice.map((a) => a.subjectId)).toEqual(['RING-PHONE']);
    // The agent's phone certified 40 living people: a shared device, but not one vouching for the dead.
    expect(byDevice.some((a) => a.subjectId === 'AGENT-PHONE')).toBe(false);
    expect(result.handlers[0]).toMatchObject({ handlerId: 'HEAD1', significant: true, deceasedLinked: 5 });
    expect(result.handlers.filter((h) => h.significant).map((h) => h.handlerId)).toEqual(['HEAD1']);
  });

  it('does not count a single unconfirmed death record against a handler', async () => {
    const quiet = quietCounty();
    const result = await analyze({
      beneficiaries: [...quiet.beneficiaries, beneficiary('F1'), beneficiary('F2'), beneficiary('F3')],
      certifications: [
        ...quiet.certifications,
        ...['F1', 'F2', 'F3'].map((id) => cert(id, '2020-05-02', 'home_visit', { handler_id: 'HEAD2' })),
      ],
      deaths: new Map(['F1', 'F2', 'F3'].map((id) => [id, dead('2019-01-01', false)])),
    });
    expect(ofKind(result, 'certification_after_death').map((a) => a.severity)).toEqual([
      'medium',
      'medium',
      'medium',
    ]);
    expect(result.handlers.find((h) => h.handlerId === 'HEAD2')).toMatchObject({
      deceasedLinked: 0,
      significant: false,
    });
  });

  it('finds the very old vouched for by someone with no sign of life of their own', async () => {
    const result = await analyze({
      beneficiaries: [
        beneficiary('OLD1', { birth_date: '1924-01-01' }),
        beneficiary('OLD2', { birth_date: '1924-01-01' }),
        beneficiary('OLD3', { birth_date: '1924-01-01', phone: '13800000000' }),
        beneficiary('YOUNG', { birth_date: '1955-01-01' }),
      ],
      certifications: [
        // Only a station head's visits: flagged.
        cert('OLD1', '2019-04-01', 'home_visit', { handler_id: 'HEAD1' }),
        cert('OLD1', '2020-04-01', 'home_visit', { handler_id: 'HEAD1' }),
        // A silent (bigdata) certification last year: a sign of life.
        cert('OLD2', '2019-04-01', 'bigdata'),
        cert('OLD2', '2020-04-01', 'home_visit', { handler_id: 'HEAD1' }),
        // Their own phone: a sign of life.
        cert('OLD3', '2019-04-01', 'face_app', { device_id: 'OWN-PHONE' }),
        cert('OLD3', '2020-04-01', 'agent', { handler_id: 'AGENT1' }),
        cert('YOUNG', '2020-04-01', 'home_visit', { handler_id: 'HEAD1' }),
      ],
    });
    const found = ofKind(result, 'old_vouched_without_sign_of_life');
    expect(found.map((a) => a.subjectId)).toEqual(['OLD1']);
    expect(found[0]).toMatchObject({ handlerId: 'HEAD1', severity: 'low', occurredOn: '2020-04-01' });
    expect(found[0]?.explanation).toMatch(/^aged 96, certified on 2020-04-01 by HEAD1 \(home_visit\)/);
  });
});

describe('reactivation and account anomalies', () => {
  it('finds reactivations of the dead, without a second approver, and the person doing them repeatedly', async () => {
    const quiet = quietCounty();
    const result = await analyze({
      beneficiaries: [...quiet.beneficiaries, beneficiary('D1'), beneficiary('D2'), beneficiary('D3')],
      certifications: quiet.certifications,
      statusChanges: [
        // Honest clerks reactivate the living, with a section head's approval.
        ...quiet.beneficiaries
          .slice(0, 30)
          .map((b, i) => reactivation(b.beneficiaryId, '2020-08-01', i % 2 ? 'CLERK1' : 'CLERK2', 'SEC1')),
        // One honest reactivation with no approver.
        reactivation('L040', '2020-09-01', 'CLERK1'),
        // The disbursement clerk reactivates the dead, twice approved by a section head, once by himself.
        reactivation('D1', '2020-03-01', 'DISB1', 'SEC2'),
        reactivation('D2', '2020-04-01', 'DISB1', 'SEC2'),
        reactivation('D3', '2020-05-01', 'DISB1', 'DISB1'),
      ],
      deaths: new Map(['D1', 'D2', 'D3'].map((id) => [id, dead('2019-10-01')])),
    });
    expect(ofKind(result, 'reactivation_of_dead').map((a) => a.subjectId)).toEqual(['D1', 'D2', 'D3']);
    const unapproved = ofKind(result, 'reactivation_without_second_approver');
    expect(unapproved.map((a) => [a.subjectId, a.severity])).toEqual([
      ['D3', 'medium'],
      ['L040', 'low'],
    ]);
    expect(unapproved[0]?.explanation).toContain('who also approved it');
    const repeated = ofKind(result, 'unusual_reactivator');
    expect(repeated.map((a) => [a.subjectId, a.severity])).toEqual([['DISB1', 'high']]);
    const significant = result.handlers.filter((h) => h.significant).map((h) => h.handlerId);
    expect(significant).toEqual(expect.arrayContaining(['DISB1', 'SEC2']));
    expect(significant).not.toContain('SEC1');
    expect(significant).not.toContain('CLERK1');
  });

  it('finds cards changed near a death, and after it', async () => {
    const change = (b: string, date: string, card: string) =>
      parse('account-changes', { beneficiary_id: b, changed_at: date, new_card: card, handler_id: 'CLERK2' });
    const result = await analyze({
      beneficiaries: [beneficiary('D1'), beneficiary('D2'), beneficiary('D3'), beneficiary('L1')],
      accountChanges: [
        change('D1', '2020-02-10', '6217001234567890123'),
        change('D2', '2020-04-15', '6217001234567890131'),
        change('D3', '2019-06-01', '6217001234567890149'),
        change('L1', '2020-03-01', '6217001234567890156'),
      ],
      deaths: new Map([
        ['D1', dead('2020-03-01')],
        ['D2', dead('2020-03-01')],
        ['D3', dead('2020-03-01')],
      ]),
    });
    const found = ofKind(result, 'card_changed_near_death');
    expect(found.map((a) => [a.subjectId, a.severity])).toEqual([
      ['D1', 'medium'],
      ['D2', 'high'],
    ]);
    expect(found[0]?.explanation).toContain('20 days before the death on 2020-03-01');
    expect(found[1]?.explanation).toContain('45 days after');
    // No card number in any explanation.
    for (const a of result.anomalies) expect(a.explanation).not.toMatch(/\d{16,19}/);
  });
});

describe('rings through analyze', () => {
  it('reports a ring with its cards, beneficiaries, dead and the handlers who vouched for them', async () => {
    const cards = Array.from({ length: 6 }, (_, i) => `62170000000000001${String(i).padStart(2, '0')}`);
    const uses: TerminalUse[] = [];
    let seq = 0;
    for (let month = 0; month < 3; month++) {
      let t = Date.parse(`2021-0${month + 1}-15T22:00:00+08:00`);
      for (const card of month === 1 ? [...cards].reverse() : cards) {
        uses.push({
          terminalId: 'ATM-9',
          ts: t,
          eventId: `E${++seq}`,
          card,
          type: 'withdrawal',
          withdrawnFen: 50_000,
        });
        t += 90_000;
      }
    }
    const ringIds = cards.map((_, i) => `R${i}`);
    const result = await analyze({
      beneficiaries: ringIds.map((id, i) => beneficiary(id, { bank_card: cards[i]!, handler_id: 'CLERK1' })),
      certifications: ringIds.map((id) => cert(id, '2020-11-01', 'home_visit', { handler_id: 'HEAD3' })),
      deaths: new Map(ringIds.slice(0, 4).map((id) => [id, dead('2019-01-01')])),
      uses,
    });
    expect(result.rings).toHaveLength(1);
    const ring = result.rings[0]!;
    expect(ring.members.map((m) => m.card)).toEqual([...cards].sort());
    expect(ring.members.flatMap((m) => m.beneficiaryIds).sort()).toEqual(ringIds);
    expect(ring).toMatchObject({
      sweeps: 3,
      nightSweeps: 3,
      deceasedBeneficiaries: 4,
      withdrawnFen: 18 * 50_000,
    });
    expect(ring.handlers[0]).toMatchObject({ handlerId: 'HEAD3', vouchedAfterDeath: 4, manages: 0 });
    expect(ring.explanation).toContain('6 cards used one after another');
    expect(ring.explanation).not.toMatch(/\d{16,19}/);
    // Beneficiaries with no death record but a ring card count as believed dead from the first sweep.
    expect(ofKind(result, 'certification_after_death').map((a) => a.subjectId)).toEqual(ringIds.slice(0, 4));
    expect(result.handlers[0]?.handlerId).toBe('HEAD3');
    expect(result.handlers[0]?.reasons.some((r) => r.includes(ring.ringId))).toBe(true);
  });

  it('works with no card events, no deaths and no handlers', async () => {
    const store = createMemoryAnalyticsStore({ beneficiaries: [beneficiary('B1')] });
    const summary = await createAnalyzer({ store, clock: () => 0 }).run({
      asOf: '2021-06-30' as CalendarDate,
    });
    expect(summary).toMatchObject({ rings: 0, beneficiaries: 1, believedDead: 0, handlersSignificant: 0 });
    expect(store.saved[0]?.asOf).toBe('2021-06-30');
  });

  it('leaves out what happened after --as-of', async () => {
    const quiet = quietCounty();
    const data = {
      beneficiaries: [...quiet.beneficiaries, beneficiary('D1')],
      certifications: [
        ...quiet.certifications,
        cert('D1', '2020-05-03', 'home_visit', { handler_id: 'HEAD1' }),
      ],
      deaths: new Map([['D1', dead('2019-07-01')]]),
      lastPaid: new Map([['D1', '2020-05' as Period]]),
    };
    const store = createMemoryAnalyticsStore({ handlers: HANDLERS, ...data });
    await createAnalyzer({ store, clock: () => 0 }).run({ asOf: '2020-01-01' as CalendarDate });
    expect(store.saved[0]?.anomalies.filter((a) => a.kind === 'certification_after_death')).toEqual([]);
  });
});

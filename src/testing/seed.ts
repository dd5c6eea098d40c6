import type { Finding } from '../matching/ports.js';
import type { Alert } from '../monitor/alert.js';
import type { RecordKind } from '../records/enums.js';
import { KIND_SPECS, type RecordOf } from '../records/schemas.js';
import type { Store } from '../store/store.js';

/** Valid ID and card numbers for tests (check characters right), never real people. */
export const TEST_ID_NUMBER = '430422195003151234';
export const TEST_CARD = '6217001234567890123';

async function load<K extends RecordKind>(
  store: Store,
  kind: K,
  rows: readonly Record<string, string>[],
): Promise<void> {
  const records = rows.map((row) => KIND_SPECS[kind].schema.parse(row) as RecordOf[K]);
  const loadId = await store.beginLoad({
    fileKey: `seed:${kind}`,
    fileName: `seed-${kind}`,
    kind,
    startedAt: 0,
  });
  await store.writeBatch(loadId, { kind, records, quarantined: [], flags: [], throughLine: rows.length + 1 });
  await store.finishLoad(loadId, {
    finishedAt: 0,
    rows: rows.length,
    loaded: rows.length,
    quarantined: 0,
    flagged: 0,
  });
}

/**
 * A tiny county for cases and API tests: two handlers in two units, three beneficiaries, a death-matching
 * finding for B1 (overpaid ¥4,800) and B2 (¥1,200), and an alert on B1's card.
 */
export async function seedCounty(store: Store): Promise<{ readonly alert: Alert }> {
  await load(store, 'handlers', [
    { handler_id: 'H1', name: '张站长', role: 'station_head', unit: 'station-east' },
    { handler_id: 'H2', name: '李会计', role: 'clerk', unit: 'pension-centre' },
  ]);
  await load(store, 'beneficiaries', [
    {
      beneficiary_id: 'B1',
      name: '王秀英',
      id_number: TEST_ID_NUMBER,
      bank_card: TEST_CARD,
      handler_id: 'H1',
      monthly_amount: '200',
    },
    { beneficiary_id: 'B2', name: '刘德明', handler_id: 'H2', monthly_amount: '150' },
    { beneficiary_id: 'B3', name: '陈桂兰', handler_id: 'H2' },
  ]);
  const finding = (beneficiaryId: string, overpaidFen: number): Finding =>
    ({
      beneficiaryId,
      deathDate: '2019-03-12',
      dateSupport: 1,
      evidence: [`cremation:C-${beneficiaryId}`],
      matchProbability: 0.998,
      decision: 'confirmed',
      firstUnentitledPeriod: '2019-04',
      overpaidFen,
      overpaidPayments: 24,
      rollStatus: 'active',
      statusAfter: 'suspended',
      decisionId: '1',
      updatedAt: 0,
    }) as unknown as Finding;
  await store.replaceFindings([finding('B1', 480_000), finding('B2', 120_000)]);
  const alert = {
    alertId: 'AL-000000000000000000000001',
    rule: 'deceased-card-activity',
    ruleVersion: 'test',
    severity: 'high',
    score: 0.9,
    firstTs: 1_612_193_407_000,
    lastTs: 1_612_193_467_000,
    entityType: 'card',
    entityId: TEST_CARD,
    beneficiaryIds: ['B1'],
    explanation: `card ${TEST_CARD} used after its holder's death`,
    evidence: ['E1', 'E2'],
    status: 'open',
  } as Alert;
  await store.monitor.upsert([alert]);
  return { alert };
}

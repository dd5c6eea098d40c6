import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardEventInput } from '../records/schemas.js';
import { seedCounty, TEST_CARD } from '../testing/seed.js';
import { type StoreFixture, storeKinds } from '../testing/stores.js';
import { createLiveMonitor } from './commands/serve-monitor.js';

const [sqlite] = await storeKinds('serve monitor');

describe('the monitor behind the bank feed', () => {
  let fixture: StoreFixture;
  beforeEach(async () => {
    fixture = await sqlite!.open();
    await seedCounty(fixture.store);
  });
  afterEach(async () => fixture.cleanup());

  it('returns the alerts a batch opens, once: a batch sent again opens none', async () => {
    const onCardEvents = await createLiveMonitor(fixture.store);
    const events = [0, 1, 2].map((i) =>
      cardEventInput.parse({
        event_id: `LIVE-${i}`,
        ts: `2021-02-0${i + 1}T23:41:07+08:00`,
        card: TEST_CARD,
        terminal_id: 'ATM-430422-0007',
        channel: 'atm',
        type: 'withdrawal',
        amount: '2000.00',
      }),
    );
    const fresh = await onCardEvents(events);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((a) => a.beneficiaryIds.includes('B1'))).toBe(true);
    expect(await fixture.store.cases.getAlert(fresh[0]!.alertId)).toBeDefined();
    expect(await onCardEvents(events)).toEqual([]);
  });
});

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthService } from '../auth/auth-service.js';
import type { AlertView } from '../cases/ports.js';
import { seedCounty, TEST_CARD } from '../testing/seed.js';
import { type StoreFixture, storeKinds } from '../testing/stores.js';
import { createApp } from './app.js';
import { silentLogger } from './logger.js';
import { createWebhookNotifier, SIGNATURE_HEADER, signWebhook, verifyWebhook } from './webhooks.js';

interface Delivery {
  readonly path: string;
  readonly signature: string | undefined;
  readonly deliveryId: string | undefined;
  readonly body: string;
}

/** A webhook receiver on 127.0.0.1 that answers each path's statuses in turn (then 200). */
async function startReceiver(statuses: Record<string, number[]> = {}) {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      deliveries.push({
        path,
        signature: req.headers[SIGNATURE_HEADER] as string | undefined,
        deliveryId: req.headers['x-ghostwatch-delivery'] as string | undefined,
        body,
      });
      res.statusCode = statuses[path]?.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { deliveries, base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const SECRET = 'a-webhook-secret-of-32-characters';
const alert: AlertView = {
  alertId: 'AL-1',
  rule: 'hengnan-atm-sweep',
  severity: 'critical',
  score: 0.95,
  firstTs: 1_612_193_407_000,
  lastTs: 1_612_194_007_000,
  entityType: 'card',
  entityId: TEST_CARD,
  beneficiaryIds: ['B1'],
  explanation: `12 cards at one ATM, among them ${TEST_CARD}`,
  evidence: ['E1'],
};

describe('signed webhooks', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  afterEach(async () => receiver.close());

  it('signs each delivery so the receiver can verify body, secret and time', async () => {
    receiver = await startReceiver();
    const notifier = createWebhookNotifier({
      targets: [{ url: `${receiver.base}/hook`, secret: SECRET }],
      clock: Date.now,
      logger: silentLogger,
    });
    const reports = await notifier.notify([alert]);
    expect(reports).toEqual([
      { url: `${receiver.base}/hook`, alertId: 'AL-1', attempts: 1, delivered: true, status: 200 },
    ]);
    const [delivery] = receiver.deliveries;
    expect(verifyWebhook(SECRET, delivery?.signature, delivery!.body, Date.now())).toBe(true);
    expect(
      verifyWebhook('another-secret-entirely-xxxxxxxx', delivery?.signature, delivery!.body, Date.now()),
    ).toBe(false);
    expect(
      verifyWebhook(SECRET, delivery?.signature, delivery!.body.replace('critical', 'low'), Date.now()),
    ).toBe(false);
    expect(verifyWebhook(SECRET, delivery?.signature, delivery!.body, Date.now() + 10 * 60_000)).toBe(false);
    const payload = JSON.parse(delivery!.body) as {
      type: string;
      delivery_id: string;
      alert: Record<string, unknown>;
    };
    expect(payload).toMatchObject({
      type: 'alert.created',
      delivery_id: delivery?.deliveryId,
      alert: { alert_id: 'AL-1', entity_id: '621700*********0123' },
    });
    expect(delivery!.body).not.toContain(TEST_CARD);
    expect(signWebhook(SECRET, 1, 'x')).toMatch(/^t=1,v1=[0-9a-f]{64}$/);
  });

  it('retries a failing receiver a bounded number of times, and not on a 4xx', async () => {
    receiver = await startReceiver({
      '/flaky': [503, 500],
      '/down': [503, 503, 503, 503, 503],
      '/gone': [410],
    });
    const notifier = createWebhookNotifier({
      targets: ['/flaky', '/down', '/gone'].map((p) => ({ url: `${receiver.base}${p}`, secret: SECRET })),
      clock: Date.now,
      logger: silentLogger,
      maxAttempts: 3,
      backoffMs: 1,
    });
    const reports = await notifier.notify([alert]);
    expect(
      reports.map((r) => [r.url.slice(receiver.base.length), r.attempts, r.delivered, r.status]),
    ).toEqual([
      ['/flaky', 3, true, 200],
      ['/down', 3, false, 503],
      ['/gone', 1, false, 410],
    ]);
    expect(receiver.deliveries.filter((d) => d.path === '/down')).toHaveLength(3);
    const flaky = receiver.deliveries.filter((d) => d.path === '/flaky');
    expect(new Set(flaky.map((d) => d.deliveryId)).size).toBe(1);
  });
});

const [sqlite] = await storeKinds('webhooks');

describe('new alerts from the bank feed go out as webhooks', () => {
  let fixture: StoreFixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    fixture = await sqlite!.open();
    await seedCounty(fixture.store);
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await fixture.cleanup();
  });

  it('posts one signed webhook per new alert the monitor returns', async () => {
    const webhooks = createWebhookNotifier({
      targets: [{ url: `${receiver.base}/bank`, secret: SECRET }],
      clock: Date.now,
      logger: silentLogger,
    });
    const seen: number[] = [];
    const app = createApp({
      store: fixture.store,
      clock: Date.now,
      logger: silentLogger,
      webhooks,
      onCardEvents: async (events) => {
        seen.push(events.length);
        return [alert];
      },
    });
    const auth = createAuthService({ users: fixture.store.users, clock: Date.now });
    const issued = await auth.addUser({ name: 'bank-a', role: 'bank', token: true });
    const token = issued.ok ? issued.value.token : '';
    const event = JSON.stringify({
      event_id: 'E9',
      ts: '2021-02-01T23:41:07+08:00',
      card: TEST_CARD,
      terminal_id: 'ATM-1',
      channel: 'atm',
      type: 'balance_inquiry',
    });
    const response = await app.request('/api/card-events', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: event,
    });
    expect(await response.json()).toMatchObject({ loaded: 1, newAlerts: 1 });
    await webhooks.idle();
    expect(seen).toEqual([1]);
    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    expect(verifyWebhook(SECRET, delivery?.signature, delivery!.body, Date.now())).toBe(true);
  });
});

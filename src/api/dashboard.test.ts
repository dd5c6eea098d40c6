import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthService } from '../auth/auth-service.js';
import type { CalendarDate } from '../core/time.js';
import { defaultRules } from '../monitor/default-rules.js';
import { seedCounty, TEST_CARD, TEST_ID_NUMBER } from '../testing/seed.js';
import { type StoreFixture, storeKinds } from '../testing/stores.js';
import { createApp } from './app.js';
import { createJsonLogger } from './logger.js';

/** The dashboard's routes (overview, timeline, rings, rules, back-test, alert status), on SQLite and PostgreSQL. */

const KINDS = await storeKinds('api-dashboard');
const RING_TERMINAL = 'ATM-HN-07';
const LIFE_SIGN = { certificationId: 'C9', date: '2020-02-01' as CalendarDate, channel: 'bigdata' };

describe.each(KINDS)('dashboard API on $name', (kind) => {
  let fixture: StoreFixture;
  let app: Hono;
  let token: string;
  let webRoot: string;
  /** The app over the fixture's store, serving the dashboard from `webRoot` (as it is when called). */
  const appOver = (f: StoreFixture) =>
    createApp({
      store: f.store,
      clock: () => 1_700_000_000_000,
      logger: createJsonLogger(
        () => {},
        () => 0,
      ),
      webRoot,
    });
  const get = async (path: string) => app.request(path, { headers: { authorization: `Bearer ${token}` } });
  const json = async (path: string) => {
    const response = await get(path);
    expect(response.status, path).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeEach(async () => {
    if (kind.skip) return;
    fixture = await kind.open();
    await seedCounty(fixture.store);
    await fixture.raw(`
      INSERT INTO payments (payment_id, beneficiary_id, period, paid_at, amount_fen, bank_card)
        VALUES ('P1', 'B1', '2019-05', '2019-05-10', 20000, '${TEST_CARD}');
      INSERT INTO card_events (event_id, ts, card, terminal_id, channel, type, amount_fen, result)
        VALUES ('E1', 1612193407000, '${TEST_CARD}', '${RING_TERMINAL}', 'atm', 'withdrawal', 50000, 'approved');
      INSERT INTO analytics_rings (ring_id, sweeps, terminals, first_ts, last_ts, night_sweeps, withdrawn_fen,
          deceased_beneficiaries, handlers, shared_contacts, score, explanation, analyzed_at)
        VALUES ('RING-1', 3, '["${RING_TERMINAL}"]', 1612193000000, 1612194000000, 2, 150000, 1,
          '[{"handlerId":"H2","role":"clerk","vouchedAfterDeath":1,"manages":0}]', 0, 0.9,
          'card ${TEST_CARD} swept with two others', 0);
      INSERT INTO analytics_ring_members (ring_id, card, beneficiary_ids, sweeps, membership)
        VALUES ('RING-1', '${TEST_CARD}', '["B1"]', 3, 'core');
    `);
    webRoot = mkdtempSync(join(tmpdir(), 'ghostwatch-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>dashboard</title>');
    app = appOver(fixture);
    const auth = createAuthService({ users: fixture.store.users, clock: () => 1_700_000_000_000 });
    const issued = await auth.addUser({ name: 'ana', role: 'analyst', token: true });
    if (!issued.ok || issued.value.token === undefined) throw new Error('seed user');
    token = issued.value.token;
  });
  afterEach(async () => {
    if (kind.skip) return;
    await fixture.cleanup();
    rmSync(webRoot, { recursive: true, force: true });
  });
  const run = kind.skip ? it.skip : it;

  run('answers an unknown /api route with 404 JSON and other paths with the dashboard', async () => {
    const missing = await get('/api/no-such-route');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const page = await app.request('/cases/CASE-1');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('dashboard');
  });

  run('says the dashboard is not built when its directory holds no index.html', async () => {
    rmSync(join(webRoot, 'index.html'));
    writeFileSync(join(webRoot, 'types.js'), 'export {};');
    const bare = appOver(fixture);
    const page = await bare.request('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('not built');
    expect((await bare.request('/api/no-such-route')).status).toBe(404);
  });

  run('adds up the overview in the store, with monthly trends', async () => {
    const overview = await json('/api/overview');
    expect(overview).toMatchObject({
      beneficiaries: 3,
      suspects: 2,
      overpaidFen: 600_000,
      recoveredFen: 0,
      openAlerts: 1,
      openCases: 0,
    });
    expect(overview.months).toEqual([
      { month: '2019-03', deaths: 2, overpaidFen: 600_000, alerts: 0, recoveredFen: 0 },
      { month: '2021-02', deaths: 0, overpaidFen: 0, alerts: 1, recoveredFen: 0 },
    ]);
    expect(overview.overpaidSetAsideFen).toBe(0);
  });

  run(
    'claims only the overpayment whose evidence stands, and shows the money set aside beside it',
    async () => {
      // B2's death is contested by a life sign, B3's finding has no record about B3: neither is claimed.
      const b1 = (await fixture.store.listFindings()).find((f) => f.beneficiaryId === 'B1');
      if (b1 === undefined) throw new Error('seed finding');
      await fixture.store.replaceFindings([
        b1,
        { ...b1, beneficiaryId: 'B2', decision: 'review', overpaidFen: 120_000, lifeSign: LIFE_SIGN },
        { ...b1, beneficiaryId: 'B3', decision: 'review', overpaidFen: 30_000, unsupported: true },
      ]);
      const overview = await json('/api/overview');
      expect(overview).toMatchObject({ suspects: 3, overpaidFen: 480_000, overpaidSetAsideFen: 150_000 });
      expect(overview.months).toContainEqual({
        month: '2019-03',
        deaths: 3,
        overpaidFen: 480_000,
        alerts: 0,
        recoveredFen: 0,
      });
    },
  );

  run('shows a beneficiary’s timeline masked, and audits reading it', async () => {
    const response = await get('/api/beneficiaries/B1/timeline');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(TEST_CARD);
    expect(text).not.toContain(TEST_ID_NUMBER);
    const body = JSON.parse(text) as { items: { kind: string; at: number; amountFen?: number }[] };
    expect(body.items.map((i) => i.kind)).toEqual(['card_activity', 'payment']);
    expect(body.items[1]).toMatchObject({ kind: 'payment', amountFen: 20_000 });
    expect(body.items[0]?.at).toBe(1_612_193_407_000);
    const audit = await fixture.store.audit.listAudit({
      offset: 0,
      limit: 5,
      action: 'beneficiary.timeline',
    });
    expect(audit.items.map((a) => a.target)).toEqual(['beneficiary:B1']);
    expect((await get('/api/beneficiaries/B404/timeline')).status).toBe(404);
  });

  run('reads one ring and its graph with card numbers masked', async () => {
    const ringResponse = await get('/api/rings/RING-1');
    const ringText = await ringResponse.text();
    expect(ringResponse.status).toBe(200);
    expect(ringText).not.toContain(TEST_CARD);
    expect(JSON.parse(ringText)).toMatchObject({ ringId: 'RING-1', beneficiaryIds: ['B1'], sweeps: 3 });
    const graphResponse = await get('/api/rings/RING-1/graph');
    const graphText = await graphResponse.text();
    expect(graphText).not.toContain(TEST_CARD);
    const graph = JSON.parse(graphText) as {
      nodes: { id: string; kind: string }[];
      edges: { source: string; target: string; kind: string }[];
    };
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(
      ['beneficiary:B1', 'card:1', 'handler:H1', 'handler:H2', `terminal:${RING_TERMINAL}`].sort(),
    );
    expect(graph.edges).toEqual(
      expect.arrayContaining([
        { source: 'card:1', target: 'beneficiary:B1', kind: 'card_of' },
        { source: 'handler:H1', target: 'beneficiary:B1', kind: 'manages' },
        { source: 'card:1', target: `terminal:${RING_TERMINAL}`, kind: 'used_at' },
      ]),
    );
    expect((await get('/api/rings/RING-404/graph')).status).toBe(404);
    expect((JSON.parse(graphText) as { cards: unknown }).cards).toEqual({ drawn: 1, total: 1 });
  });

  run('draws only a ring’s most active cards when asked (a ring of thousands is not drawable)', async () => {
    const second = '6217000000000000002';
    await fixture.raw(`
      INSERT INTO analytics_ring_members (ring_id, card, beneficiary_ids, sweeps, membership)
        VALUES ('RING-1', '${second}', '["B2"]', 9, 'core');
    `);
    const graph = (await json('/api/rings/RING-1/graph?maxCards=1')) as {
      nodes: { id: string; kind: string }[];
      cards: { drawn: number; total: number };
    };
    expect(graph.cards).toEqual({ drawn: 1, total: 2 });
    // The busier card (9 sweeps, B2's) is drawn; B1's card and B1 are not.
    expect(graph.nodes.filter((n) => n.kind === 'card')).toHaveLength(1);
    expect(graph.nodes.map((n) => n.id)).toContain('beneficiary:B2');
    expect(graph.nodes.map((n) => n.id)).not.toContain('beneficiary:B1');
    expect((await get('/api/rings/RING-1/graph?maxCards=0')).status).toBe(400);
  });

  run('shows the rules in force and back-tests them over a bounded range', async () => {
    const rules = await json('/api/rules');
    expect(rules.version).toBe(defaultRules().version);
    expect((rules.typologies as unknown[]).length).toBe(defaultRules().typologies.length);
    const report = await json('/api/backtest?from=2021-01-01&to=2021-03-31');
    expect(report).toMatchObject({
      ruleVersion: defaultRules().version,
      from: '2021-01-01',
      to: '2021-03-31',
    });
    expect(report.events).toBe(1);
    const byDefault = await json('/api/backtest');
    expect(byDefault.to).toBe('2021-02-01');
    expect((await get('/api/backtest?from=2019-01-01&to=2021-03-31')).status).toBe(400);
    expect((await get('/api/backtest?from=2021-03-01&to=2021-01-31')).status).toBe(400);
    expect((await get('/api/backtest?from=2021-02-30')).status).toBe(400);
  });

  run('shows each alert’s status and filters alerts by it', async () => {
    const open = (await json('/api/alerts?status=open')) as { total: number; items: { status: string }[] };
    expect(open.total).toBe(1);
    expect(open.items[0]?.status).toBe('open');
    expect(((await json('/api/alerts?status=closed')) as { total: number }).total).toBe(0);
    await fixture.raw(`UPDATE alerts SET status = 'closed'`);
    expect(((await json('/api/alerts?status=closed')) as { total: number }).total).toBe(1);
    expect((await json('/api/alerts/AL-000000000000000000000001')).status).toBe('closed');
    expect((await get('/api/alerts?status=maybe')).status).toBe(400);
  });

  run('pages the quarantine in SQL and returns its total, per file too', async () => {
    const loadId = await fixture.store.beginLoad({
      fileKey: 'q:payments',
      fileName: '/data/in/payments.csv',
      kind: 'payments',
      startedAt: 0,
    });
    const quarantined = Array.from({ length: 7 }, (_, i) => ({
      line: i + 2,
      column: 'amount_fen',
      code: 'invalid',
      reason: `not a number (${i})`,
      raw: `P${i},B1,2019-05,x`,
    }));
    await fixture.store.writeBatch(loadId, {
      kind: 'payments',
      records: [],
      quarantined,
      flags: [],
      throughLine: 9,
    });
    const page = (await json('/api/quarantine?offset=5&limit=5')) as {
      total: number;
      items: { line: number }[];
    };
    expect(page.total).toBe(7);
    expect(page.items.map((q) => q.line)).toEqual([7, 8]);
    expect(((await json('/api/quarantine?file=payments.csv&limit=1')) as { total: number }).total).toBe(7);
    expect(((await json('/api/quarantine?file=nothing.csv')) as { total: number }).total).toBe(0);
  });

  run('counts the stored alerts by month and rule', async () => {
    const months = (await json('/api/alert-months')) as {
      months: { month: string; alerts: number; byRule: Record<string, number> }[];
    };
    expect(months.months.reduce((n, m) => n + m.alerts, 0)).toBe(1);
    for (const m of months.months) {
      expect(m.month).toMatch(/^\d{4}-\d{2}$/);
      expect(Object.values(m.byRule).reduce((a, b) => a + b, 0)).toBe(m.alerts);
    }
  });

  run(
    'lists users to supervisors (to pick an assignee), filtered, without secrets; not to analysts',
    async () => {
      const auth = createAuthService({ users: fixture.store.users, clock: () => 1_700_000_000_000 });
      const sup = await auth.addUser({ name: 'sup', role: 'supervisor', unit: 'u1', token: true });
      await auth.addUser({ name: 'inv', role: 'investigator', unit: 'u2' });
      if (!sup.ok || sup.value.token === undefined) throw new Error('seed supervisor');
      const asSupervisor = (path: string) =>
        app.request(path, { headers: { authorization: `Bearer ${sup.value.token}` } });
      const all = await asSupervisor('/api/users?role=investigator,supervisor&active=true');
      expect(all.status).toBe(200);
      const body = (await all.json()) as { items: { name: string; role: string }[] };
      expect(body.items.map((u) => u.name).sort()).toEqual(['inv', 'sup']);
      expect(JSON.stringify(body)).not.toMatch(/password|hash|token/i);
      expect((await asSupervisor('/api/users?role=wizard')).status).toBe(400);
      expect((await get('/api/users')).status).toBe(403);
      const audit = await fixture.store.audit.listAudit({
        offset: 0,
        limit: 5,
        action: 'users.list',
        actor: 'sup',
      });
      expect(audit.items[0]).toMatchObject({ actor: 'sup', outcome: 'ok' });
    },
  );

  run('counts findings, alerts and cases for status', async () => {
    expect(await fixture.store.dashboard.counts()).toEqual({
      findings: 2,
      alerts: { open: 1, total: 1 },
      cases: { open: 0, total: 0 },
    });
  });
});

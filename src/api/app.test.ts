import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthService } from '../auth/auth-service.js';
import { ROLES, type Role } from '../auth/roles.js';
import { seedCounty, TEST_CARD, TEST_ID_NUMBER } from '../testing/seed.js';
import { type StoreFixture, storeKinds } from '../testing/stores.js';
import { createApp } from './app.js';
import { createJsonLogger } from './logger.js';

/**
 * The HTTP API in process (`app.request`), on SQLite and PostgreSQL. The authorisation and bad-input cases are
 * generated from /openapi.json itself, so a new route cannot escape them.
 */

type Operation = {
  'x-roles': 'public' | 'authenticated' | Role[];
  parameters?: { name: string; in: 'path' | 'query'; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: JsonSchema; example?: Record<string, unknown> }> };
};
type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
};

const SAMPLE_PARAMS: Record<string, string> = {
  caseId: 'CASE-20240101-00000000',
  approvalId: 'APPROVAL-20240101-00000000',
  beneficiaryId: 'B1',
  alertId: 'AL-000000000000000000000001',
  name: 'role-admin',
  tokenId: 'abcdefghijkl',
};
const SQL_META = `'; DROP TABLE cases; -- " OR 1=1 /*`;

const KINDS = await storeKinds('api');

interface Harness {
  fixture: StoreFixture;
  app: Hono;
  logLines: string[];
  tokens: Record<string, string>;
  clock: { now: number };
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<Response>;
}

async function harness(open: () => Promise<StoreFixture>): Promise<Harness> {
  const fixture = await open();
  await seedCounty(fixture.store);
  const clock = { now: 1_700_000_000_000 };
  const logLines: string[] = [];
  const app = createApp({
    store: fixture.store,
    clock: () => clock.now,
    logger: createJsonLogger(
      (line) => logLines.push(line),
      () => clock.now,
    ),
    loginLimits: { perUser: 3, perAddress: 5, windowMs: 60_000 },
    clientAddress: (c) => c.req.header('x-test-address') ?? '127.0.0.1',
  });
  const auth = createAuthService({ users: fixture.store.users, clock: () => clock.now });
  const tokens: Record<string, string> = {};
  const add = async (name: string, role: Role, unit?: string, handlerId?: string) => {
    const issued = await auth.addUser({ name, role, unit, handlerId, token: true });
    if (!issued.ok || issued.value.token === undefined) throw new Error('seed user');
    tokens[name] = issued.value.token;
  };
  for (const role of ROLES) await add(`role-${role}`, role, `unit-${role}`);
  await add('li', 'investigator', 'fund-supervision');
  await add('zhao', 'supervisor', 'fund-supervision');
  await add('sun', 'supervisor', 'fund-supervision');
  await add('qian', 'supervisor', 'discipline-inspection');
  await add('zhang', 'investigator', 'county-audit', 'H1');
  const call: Harness['call'] = (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    return Promise.resolve(app.request(path, { method, headers, ...(body === undefined ? {} : { body }) }));
  };
  return { fixture, app, logLines, tokens, clock, call };
}

const fillPath = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE_PARAMS[name] ?? 'x');

async function snapshot(h: Harness) {
  const s = h.fixture.store;
  const page = { offset: 0, limit: 1, sort: 'opened_at', order: 'desc' } as const;
  return {
    cases: (await s.cases.listCases(page)).total,
    approvals: (await s.cases.listApprovals({ offset: 0, limit: 1 })).total,
    users: (await s.users.listUsers()).length,
    audit: (await s.audit.listAudit({ offset: 0, limit: 1 })).total,
    events: await s.countRows('card-events'),
    findings: (await s.cases.listSuspects({ ...page, sort: 'overpaid' })).total,
  };
}

describe.each(KINDS)('HTTP API on $name', (kind) => {
  let h: Harness;
  let doc: { paths: Record<string, Record<string, Operation>> };
  beforeEach(async () => {
    if (kind.skip) return;
    h = await harness(kind.open);
    doc = (await (await h.call('GET', '/openapi.json')).json()) as typeof doc;
  });
  afterEach(async () => {
    if (!kind.skip) await h.fixture.cleanup();
  });
  const run = kind.skip ? it.skip : it;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );

  run('serves /healthz, /openapi.json and the placeholder page without credentials', async () => {
    expect(await (await h.call('GET', '/healthz')).json()).toEqual({ ok: true });
    expect((await h.call('GET', '/')).status).toBe(200);
    const publicOps = operations()
      .filter((o) => o.op['x-roles'] === 'public')
      .map((o) => `${o.method} ${o.path}`);
    expect(publicOps.sort()).toEqual(['get /healthz', 'get /openapi.json', 'post /api/login']);
    expect(operations().length).toBeGreaterThan(30);
  });

  run(
    'every route of /openapi.json answers 401 without credentials and 403 to a role that lacks it',
    async () => {
      let checked401 = 0;
      let checked403 = 0;
      for (const { path, method, op } of operations()) {
        const roles = op['x-roles'];
        if (roles === 'public') continue;
        const url = fillPath(path);
        const anonymous = await h.call(method.toUpperCase(), url);
        expect(anonymous.status, `${method} ${path} without credentials`).toBe(401);
        const badToken = await h.call(method.toUpperCase(), url, {
          token: `gwt_abcdefghijkl_${'x'.repeat(43)}`,
        });
        expect(badToken.status, `${method} ${path} with a forged token`).toBe(401);
        checked401++;
        if (roles === 'authenticated') continue;
        for (const role of ROLES.filter((r) => !roles.includes(r))) {
          const refused = await h.call(method.toUpperCase(), url, {
            token: h.tokens[`role-${role}`]!,
            ...(method === 'get' ? {} : { body: {} }),
          });
          expect(refused.status, `${method} ${path} as ${role}`).toBe(403);
          expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('auth.forbidden');
          checked403++;
        }
      }
      expect(checked401).toBeGreaterThan(30);
      expect(checked403).toBeGreaterThan(100);
    },
  );

  run(
    'SQL metacharacters and oversized values in every string field change nothing and return 400',
    async () => {
      const before = await snapshot(h);
      let fields = 0;
      for (const { path, method, op } of operations()) {
        const roles = op['x-roles'];
        if (roles === 'public' || roles === 'authenticated') continue;
        const token = h.tokens[`role-${roles[0]}`]!;
        for (const param of (op.parameters ?? []).filter((p) => p.in === 'path')) {
          const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
            name === param.name ? encodeURIComponent(SQL_META) : (SAMPLE_PARAMS[name] ?? 'x'),
          );
          const response = await h.call(method.toUpperCase(), url, {
            token,
            ...(op.requestBody ? { body: {} } : {}),
          });
          expect(response.status, `${method} ${path} param ${param.name}`).toBe(400);
          fields++;
        }
        for (const param of (op.parameters ?? []).filter(
          (p) => p.in === 'query' && p.schema.type === 'string',
        )) {
          const url = `${fillPath(path)}?${param.name}=${encodeURIComponent(SQL_META + 'x'.repeat(2000))}`;
          expect((await h.call('GET', url, { token })).status, `${method} ${path} ?${param.name}`).toBe(400);
          fields++;
        }
        const json = op.requestBody?.content['application/json'];
        if (json === undefined) continue;
        expect(json.example, `${method} ${path} has an example body`).toBeDefined();
        for (const [field, schema] of Object.entries(json.schema.properties ?? {})) {
          const strings =
            schema.type === 'string'
              ? schema
              : schema.type === 'array' && schema.items?.type === 'string'
                ? schema.items
                : undefined;
          if (strings === undefined) continue;
          // Every string is bounded: a maximum length, or a closed list of values.
          expect(
            strings.maxLength ?? strings.enum?.length,
            `${method} ${path} ${field} is bounded`,
          ).toBeGreaterThan(0);
          const oversized = SQL_META + 'x'.repeat(strings.maxLength ?? 64);
          const value = (v: string) => (schema.type === 'array' ? [v] : v);
          const bad = await h.call(method.toUpperCase(), fillPath(path), {
            token,
            body: { ...json.example, [field]: value(oversized) },
          });
          expect(bad.status, `${method} ${path} ${field} oversized`).toBe(400);
          if (strings.pattern !== undefined || strings.enum !== undefined) {
            const meta = await h.call(method.toUpperCase(), fillPath(path), {
              token,
              body: { ...json.example, [field]: value(SQL_META) },
            });
            expect(meta.status, `${method} ${path} ${field} metacharacters`).toBe(400);
          }
          fields++;
        }
      }
      expect(fields).toBeGreaterThan(40);
      expect(await snapshot(h)).toEqual(before);
    },
  );

  run('free text keeps SQL metacharacters as text and the tables stay whole', async () => {
    const opened = await h.call('POST', '/api/cases/from-suspect', {
      token: h.tokens.li!,
      body: { beneficiaryId: 'B1' },
    });
    expect(opened.status).toBe(201);
    const { caseId } = (await opened.json()) as { caseId: string };
    const note = await h.call('POST', `/api/cases/${caseId}/notes`, {
      token: h.tokens.li!,
      body: { text: SQL_META },
    });
    expect(note.status).toBe(201);
    const detail = (await (await h.call('GET', `/api/cases/${caseId}`, { token: h.tokens.li! })).json()) as {
      events: { kind: string; text?: string }[];
    };
    expect(detail.events.find((e) => e.kind === 'note')?.text).toBe(SQL_META);
    expect((await snapshot(h)).cases).toBe(1);
  });

  run('refuses a conflict of interest and enforces four-eyes over HTTP', async () => {
    const asHandler = await h.call('POST', '/api/cases/from-suspect', {
      token: h.tokens.zhang!,
      body: { beneficiaryId: 'B1' },
    });
    expect(asHandler.status).toBe(403);
    expect(((await asHandler.json()) as { error: { code: string } }).error.code).toBe('conflict_of_interest');
    const reveal = await h.call('POST', '/api/beneficiaries/B1/reveal', {
      token: h.tokens.zhang!,
      body: { reason: 'curious' },
    });
    expect(reveal.status).toBe(403);

    const opened = (await (
      await h.call('POST', '/api/cases/from-suspect', { token: h.tokens.li!, body: { beneficiaryId: 'B1' } })
    ).json()) as {
      caseId: string;
    };
    const move = (to: string) =>
      h.call('POST', `/api/cases/${opened.caseId}/transitions`, {
        token: h.tokens.li!,
        body: { to, reason: `to ${to}` },
      });
    expect((await move('closed')).status).toBe(409);
    for (const to of ['investigating', 'confirmed', 'recovery']) expect((await move(to)).status).toBe(200);
    const closing = await h.call('POST', `/api/cases/${opened.caseId}/transitions`, {
      token: h.tokens.zhao!,
      body: { to: 'closed', reason: 'recovered what could be' },
    });
    expect(closing.status).toBe(202);
    const { approval, status } = (await closing.json()) as {
      status: string;
      approval: { approvalId: string; status: string };
    };
    expect({ status, approval: approval.status }).toEqual({ status: 'recovery', approval: 'pending' });
    const approve = (name: string) =>
      h.call('POST', `/api/approvals/${approval.approvalId}/approve`, {
        token: h.tokens[name]!,
        body: { note: 'seen' },
      });
    const codeOf = async (response: Response) =>
      ((await response.json()) as { error: { code: string } }).error.code;
    const same = await approve('zhao');
    expect([same.status, await codeOf(same)]).toEqual([403, 'four_eyes.same_user']);
    const sameUnit = await approve('sun');
    expect([sameUnit.status, await codeOf(sameUnit)]).toEqual([403, 'four_eyes.same_unit']);
    const investigatorTries = await approve('li');
    expect([investigatorTries.status, await codeOf(investigatorTries)]).toEqual([403, 'auth.forbidden']);
    expect((await approve('qian')).status).toBe(200);
    const closed = (await (
      await h.call('GET', `/api/cases/${opened.caseId}`, { token: h.tokens.li! })
    ).json()) as { status: string };
    expect(closed.status).toBe('closed');

    const suspend = await h.call('POST', '/api/approvals', {
      token: h.tokens.zhao!,
      body: { action: 'benefit.suspend', beneficiaryId: 'B2', reason: 'two sources' },
    });
    expect(suspend.status).toBe(202);
    const suspension = (await suspend.json()) as { approvalId: string };
    expect(
      (
        await h.call('POST', `/api/approvals/${suspension.approvalId}/approve`, {
          token: h.tokens.sun!,
          body: { note: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await h.call('POST', `/api/approvals/${suspension.approvalId}/approve`, {
          token: h.tokens.qian!,
          body: { note: 'x' },
        })
      ).status,
    ).toBe(200);
    const b2 = (await (await h.call('GET', '/api/beneficiaries/B2', { token: h.tokens.li! })).json()) as {
      benefitOrders: { action: string }[];
    };
    expect(b2.benefitOrders.map((o) => o.action)).toEqual(['suspend']);
  });

  run('masks identity and card numbers by default; reveal needs a reason and is audited', async () => {
    const b1 = (await (
      await h.call('GET', '/api/beneficiaries/B1', { token: h.tokens.li! })
    ).json()) as Record<string, string>;
    expect(b1).toMatchObject({
      nameMasked: '王*英',
      idNumberMasked: '430422********1234',
      bankCardMasked: '621700*********0123',
    });
    const alerts = await (await h.call('GET', '/api/alerts', { token: h.tokens['role-analyst']! })).text();
    expect(alerts).toContain('621700*********0123');
    expect(alerts).not.toContain(TEST_CARD);
    expect(
      (await h.call('POST', '/api/beneficiaries/B1/reveal', { token: h.tokens.li!, body: {} })).status,
    ).toBe(400);
    const revealed = await h.call('POST', '/api/beneficiaries/B1/reveal', {
      token: h.tokens.li!,
      body: { reason: `bank reclamation for card ${TEST_CARD}` },
    });
    expect(await revealed.json()).toMatchObject({
      idNumber: TEST_ID_NUMBER,
      bankCard: TEST_CARD,
      name: '王秀英',
    });
    const [entry] = (
      await h.fixture.store.audit.listAudit({ offset: 0, limit: 1, action: 'beneficiary.reveal' })
    ).items;
    expect(entry).toMatchObject({
      actor: 'li',
      target: 'beneficiary:B1',
      outcome: 'ok',
      detail: { reason: 'bank reclamation for card 621700*********0123' },
    });
    const verify = (await (
      await h.call('GET', '/api/audit/verify', { token: h.tokens['role-auditor']! })
    ).json()) as { ok: boolean };
    expect(verify.ok).toBe(true);
    const audit = await (
      await h.call('GET', '/api/audit?limit=500', { token: h.tokens['role-auditor']! })
    ).text();
    expect(audit).not.toContain(TEST_ID_NUMBER);
    expect(audit).not.toContain(TEST_CARD);
  });

  run(
    'sessions: HttpOnly SameSite=Strict cookie, CSRF token required on changes, logout ends it',
    async () => {
      const created = await h.call('POST', '/api/users', {
        token: h.tokens['role-admin']!,
        body: { name: 'wang', role: 'investigator', unit: 'fund-supervision' },
      });
      expect(created.status).toBe(201);
      const { password } = (await created.json()) as { password: string };
      const login = await h.call('POST', '/api/login', { body: { name: 'wang', password } });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^gw_session=[\w-]+;/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Secure/);
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const session = cookie.split(';')[0]!;
      const me = await h.call('GET', '/api/me', { headers: { cookie: session } });
      expect(await me.json()).toMatchObject({ user: { name: 'wang', role: 'investigator' }, csrfToken });
      const noCsrf = await h.call('POST', '/api/cases/from-suspect', {
        headers: { cookie: session },
        body: { beneficiaryId: 'B2' },
      });
      expect(noCsrf.status).toBe(403);
      const wrongCsrf = await h.call('POST', '/api/cases/from-suspect', {
        headers: { cookie: session, 'x-csrf-token': 'forged' },
        body: { beneficiaryId: 'B2' },
      });
      expect(wrongCsrf.status).toBe(403);
      expect((await snapshot(h)).cases).toBe(0);
      const withCsrf = await h.call('POST', '/api/cases/from-suspect', {
        headers: { cookie: session, 'x-csrf-token': csrfToken },
        body: { beneficiaryId: 'B2' },
      });
      expect(withCsrf.status).toBe(201);
      expect(
        (await h.call('POST', '/api/logout', { headers: { cookie: session, 'x-csrf-token': csrfToken } }))
          .status,
      ).toBe(200);
      expect((await h.call('GET', '/api/me', { headers: { cookie: session } })).status).toBe(401);
      const secure = await h.call('POST', '/api/login', {
        body: { name: 'wang', password },
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(secure.headers.get('set-cookie')).toMatch(/Secure/);
    },
  );

  run('rate-limits failed logins per user name and per address', async () => {
    const created = (await (
      await h.call('POST', '/api/users', {
        token: h.tokens['role-admin']!,
        body: { name: 'chen', role: 'analyst', unit: 'bank-risk' },
      })
    ).json()) as { password: string };
    const login = (name: string, password: string, address = '10.0.0.1') =>
      h.call('POST', '/api/login', { body: { name, password }, headers: { 'x-test-address': address } });
    for (let i = 0; i < 3; i++) expect((await login('chen', 'wrong')).status).toBe(401);
    const locked = await login('chen', created.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address does not help the same user name.
    expect((await login('chen', created.password, '10.0.0.9')).status).toBe(429);
    // The address is limited too, whatever the name.
    expect((await login('nobody', 'x')).status).toBe(401);
    expect((await login('nobody2', 'x')).status).toBe(401);
    expect((await login('someone', 'x')).status).toBe(429);
    expect((await login('someone', 'x', '10.0.0.2')).status).toBe(401);
    h.clock.now += 61_000;
    expect((await login('chen', created.password)).status).toBe(200);
    const denied = await h.fixture.store.audit.listAudit({ offset: 0, limit: 50, action: 'login' });
    expect(denied.items.filter((e) => e.outcome === 'denied').length).toBeGreaterThanOrEqual(8);
    expect(denied.items.find((e) => e.outcome === 'ok')).toMatchObject({
      actor: 'chen',
      target: 'user:chen',
    });
    expect(denied.items.filter((e) => e.actor === 'chen' && e.outcome === 'denied')).toHaveLength(5);
  });

  run(
    'banks feed NDJSON card events: bad lines reported per line, the same batch twice changes nothing',
    async () => {
      const line = (id: string, extra: Record<string, unknown> = {}) =>
        JSON.stringify({
          event_id: id,
          ts: '2021-02-01T23:41:07+08:00',
          card: TEST_CARD,
          terminal_id: 'ATM-430422-0007',
          channel: 'atm',
          type: 'withdrawal',
          amount: '2000.00',
          ...extra,
        });
      const body = [line('E1'), line('E2'), line('E3', { amount: undefined }), '{not json', line('E4')].join(
        '\n',
      );
      const send = (token: string) =>
        h.call('POST', '/api/card-events', {
          token,
          raw: body,
          headers: { 'content-type': 'application/x-ndjson' },
        });
      expect((await send(h.tokens.li!)).status).toBe(403);
      const first = await send(h.tokens['role-bank']!);
      expect(first.status).toBe(200);
      const report = (await first.json()) as {
        rows: number;
        loaded: number;
        quarantined: number;
        issues: { line: number; code: string; reason: string }[];
      };
      expect(report).toMatchObject({ rows: 5, loaded: 3, quarantined: 2 });
      expect(report.issues.map((i) => i.line)).toEqual([3, 4]);
      expect(report.issues[0]?.reason).toMatch(/amount/);
      expect(JSON.stringify(report)).not.toContain(TEST_CARD);
      expect(await h.fixture.store.countRows('card-events')).toBe(3);
      const quarantined = (await h.fixture.store.quarantine()).length;
      expect((await send(h.tokens['role-bank']!)).status).toBe(200);
      expect(await h.fixture.store.countRows('card-events')).toBe(3);
      expect((await h.fixture.store.quarantine()).length).toBe(quarantined);
      const empty = await h.call('POST', '/api/card-events', { token: h.tokens['role-bank']!, raw: '  ' });
      expect(empty.status).toBe(400);
    },
  );

  run('no log line carries an identity or card number, even from a failing handler', async () => {
    const broken = createApp({
      store: new Proxy(h.fixture.store, {
        get(target, key) {
          if (key === 'cases') {
            return new Proxy(target.cases, {
              get(cases, name) {
                if (name === 'getAlert')
                  return async () => {
                    throw new Error(`lookup failed for ${TEST_ID_NUMBER} / ${TEST_CARD}`);
                  };
                return Reflect.get(cases, name);
              },
            });
          }
          return Reflect.get(target, key);
        },
      }),
      clock: () => h.clock.now,
      logger: createJsonLogger((l) => h.logLines.push(l)),
    });
    const response = await broken.request('/api/alerts/AL-1', {
      headers: { authorization: `Bearer ${h.tokens.li}` },
    });
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain(TEST_ID_NUMBER);
    await h.call('POST', '/api/beneficiaries/B1/reveal', {
      token: h.tokens.li!,
      body: { reason: `id ${TEST_ID_NUMBER}` },
    });
    expect(h.logLines.length).toBeGreaterThan(0);
    expect(h.logLines.join('')).toContain('430422********1234');
    for (const line of h.logLines) {
      expect(line).not.toContain(TEST_ID_NUMBER);
      expect(line).not.toContain(TEST_CARD);
    }
  });
});

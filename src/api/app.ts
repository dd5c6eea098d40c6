import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import type { z } from 'zod';
import type { AuditOutcome } from '../audit/audit-chain.js';
import { createAuditor } from '../audit/auditor.js';
import { createAuthService } from '../auth/auth-service.js';
import type { User } from '../auth/ports.js';
import { createCaseService } from '../cases/case-service.js';
import { maskText } from '../core/mask.js';
import type { ApiEnv, AppDeps } from './context.js';
import { ApiError } from './http-error.js';
import { buildOpenApi } from './openapi.js';
import type { RequestContext, RouteDef } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { caseRoutes } from './routes/cases.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { feedRoutes } from './routes/feed.js';
import { findingRoutes } from './routes/findings.js';
import { SESSION_COOKIE, sessionRoutes } from './routes/session.js';

export const CSRF_HEADER = 'x-csrf-token';
/** JSON bodies larger than this are refused (413) before they are read. */
const MAX_JSON_BYTES = 64 * 1024;

const ANONYMOUS: User = {
  userId: '',
  name: 'anonymous',
  role: 'bank',
  unit: undefined,
  handlerId: undefined,
  createdAt: 0,
  disabled: true,
};

/** Every route of the API, in the order /openapi.json lists them. */
export function apiRoutes(env: ApiEnv): readonly RouteDef[] {
  return [
    ...sessionRoutes(env),
    ...findingRoutes(env),
    ...dashboardRoutes(env),
    ...caseRoutes(env),
    ...feedRoutes(env),
    ...adminRoutes(env),
  ];
}

/** `/api` and everything under it belong to the API, never to the dashboard's files. */
const isApiPath = (path: string): boolean => path === '/api' || path.startsWith('/api/');

const honoPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

function invalid(where: string, error: z.ZodError): ApiError {
  const issues = error.issues.map((i) => ({
    code: `invalid.${i.code}`,
    path: [where, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: maskText(i.message),
  }));
  const first = issues[0];
  return new ApiError(
    400,
    'invalid_request',
    `${first?.path.join('.') ?? where}: ${first?.message ?? 'is invalid'}`,
    issues,
  );
}

/**
 * The HTTP API: every route of `apiRoutes`, checked in this order: signed in (401), CSRF token on a dashboard
 * session's state-changing request (403), role (403), request schemas (400), then the handler, whose refusals
 * map to statuses in one place (`onError`). Reads of personal data and all changes go to the audit log.
 * @example
 * const app = createApp({ store, clock: Date.now, logger });
 * const res = await app.request('/healthz');
 */
export function createApp(deps: AppDeps): Hono {
  const { store, clock, logger } = deps;
  const auth = createAuthService({
    users: store.users,
    clock,
    maxFailuresPerUser: deps.loginLimits?.perUser,
    maxFailuresPerAddress: deps.loginLimits?.perAddress,
    loginWindowMs: deps.loginLimits?.windowMs,
  });
  const auditor = createAuditor({ log: store.audit, clock });
  const cases = createCaseService({ cases: store.cases, suspects: store.cases, alerts: store.cases, clock });
  const env: ApiEnv = { deps, auth, auditor, cases };
  const routes = apiRoutes(env);
  const openApi = buildOpenApi(routes);

  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json(
        { error: { code: error.code, message: maskText(error.message), issues: error.issues } },
        error.status,
      );
    }
    logger.error('request failed', {
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? error.message : String(error),
    });
    return c.json(
      { error: { code: 'internal', message: 'the server failed; the error was logged', issues: [] } },
      500,
    );
  });

  app.notFound((c) =>
    c.json(
      { error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}`, issues: [] } },
      404,
    ),
  );

  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/openapi.json', (c) => c.json(openApi));

  for (const def of routes) {
    const limit = def.ndjson?.maxBytes ?? MAX_JSON_BYTES;
    app.on(
      def.method.toUpperCase(),
      honoPath(def.path),
      bodyLimit({
        maxSize: limit,
        onError: () => {
          throw new ApiError(
            413,
            'too_large',
            `the body is larger than ${limit} bytes; send it in smaller batches`,
          );
        },
      }),
      async (c) => {
        // 1. Who is calling.
        let user: User | undefined;
        let via: RequestContext<unknown, unknown, unknown>['via'];
        const bearer = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
        if (bearer !== undefined) {
          user = await auth.tokenUser(bearer);
          if (user !== undefined) via = { kind: 'token' };
        } else {
          const sessionId = getCookie(c, SESSION_COOKIE);
          const session = sessionId === undefined ? undefined : await auth.sessionUser(sessionId);
          if (session !== undefined && sessionId !== undefined) {
            user = session.user;
            via = { kind: 'session', sessionId, csrfToken: session.csrfToken };
          }
        }
        const record = (
          outcome: AuditOutcome,
          target: string,
          detail: Record<string, unknown> = {},
          actor = user?.name ?? 'anonymous',
        ) =>
          auditor.record({
            actor,
            action: def.audit ?? def.path,
            target,
            outcome,
            detail,
          });

        if (def.access !== 'public') {
          if (user === undefined) {
            throw new ApiError(
              401,
              'auth.required',
              'sign in (session cookie) or send an API token (Authorization: Bearer …)',
            );
          }
          // 2. A dashboard session must prove the request came from the dashboard (the cookie alone does not).
          if (
            via?.kind === 'session' &&
            def.method !== 'get' &&
            c.req.header(CSRF_HEADER) !== via.csrfToken
          ) {
            await record('denied', c.req.path, { reason: 'csrf' });
            throw new ApiError(
              403,
              'auth.csrf',
              `a state-changing request needs the session's CSRF token in ${CSRF_HEADER}`,
            );
          }
          // 3. The role.
          if (def.access !== 'authenticated' && !def.access.includes(user.role)) {
            await record('denied', c.req.path, { reason: 'role', role: user.role });
            throw new ApiError(
              403,
              'auth.forbidden',
              `the ${user.role} role may not ${def.summary.toLowerCase()}`,
            );
          }
        }

        // 4. The request's shape.
        const params = def.params?.safeParse(c.req.param()) ?? { success: true as const, data: {} };
        if (!params.success) throw invalid('params', params.error);
        const query = def.query?.safeParse(c.req.query()) ?? { success: true as const, data: {} };
        if (!query.success) throw invalid('query', query.error);
        let body: unknown;
        if (def.ndjson !== undefined) {
          body = await c.req.text();
        } else if (def.body !== undefined) {
          let raw: unknown;
          try {
            raw = await c.req.json();
          } catch {
            throw new ApiError(400, 'invalid_json', 'the body is not JSON; send application/json');
          }
          const parsed = def.body.safeParse(raw);
          if (!parsed.success) throw invalid('body', parsed.error);
          body = parsed.data;
        }

        // 5. The handler; its outcome is audited whatever it is.
        const context: RequestContext<unknown, unknown, unknown> = {
          params: params.data,
          query: query.data,
          body,
          user: user ?? ANONYMOUS,
          actor: { name: user?.name ?? 'anonymous', unit: user?.unit, handlerId: user?.handlerId },
          via,
          hono: c,
          audit: {},
        };
        let result: unknown;
        try {
          result = await def.handler(context);
        } catch (error) {
          if (def.audit !== undefined && error instanceof ApiError) {
            const outcome: AuditOutcome =
              error.status === 403 || error.status === 401 || error.status === 429 ? 'denied' : 'failed';
            await record(
              outcome,
              context.audit.target ?? c.req.path,
              { ...context.audit.detail, code: error.code },
              context.audit.actor,
            );
          }
          throw error;
        }
        const checked = def.response.safeParse(result);
        if (!checked.success) {
          throw new Error(
            `response of ${def.method.toUpperCase()} ${def.path} does not match its schema: ${checked.error.message}`,
          );
        }
        if (def.audit !== undefined) {
          await record(
            context.audit.outcome ?? 'ok',
            context.audit.target ?? c.req.path,
            context.audit.detail,
            context.audit.actor,
          );
        }
        return c.json(checked.data as object, context.status ?? def.status ?? 200);
      },
    );
  }

  const webRoot = deps.webRoot;
  // The dashboard is there when its index.html is (`tsc` alone leaves dist/web without it).
  if (webRoot !== undefined && existsSync(join(webRoot, 'index.html'))) {
    // The static files and the dashboard's index.html answer only outside /api: an unknown API route is 404 JSON.
    const outsideApi =
      (handler: MiddlewareHandler): MiddlewareHandler =>
      (c, next) =>
        isApiPath(c.req.path) ? next() : handler(c, next);
    app.use('/*', outsideApi(serveStatic({ root: webRoot })));
    app.get('/*', outsideApi(serveStatic({ root: webRoot, path: 'index.html' })));
  } else {
    app.get('/', (c) =>
      c.html(
        '<!doctype html><meta charset="utf-8"><title>ghostwatch</title><h1>ghostwatch</h1>' +
          '<p>The dashboard is not built here (<code>npm run build</code> builds it). The HTTP API is served: see ' +
          '<a href="/openapi.json">/openapi.json</a>.</p>',
      ),
    );
  }
  return app;
}

import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { USER_NAME_PATTERN } from '../../auth/roles.js';
import { type ApiEnv, socketAddress } from '../context.js';
import { ApiError, errorFromIssues } from '../http-error.js';
import { route } from '../route.js';
import { okBody } from '../schemas.js';
import { toUserView, userView } from './views.js';

export const SESSION_COOKIE = 'gw_session';

const loginBody = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(256) });

// The response schemas are exported so that src/api/web-types.check.ts holds the dashboard's types to them.
export const loginView = z.object({ user: userView, csrfToken: z.string(), expiresAt: z.number().int() });
export const meView = z.object({ user: userView, csrfToken: z.string().optional() });

/** Sign in and out (dashboard sessions), and who am I. */
export function sessionRoutes(env: ApiEnv) {
  return [
    route({
      method: 'post',
      path: '/api/login',
      summary: 'Sign in (sets the session cookie; returns the CSRF token)',
      tag: 'session',
      access: 'public',
      body: loginBody,
      example: { name: 'li.wei', password: 'the one-time password' },
      response: loginView,
      audit: 'login',
      async handler({ body, hono, audit }) {
        audit.target = `user:${body.name}`;
        // Sign-ins are recorded under the name tried (when it is a valid user name: printable and short).
        if (USER_NAME_PATTERN.test(body.name)) audit.actor = body.name;
        const address = (env.deps.clientAddress ?? socketAddress)(hono);
        const outcome = await env.auth.login(body.name, body.password, address);
        if (!outcome.ok) {
          const error = errorFromIssues(outcome.issues);
          if (outcome.retryAfterMs === undefined) throw error;
          throw new ApiError(error.status, error.code, error.message, error.issues, {
            'retry-after': String(Math.ceil(outcome.retryAfterMs / 1000)),
          });
        }
        const { sessionId, csrfToken, expiresAt, user } = outcome.value;
        const secure =
          env.deps.secureCookies ??
          (hono.req.header('x-forwarded-proto') === 'https' || new URL(hono.req.url).protocol === 'https:');
        setCookie(hono, SESSION_COOKIE, sessionId, {
          httpOnly: true,
          sameSite: 'Strict',
          secure,
          path: '/',
          maxAge: Math.floor((expiresAt - env.deps.clock()) / 1000),
        });
        return { user: toUserView(user), csrfToken, expiresAt };
      },
    }),
    route({
      method: 'post',
      path: '/api/logout',
      summary: 'Sign out (ends the session)',
      tag: 'session',
      access: 'authenticated',
      response: okBody,
      audit: 'logout',
      async handler({ via, hono }) {
        if (via?.kind === 'session') await env.auth.logout(via.sessionId);
        deleteCookie(hono, SESSION_COOKIE, { path: '/' });
        return { ok: true as const };
      },
    }),
    route({
      method: 'get',
      path: '/api/me',
      summary: 'Who is signed in (and the session CSRF token)',
      tag: 'session',
      access: 'authenticated',
      response: meView,
      async handler({ user, via }) {
        return { user: toUserView(user), ...(via?.kind === 'session' ? { csrfToken: via.csrfToken } : {}) };
      },
    }),
  ];
}

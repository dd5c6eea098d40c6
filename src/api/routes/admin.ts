import { z } from 'zod';
import { verifyChain } from '../../audit/audit-chain.js';
import { ROLES } from '../../auth/roles.js';
import type { Result } from '../../core/result.js';
import type { ApiEnv } from '../context.js';
import { ApiError, errorFromIssues } from '../http-error.js';
import { route } from '../route.js';
import { identifier, pageOf, unitName, userName } from '../schemas.js';
import { defined, toUserView, userView } from './views.js';

const unwrap = <T>(result: Result<T>): T => {
  if (!result.ok) throw errorFromIssues(result.issues);
  return result.value;
};

const tokenId = z.string().regex(/^[A-Za-z0-9]{12}$/, { error: 'is not a token id' });

// The response schemas are exported so that src/api/web-types.check.ts holds the dashboard's types to them.
export const userListView = z.object({ items: z.array(userView) });

/** Users and tokens (admin), the audit log (auditor, admin). */
export function adminRoutes(env: ApiEnv) {
  const { store } = env.deps;
  const userByName = async (name: string) => {
    const user = await store.users.findUserByName(name);
    if (user === undefined) throw new ApiError(404, 'not_found', `no user named ${name}`);
    const { passwordHash: _hidden, ...rest } = user;
    return rest;
  };

  return [
    route({
      method: 'get',
      path: '/api/users',
      summary: 'List users (supervisors read it to pick an assignee; never passwords or tokens)',
      tag: 'admin',
      // Supervisors assign alerts and cases: they pick the assignee from this list instead of typing a name.
      access: ['admin', 'supervisor'],
      query: z.object({
        /** Only these roles (`?role=investigator,supervisor`). */
        role: z
          .string()
          .max(200)
          .transform((text, ctx) => {
            const roles = text.split(',').filter((r) => r !== '');
            const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
            if (unknown.length > 0)
              ctx.addIssue({ code: 'custom', message: `unknown role ${unknown.join(', ')}` });
            return roles;
          })
          .optional(),
        /** Leave out disabled users (`?active=true`). */
        active: z
          .enum(['true', 'false'])
          .transform((v) => v === 'true')
          .optional(),
      }),
      response: userListView,
      audit: 'users.list',
      async handler({ query, audit }) {
        audit.detail = defined({ role: query.role?.join(','), active: query.active });
        const users = (await store.users.listUsers()).filter(
          (u) =>
            (query.role === undefined || query.role.length === 0 || query.role.includes(u.role)) &&
            (query.active !== true || !u.disabled),
        );
        return { items: users.map(toUserView) };
      },
    }),
    route({
      method: 'post',
      path: '/api/users',
      summary: 'Add a user (returns a one-time password, or an API token for machines)',
      tag: 'admin',
      access: ['admin'],
      body: z.object({
        name: userName,
        role: z.enum(ROLES),
        unit: unitName.optional(),
        handlerId: identifier().optional(),
        token: z.boolean().default(false),
      }),
      example: { name: 'li.wei', role: 'investigator', unit: 'fund-supervision' },
      status: 201,
      response: z.object({ user: userView, password: z.string().optional(), token: z.string().optional() }),
      audit: 'users.add',
      async handler({ body, audit }) {
        audit.target = `user:${body.name}`;
        audit.detail = defined({
          role: body.role,
          unit: body.unit,
          handlerId: body.handlerId,
          token: body.token,
        });
        const issued = unwrap(await env.auth.addUser(body));
        return { ...issued, user: toUserView(issued.user) };
      },
    }),
    route({
      method: 'patch',
      path: '/api/users/{name}',
      summary: 'Disable or enable a user',
      tag: 'admin',
      access: ['admin'],
      params: z.object({ name: userName }),
      body: z.object({ disabled: z.boolean() }),
      example: { disabled: true },
      response: userView,
      audit: 'users.update',
      async handler({ params, body, audit }) {
        audit.target = `user:${params.name}`;
        audit.detail = { disabled: body.disabled };
        const user = await userByName(params.name);
        await store.users.setUserDisabled(user.userId, body.disabled);
        return toUserView({ ...user, disabled: body.disabled });
      },
    }),
    route({
      method: 'get',
      path: '/api/users/{name}/tokens',
      summary: 'List a user’s API tokens',
      tag: 'admin',
      access: ['admin'],
      params: z.object({ name: userName }),
      response: z.object({
        items: z.array(z.object({ tokenId: z.string(), createdAt: z.number().int(), revoked: z.boolean() })),
      }),
      audit: 'tokens.list',
      async handler({ params, audit }) {
        audit.target = `user:${params.name}`;
        const user = await userByName(params.name);
        const tokens = await store.users.listApiTokens(user.userId);
        return {
          items: tokens.map((t) => ({ tokenId: t.tokenId, createdAt: t.createdAt, revoked: t.revoked })),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/users/{name}/tokens',
      summary: 'Issue an API token for a user (shown once)',
      tag: 'admin',
      access: ['admin'],
      params: z.object({ name: userName }),
      status: 201,
      response: z.object({ token: z.string() }),
      audit: 'tokens.issue',
      async handler({ params, audit }) {
        audit.target = `user:${params.name}`;
        const issued = unwrap(await env.auth.issueToken(params.name));
        return { token: issued.token ?? '' };
      },
    }),
    route({
      method: 'delete',
      path: '/api/tokens/{tokenId}',
      summary: 'Revoke an API token',
      tag: 'admin',
      access: ['admin'],
      params: z.object({ tokenId }),
      response: z.object({ ok: z.literal(true) }),
      audit: 'tokens.revoke',
      async handler({ params, audit }) {
        audit.target = `token:${params.tokenId}`;
        if (!(await store.users.revokeApiToken(params.tokenId))) {
          throw new ApiError(404, 'not_found', `no live token ${params.tokenId}`);
        }
        return { ok: true as const };
      },
    }),
    route({
      method: 'get',
      path: '/api/audit',
      summary: 'Read the audit log',
      tag: 'audit',
      access: ['auditor', 'admin'],
      query: z.object({
        offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        actor: userName.optional(),
        action: z
          .string()
          .max(64)
          .regex(/^[a-z.-]+$/)
          .optional(),
      }),
      response: pageOf(
        z.object({
          seq: z.number().int(),
          at: z.number().int(),
          actor: z.string(),
          action: z.string(),
          target: z.string(),
          outcome: z.string(),
          detail: z.record(z.string(), z.unknown()),
          hash: z.string(),
        }),
      ),
      audit: 'audit.read',
      async handler({ query }) {
        const page = await store.audit.listAudit(query);
        return {
          items: page.items.map(({ prevHash: _prev, ...entry }) => ({
            ...entry,
            detail: { ...entry.detail },
          })),
          total: page.total,
          offset: query.offset,
          limit: query.limit,
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/audit/verify',
      summary: 'Check the audit log’s hash chain',
      tag: 'audit',
      access: ['auditor', 'admin'],
      response: z.object({
        ok: z.boolean(),
        entries: z.number().int(),
        lastSeq: z.number().int(),
        firstBreak: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
      }),
      audit: 'audit.verify',
      async handler({ audit }) {
        const report = await verifyChain(store.audit.readAuditBatches(), await store.audit.auditHead());
        audit.detail = { ok: report.firstBreak === undefined, entries: report.entries };
        return {
          ok: report.firstBreak === undefined,
          entries: report.entries,
          lastSeq: report.lastSeq,
          ...(report.firstBreak === undefined ? {} : { firstBreak: report.firstBreak }),
        };
      },
    }),
  ];
}

import type { Context } from 'hono';
import type { z } from 'zod';
import type { AuditOutcome } from '../audit/audit-chain.js';
import type { User } from '../auth/ports.js';
import type { Role } from '../auth/roles.js';
import type { Actor } from '../cases/approval.js';

/** Who may call a route: nobody needs to sign in (`public`), anyone signed in, or the listed roles. */
export type Access = 'public' | 'authenticated' | readonly Role[];

/** What a handler gets: the validated request, the signed-in user, and the audit entry it may fill in. */
export interface RequestContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The signed-in user (on public routes, an anonymous stand-in with no role's rights). */
  readonly user: User;
  readonly actor: Actor;
  /** How the user signed in: a dashboard session (with its CSRF token) or an API token. */
  readonly via:
    | { readonly kind: 'session'; readonly sessionId: string; readonly csrfToken: string }
    | { readonly kind: 'token' }
    | undefined;
  readonly hono: Context;
  /** Filled in by the handler: what the audit entry names. */
  readonly audit: {
    actor?: string;
    target?: string;
    detail?: Record<string, unknown>;
    outcome?: AuditOutcome;
  };
  /** The response status (default the route's). */
  status?: 200 | 201 | 202;
}

type Shape = z.ZodType<Record<string, unknown>, Record<string, unknown>>;

export interface RouteSpec<P extends Shape, Q extends Shape, B extends z.ZodType, R extends z.ZodType> {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI style: `/api/cases/{caseId}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: P;
  readonly query?: Q;
  /** A JSON body; `ndjson` routes take the body as text instead. */
  readonly body?: B;
  readonly ndjson?: { readonly lineSchema: z.ZodType; readonly maxBytes: number };
  readonly response: R;
  readonly status?: 200 | 201 | 202;
  /**
   * The audit action (`case.transition`): set on every route that changes anything or reads personal data.
   * Left out only on routes that do neither (status, health).
   */
  readonly audit?: string;
  /** A valid body: shown in /openapi.json and used by the tests that generate bad requests from it. */
  readonly example?: z.input<B>;
  handler(ctx: RequestContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<z.input<R>>;
}

/** A route with its types erased, as the app and the OpenAPI generator see it. */
export interface RouteDef {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: z.ZodType | undefined;
  readonly query?: z.ZodType | undefined;
  readonly body?: z.ZodType | undefined;
  readonly ndjson?: { readonly lineSchema: z.ZodType; readonly maxBytes: number } | undefined;
  readonly response: z.ZodType;
  readonly status?: 200 | 201 | 202 | undefined;
  readonly audit?: string | undefined;
  readonly example?: unknown;
  handler(ctx: RequestContext<unknown, unknown, unknown>): Promise<unknown>;
}

/**
 * Declares one route: method, path, who may call it, the zod schemas of its parameters, query, body and
 * response, and its handler. The app validates against the schemas; /openapi.json is generated from them.
 * @example
 * route({ method: 'get', path: '/api/cases/{caseId}', summary: 'One case', tag: 'cases',
 *   access: ['supervisor', 'investigator'], params: z.object({ caseId }), response: caseDetail, audit: 'case.read',
 *   handler: async ({ params }) => … })
 */
export function route<
  P extends Shape = z.ZodObject<Record<never, never>>,
  Q extends Shape = z.ZodObject<Record<never, never>>,
  B extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodType,
>(spec: RouteSpec<P, Q, B, R>): RouteDef {
  return spec as unknown as RouteDef;
}

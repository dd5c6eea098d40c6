import { z } from 'zod';
import { ROLES } from '../auth/roles.js';
import type { RouteDef } from './route.js';
import { errorBody } from './schemas.js';

type JsonSchema = Record<string, unknown>;

const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (schema === undefined) return [];
  const object = schemaOf(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: schemaOf(errorBody, 'output') } },
});

/**
 * The OpenAPI 3.1 document of the routes, generated from the same zod schemas the app validates with. Each
 * operation carries `x-roles`: the roles that may call it (`public`, `authenticated`, or a list).
 * @example const doc = buildOpenApi(routes); doc.paths['/api/cases'].get.summary
 */
export function buildOpenApi(routes: readonly RouteDef[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {
    '/healthz': {
      get: {
        operationId: 'healthz',
        summary: 'Liveness',
        tags: ['meta'],
        security: [],
        'x-roles': 'public',
        responses: {
          200: { description: 'alive', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        tags: ['meta'],
        security: [],
        'x-roles': 'public',
        responses: { 200: { description: 'the OpenAPI document' } },
      },
    },
  };
  for (const def of routes) {
    const operation: Record<string, unknown> = {
      operationId: `${def.method}${def.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      summary: def.summary,
      tags: [def.tag],
      'x-roles': def.access === 'public' || def.access === 'authenticated' ? def.access : [...def.access],
      ...(def.audit === undefined ? {} : { 'x-audit': def.audit }),
      security: def.access === 'public' ? [] : [{ session: [] }, { token: [] }],
      parameters: [...parameters(def.params, 'path'), ...parameters(def.query, 'query')],
      responses: {
        [def.status ?? 200]: {
          description: 'success',
          content: { 'application/json': { schema: schemaOf(def.response, 'output') } },
        },
        400: errorResponse('the request does not match its schema'),
        ...(def.access === 'public'
          ? {}
          : {
              401: errorResponse('not signed in'),
              403: errorResponse('role, CSRF token, conflict of interest or four-eyes'),
            }),
      },
    };
    if (def.ndjson !== undefined) {
      operation.requestBody = {
        required: true,
        content: {
          'application/x-ndjson': {
            schema: {
              type: 'string',
              description: 'one JSON object a line, each validated by x-line-schema',
            },
            'x-line-schema': schemaOf(def.ndjson.lineSchema, 'input'),
          },
        },
      };
    } else if (def.body !== undefined) {
      operation.requestBody = {
        required: true,
        content: {
          'application/json': {
            schema: schemaOf(def.body, 'input'),
            ...(def.example === undefined ? {} : { example: def.example }),
          },
        },
      };
    }
    paths[def.path] = { ...paths[def.path], [def.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ghostwatch API',
      version: '1',
      description:
        'Findings, alerts, cases, four-eyes approvals, the bank card-event feed and the audit log. ' +
        `Roles: ${ROLES.join(', ')}. Identity and card numbers are masked unless revealed with a reason.`,
    },
    components: {
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'gw_session',
          description: 'dashboard session; send x-csrf-token on changes',
        },
        token: {
          type: 'http',
          scheme: 'bearer',
          description: 'API token (gwt_…) from ghostwatch users add --token',
        },
      },
    },
    paths,
  };
}

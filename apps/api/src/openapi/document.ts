import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ACCESS_COOKIE } from '../auth/cookies.js';
import type { RegisteredRoute } from '../http/routes.js';
import { errorBody } from './schemas.js';

/** Where the document is served (outside the route table: it describes the table). */
export const OPENAPI_PATH = '/api/v1/openapi.json';

type Document = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid (validation_failed names each bad field; malformed_json) or refused',
  401: 'No valid session: missing, malformed, expired or revoked token',
  403: 'Signed in, but not allowed (administrators only, or not yours)',
  404: 'No such resource',
  409: 'Conflicts with the current state',
  413: 'The body is larger than BODY_LIMIT',
  415: 'The body encoding is not supported',
  429: 'Rate limited: see Retry-After',
  502: 'A dependency answered something unexpected',
  503: 'A dependency (Postgres, Redis, TMDB, the streamer) is unavailable: see Retry-After',
  507: 'The streamer has no room left for this source',
};

const SUCCESS_DESCRIPTIONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: still being fetched, try again after Retry-After seconds',
  204: 'Done; no body',
};

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

/** Express's `/movies/:tmdbId` is OpenAPI's `/movies/{tmdbId}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The first meaningful segment: /api/v1/movies/:tmdbId/sources is tagged movies, /health/live health. */
export const tagOf = (path: string) => path.replace(/^\/api\/v\d+\//, '/').split('/')[1] ?? 'api';

const operationId = (route: RegisteredRoute) =>
  [route.method, ...route.path.split('/').filter((s) => s && s !== 'api' && !/^v\d+$/.test(s))]
    .map((s, i) => {
      const words = s.replace(/^:/, 'by-').split(/[^A-Za-z0-9]+/);
      return words.map((w, j) => (i === 0 && j === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
    })
    .join('');

/** An empty body (or none at all) passes the route's body schema: the body is then optional. */
const bodyRequired = (schema: z.ZodType) => !schema.safeParse({}).success;

function responsesOf(route: RegisteredRoute): Record<number, ResponseConfig> {
  const responses: Record<number, ResponseConfig> = {};
  responses[route.status] = {
    description: SUCCESS_DESCRIPTIONS[route.status] ?? 'OK',
    ...(route.response ? { content: json(route.response) } : {}),
  };
  for (const [status, schema] of Object.entries(route.responses))
    responses[Number(status)] = {
      description: SUCCESS_DESCRIPTIONS[Number(status)] ?? ERROR_DESCRIPTIONS[Number(status)] ?? 'See body',
      content: json(schema),
    };
  for (const status of route.errors)
    responses[status] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: json(errorBody) };
  return responses;
}

function routeConfig(route: RegisteredRoute): RouteConfig {
  const request: NonNullable<RouteConfig['request']> = {};
  if (route.params) request.params = route.params as NonNullable<typeof request.params>;
  if (route.query) request.query = route.query as NonNullable<typeof request.query>;
  if (route.body) request.body = { required: bodyRequired(route.body), content: json(route.body) };
  return {
    method: route.method,
    path: openApiPath(route.path),
    operationId: operationId(route),
    summary: route.summary,
    tags: [tagOf(route.path)],
    security: route.access === 'public' ? [] : [{ bearerAuth: [] }, { cookieAuth: [] }],
    ...(route.access === 'admin' ? { description: 'Administrators only.' } : {}),
    request,
    responses: responsesOf(route),
  };
}

/**
 * HTTP hands a handler strings only: a path or query parameter is never null, and a path parameter
 * is always there. zod-to-openapi tells nullability by parsing null, which a coercing number with a
 * minimum of 0 accepts (null becomes 0): said right here.
 */
function fixParameters(doc: Document): Document {
  for (const item of Object.values(doc.paths ?? {}))
    for (const operation of Object.values(item as Record<string, { parameters?: unknown[] }>)) {
      for (const p of operation.parameters ?? []) {
        const param = p as { in?: string; required?: boolean; schema?: { type?: unknown } };
        if (param.in === 'path') param.required = true;
        if (Array.isArray(param.schema?.type)) {
          const types = param.schema.type.filter((t) => t !== 'null');
          param.schema.type = types.length === 1 ? types[0] : types;
        }
      }
    }
  return doc;
}

/** The OpenAPI 3.1 document of every route in the table, from their zod schemas. */
export function openApiDocument(routes: RegisteredRoute[], options: { version?: string } = {}): Document {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The accessToken from POST /api/v1/auth/login (or refresh, or the device flow)',
  });
  registry.registerComponent('securitySchemes', 'cookieAuth', {
    type: 'apiKey',
    in: 'cookie',
    name: ACCESS_COOKIE,
    description: 'The same token as an httpOnly cookie, set by sign-in for browsers',
  });
  for (const route of routes) registry.registerPath(routeConfig(route));
  registry.registerPath({
    method: 'get',
    path: OPENAPI_PATH,
    operationId: 'getOpenapiJson',
    summary: 'This document',
    tags: ['docs'],
    security: [],
    responses: {
      200: {
        description: 'The OpenAPI 3.1 document',
        content: json(z.record(z.string(), z.unknown())),
      },
      429: { description: ERROR_DESCRIPTIONS[429]!, content: json(errorBody) },
    },
  });
  const tags = [...new Set(routes.map((r) => tagOf(r.path))), 'docs'].map((name) => ({ name }));
  const doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Cinenest API',
      version: options.version ?? '0.1.0',
      description:
        'The JSON API of Cinenest. Errors are `{"error":{"code","message","fields"?}}`. Video bytes are ' +
        'served at GET/HEAD /stream/{token} (a signed URL from POST /api/v1/movies/{tmdbId}/stream), ' +
        'outside this document.',
    },
    tags,
  });
  return fixParameters(doc);
}

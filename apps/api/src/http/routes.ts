import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import type { AuthContext } from '../auth/authenticate.js';
import { MethodNotAllowedError, parseOrThrow, ValidationError } from '@cinenest/http';
import { errorBody } from '../openapi/schemas.js';

export type Access = 'public' | 'user' | 'admin';
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteInput<B, Q, P, A extends Access> {
  body: Infer<B>;
  query: Infer<Q>;
  params: Infer<P>;
  auth: A extends 'public' ? AuthContext | undefined : AuthContext;
  req: Request;
  res: Response;
}

export interface RouteSpec<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  P extends z.ZodType | undefined = z.ZodType | undefined,
  A extends Access = Access,
> {
  method: Method;
  path: string;
  access: A;
  summary: string;
  body?: B;
  query?: Q;
  params?: P;
  /** Success status when the handler returns a body (default 200); no body answers 204. */
  status?: number;
  /**
   * The body of the success answer (JSON as sent: dates are ISO strings). None: the route answers
   * 204 without a body. Documented in the OpenAPI document, and checked on every answer in tests.
   */
  response?: z.ZodType;
  /** Other answers with a body of their own, by status: 202 while pending, a 503 naming what is down. */
  responses?: Record<number, z.ZodType>;
  /**
   * Error statuses the handler itself answers (404, 409...), with the shared error body. Those of the
   * guards and validation (400, 401, 403, 413, 429, 503) are implied: see errorStatuses().
   */
  errors?: number[];
  /** Counted by the general rate limit (default true; health probes are not). */
  rateLimited?: boolean;
  /** Extra middleware run before validation, such as a stricter rate limit. */
  before?: RequestHandler[];
  handler: (input: RouteInput<B, Q, P, A>) => Promise<unknown> | unknown;
}

/** Declares a route; the generics carry the zod types into the handler's input. */
export function route<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  A extends Access = Access,
>(spec: RouteSpec<B, Q, P, A>): RouteSpec {
  return spec as unknown as RouteSpec;
}

export interface RouteGuards {
  /** Resolves the caller, or throws 401; with optional=true it leaves anonymous callers alone. */
  authenticate: (optional: boolean) => RequestHandler;
  requireRole: (role: 'ADMIN') => RequestHandler;
  /** The general per-user (or per-IP when anonymous) rate limit. */
  generalLimit: RequestHandler;
}

export interface RegisteredRoute {
  method: Method;
  path: string;
  access: Access;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** The success status: `status` with a response body, else 204. */
  status: number;
  response?: z.ZodType;
  responses: Record<number, z.ZodType>;
  /** Every error status answered with the shared error body, ascending. */
  errors: number[];
}

export interface MountOptions {
  /**
   * Checks every JSON answer against its documented schema (tests only: production never pays for
   * it). A mismatch is answered with 500 response_schema_mismatch naming the zod issues, so the
   * test that caused it fails, and is kept in responseMismatches.
   */
  validateResponses?: boolean;
}

export interface ResponseMismatch {
  route: string;
  status: number;
  problem: string;
  issues?: z.core.$ZodIssue[];
}

/** Mismatches seen in this process (with validateResponses), oldest first. */
export const responseMismatches: ResponseMismatch[] = [];

/** The error statuses a route answers: its guards', its validation's, and its own `errors`. */
export function errorStatuses(spec: RouteSpec): number[] {
  const statuses = new Set(spec.errors ?? []);
  if (spec.body || spec.query || spec.params) statuses.add(400);
  // The JSON body parser: too large, or an encoding it does not read.
  if (spec.body) [413, 415].forEach((s) => statuses.add(s));
  if (spec.access !== 'public') statuses.add(401);
  if (spec.access === 'admin') statuses.add(403);
  if (spec.rateLimited !== false || spec.before?.length) statuses.add(429);
  // Postgres or Redis unavailable: everything but the health probes, which say so in their own way.
  if (spec.rateLimited !== false || spec.access !== 'public') statuses.add(503);
  for (const status of Object.keys(spec.responses ?? {})) statuses.delete(Number(status));
  return [...statuses].sort((a, b) => a - b);
}

/** A NUL (Postgres text cannot hold one) or half a surrogate pair (not text at all: no UTF-8 for it). */
// eslint-disable-next-line no-control-regex -- NUL is what it looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Refuses text no handler can store or look up, wherever it is in the input: before this, a NUL in a
 * display name or a lone surrogate in a device name reached the database and answered 500.
 */
function refuseUnstorableText(value: unknown, where: string): void {
  const fields: Record<string, string> = {};
  const walk = (v: unknown, path: string, depth: number) => {
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v))
        fields[path || where] ??= 'must not contain NUL characters or unpaired surrogates';
    } else if (v && typeof v === 'object' && depth < 32)
      for (const [key, item] of Object.entries(v)) walk(item, path ? `${path}.${key}` : key, depth + 1);
  };
  walk(value, '', 0);
  if (Object.keys(fields).length)
    throw new ValidationError(fields, `Invalid ${where}: ${Object.keys(fields).join(', ')}`);
}

function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  refuseUnstorableText(value, where);
  return parseOrThrow(schema, value, where);
}

function register(spec: RouteSpec): RegisteredRoute {
  const { method, path, access, summary, body, query, params, response } = spec;
  return {
    method,
    path,
    access,
    summary,
    ...(body ? { body } : {}),
    ...(query ? { query } : {}),
    ...(params ? { params } : {}),
    status: response ? (spec.status ?? 200) : 204,
    ...(response ? { response } : {}),
    responses: spec.responses ?? {},
    errors: errorStatuses(spec),
  };
}

/** What is wrong with an answer's body for this route, or undefined when it is as documented. */
function checkAnswer(route: RegisteredRoute, status: number, body: unknown): ResponseMismatch | undefined {
  const label = `${route.method.toUpperCase()} ${route.path}`;
  // A bug's answer: the test that caused it fails on the status anyway.
  if (status === 500) return undefined;
  const schema =
    status === route.status
      ? route.response
      : (route.responses[status] ?? (route.errors.includes(status) ? errorBody : undefined));
  if (!schema) return { route: label, status, problem: `status ${status} with a body is not documented` };
  let value: unknown;
  try {
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : undefined;
    value = text === undefined ? JSON.parse(JSON.stringify(body)) : JSON.parse(text);
  } catch {
    return { route: label, status, problem: 'the body is not JSON' };
  }
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  return { route: label, status, problem: 'the body does not match its schema', issues: result.error.issues };
}

function mismatchBody(mismatch: ResponseMismatch) {
  return {
    error: {
      code: 'response_schema_mismatch',
      message: `${mismatch.route} answered ${mismatch.status}: ${mismatch.problem}`,
      issues: mismatch.issues ?? [],
    },
  };
}

/** Test mode: every body this request is answered with (by the handler or the error handler) is checked. */
function validatingAnswers(route: RegisteredRoute): RequestHandler {
  return (_req, res, next) => {
    const send = res.send.bind(res);
    let checked = false;
    res.send = (body?: unknown) => {
      if (checked) return send(body);
      checked = true;
      const mismatch = checkAnswer(route, res.statusCode, body);
      if (!mismatch) return send(body);
      responseMismatches.push(mismatch);
      res.removeHeader('ETag');
      res.status(500).set('Content-Type', 'application/json; charset=utf-8');
      return send(JSON.stringify(mismatchBody(mismatch)));
    };
    next();
  };
}

/**
 * Mounts every route with its guards and validation, and answers 405 (with Allow) for a known
 * path asked with another method. Returns the table of what was registered.
 */
export function mountRoutes(
  specs: RouteSpec[],
  guards: RouteGuards,
  options: MountOptions = {},
): { router: Router; table: RegisteredRoute[] } {
  const router = express.Router();
  const methodsByPath = new Map<string, Set<string>>();
  const table: RegisteredRoute[] = [];
  for (const spec of specs) {
    const registered = register(spec);
    table.push(registered);
    const chain: RequestHandler[] = [];
    if (options.validateResponses) chain.push(validatingAnswers(registered));
    chain.push(guards.authenticate(spec.access === 'public'));
    if (spec.access === 'admin') chain.push(guards.requireRole('ADMIN'));
    if (spec.rateLimited !== false) chain.push(guards.generalLimit);
    chain.push(...(spec.before ?? []));
    chain.push(async (req, res) => {
      const input = {
        body: spec.body ? parseInput(spec.body, req.body, 'body') : undefined,
        query: spec.query ? parseInput(spec.query, req.query, 'query') : undefined,
        params: spec.params ? parseInput(spec.params, req.params, 'params') : undefined,
        auth: res.locals.auth as AuthContext | undefined,
        req,
        res,
      } as RouteInput<unknown, unknown, unknown, Access>;
      const result = await spec.handler(input);
      if (res.headersSent) return;
      if (result !== undefined) res.status(spec.status ?? 200).json(result);
      else if (options.validateResponses && spec.response) {
        const mismatch = {
          route: `${spec.method.toUpperCase()} ${spec.path}`,
          status: 204,
          problem: 'answered without a body, but a response body is documented',
        };
        responseMismatches.push(mismatch);
        res.status(500).json(mismatchBody(mismatch));
      } else res.status(204).end();
    });
    router[spec.method](spec.path, ...chain);
    const methods = methodsByPath.get(spec.path) ?? new Set<string>();
    methods.add(spec.method.toUpperCase());
    if (spec.method === 'get') methods.add('HEAD');
    methodsByPath.set(spec.path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    router.all(path, () => {
      throw new MethodNotAllowedError([...methods]);
    });
  }
  return { router, table };
}

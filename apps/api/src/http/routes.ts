import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import type { AuthContext } from '../auth/authenticate.js';
import { MethodNotAllowedError, parseOrThrow } from '@cinenest/http';

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
}

/**
 * Mounts every route with its guards and validation, and answers 405 (with Allow) for a known
 * path asked with another method. Returns the table of what was registered.
 */
export function mountRoutes(
  specs: RouteSpec[],
  guards: RouteGuards,
): { router: Router; table: RegisteredRoute[] } {
  const router = express.Router();
  const methodsByPath = new Map<string, Set<string>>();
  for (const spec of specs) {
    const chain: RequestHandler[] = [guards.authenticate(spec.access === 'public')];
    if (spec.access === 'admin') chain.push(guards.requireRole('ADMIN'));
    if (spec.rateLimited !== false) chain.push(guards.generalLimit);
    chain.push(...(spec.before ?? []));
    chain.push(async (req, res) => {
      const input = {
        body: spec.body ? parseOrThrow(spec.body, req.body, 'body') : undefined,
        query: spec.query ? parseOrThrow(spec.query, req.query, 'query') : undefined,
        params: spec.params ? parseOrThrow(spec.params, req.params, 'params') : undefined,
        auth: res.locals.auth as AuthContext | undefined,
        req,
        res,
      } as RouteInput<unknown, unknown, unknown, Access>;
      const result = await spec.handler(input);
      if (res.headersSent) return;
      if (result === undefined) res.status(204).end();
      else res.status(spec.status ?? 200).json(result);
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
  const table = specs.map(({ method, path, access, summary }) => ({ method, path, access, summary }));
  return { router, table };
}

import type { Request, RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';

/** Seconds; an API answer is usually well under 100 ms, a stream response lasts minutes. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface HttpMetricsOptions {
  /** A label for requests no route matched (a middleware answered them, such as a proxy). */
  routeOf?: (req: Request) => string | undefined;
}

/**
 * A route's label: its template joined to the router's mount path (`/api/v1/movies/:tmdbId`), never
 * the URL itself, so ids and stream tokens stay out of the labels and their number stays bounded.
 */
export function routeLabel(baseUrl: string, path: unknown): string | undefined {
  if (typeof path !== 'string') return undefined;
  return `${baseUrl}${path === '/' && baseUrl ? '' : path}` || '/';
}

/**
 * Times every request (first byte in to the response's end, or the client going away) into
 * `cinenest_http_request_duration_seconds{method,route,status}`. Mount it early. The route is taken
 * when the router matches one (with the mount path of that moment: an error handler runs after the
 * router has put req.baseUrl back); a request no route matched (404s, scanners) is `unmatched`, or
 * what `routeOf` says. A client that left before any answer is status 499.
 */
export function httpMetrics(registry: Registry, options: HttpMetricsOptions = {}): RequestHandler {
  const histogram = new Histogram({
    name: 'cinenest_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status, with their duration',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let matched: unknown;
    let route: string | undefined;
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => matched,
      set: (value: { path?: unknown } | undefined) => {
        matched = value;
        route = routeLabel(req.baseUrl, value?.path) ?? route;
      },
    });
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      histogram.observe(
        {
          method: METHODS.has(req.method) ? req.method : 'OTHER',
          route: route ?? options.routeOf?.(req) ?? 'unmatched',
          status: res.headersSent ? String(res.statusCode) : '499',
        },
        seconds,
      );
    });
    next();
  };
}

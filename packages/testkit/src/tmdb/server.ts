import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StandInCatalog, type MediaKind } from './catalog.js';
import { Faults, type Fault, type FaultKind, type FaultOptions } from './faults.js';
import { Lists } from './lists.js';
import { SlidingWindowLimit, type RateLimitOptions } from './rate-limit.js';
import { NOT_FOUND, route, tmdbError, type Reply } from './routes.js';

export interface TmdbStandInOptions {
  /** The Bearer token (or api_key) the stand-in accepts; default 'standin-token'. */
  token?: string;
  /** Default 300 movies (ids from 1000) and 60 shows (ids from 500000). */
  movies?: number;
  shows?: number;
  /** The catalog and every probabilistic fault derive from it; default 1. */
  seed?: number;
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  /** YYYY-MM-DD taken as today (upcoming, airing shows, the changes feed); default the real date. */
  today?: string;
  /**
   * Enforce a rate limit, as TMDB does: more than perSecond (+ a small burst margin, see
   * RateLimitOptions) requests within any 1 s sliding window are answered 429 with Retry-After.
   * Default: no limit.
   */
  rateLimit?: RateLimitOptions;
}

export interface StandInRequest {
  /** Relative to the /3 base, e.g. /movie/1000. */
  path: string;
  /** The query string, '' or starting with '?'. */
  query: string;
  /** The HTTP status answered; 0 while pending, or when the connection was reset. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface TmdbStandIn {
  /** The base URL, e.g. http://127.0.0.1:PORT/3 */
  url: string;
  token: string;
  catalog: StandInCatalog;
  /** How many requests arrived (faulted ones included). */
  requests(): number;
  requestLog(): StandInRequest[];
  /** How many requests the rateLimit option refused with 429 (faults not included). */
  rateLimited(): number;
  /** Replaces the active fault; 'none' clears it. */
  fault(kind: FaultKind, options?: FaultOptions): void;
  /** Adds a title to the changes feed of a day. */
  touch(kind: MediaKind, id: number, date: string): void;
  close(): Promise<void>;
}

const UNAUTHORIZED = tmdbError(401, 7, 'Invalid API key: You must be granted a valid key.');

function send(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

function authorized(req: IncomingMessage, url: URL, token: string): boolean {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  return bearer === token || (!req.headers.authorization && url.searchParams.get('api_key') === token);
}

/** An HTTP server speaking TMDB v3's paths and shapes over a generated catalog, with switchable faults. */
export async function startTmdbStandIn(options: TmdbStandInOptions = {}): Promise<TmdbStandIn> {
  const token = options.token ?? 'standin-token';
  const seed = options.seed ?? 1;
  const catalog = new StandInCatalog({
    seed,
    movies: options.movies ?? 300,
    shows: options.shows ?? 60,
    today: options.today ?? new Date().toISOString().slice(0, 10),
  });
  const lists = new Lists(catalog);
  const faults = new Faults(seed);
  const limit = options.rateLimit ? new SlidingWindowLimit(options.rateLimit) : undefined;
  const log: StandInRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    entry: StandInRequest,
    fault?: Fault,
  ) => {
    let reply: Reply;
    try {
      if (!url.pathname.startsWith('/3/')) reply = NOT_FOUND;
      else if (!authorized(req, url, token)) reply = UNAUTHORIZED;
      else if (req.method !== 'GET' && req.method !== 'HEAD') {
        reply = tmdbError(405, 42, 'The request method is not supported for this resource.');
      } else reply = route(catalog, lists, entry.path, url.searchParams);
    } catch {
      reply = tmdbError(500, 11, 'Internal error: Something went wrong, contact TMDB.');
    }
    if (fault?.kind === 'bad-json') {
      const body = JSON.stringify(reply.body);
      const cut = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
      entry.status = 200;
      res.writeHead(200, {
        'content-type': 'application/json;charset=utf-8',
        'content-length': String(Buffer.byteLength(cut)),
      });
      res.end(cut);
      return;
    }
    entry.status = reply.status;
    send(res, reply);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname.startsWith('/3/') ? url.pathname.slice(2) : url.pathname;
    const entry: StandInRequest = { path, query: url.search, status: 0, at: Date.now() };
    log.push(entry);
    const retryAfter = limit?.take(entry.at);
    if (limit && retryAfter !== undefined) {
      entry.status = 429;
      const message = `Your request count (#) is over the allowed limit of (${limit.perSecond}).`;
      send(res, tmdbError(429, 25, message), { 'retry-after': String(retryAfter) });
      return;
    }
    const fault = faults.decide(path, `${path}${url.search}`);
    switch (fault?.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'rate-limit':
        entry.status = 429;
        send(res, tmdbError(429, 25, 'Your request count (#) is over the allowed limit of (40).'), {
          'retry-after': String(fault.retryAfter),
        });
        return;
      case 'server-error':
        entry.status = fault.status;
        if (fault.status === 502) {
          res.writeHead(502, { 'content-type': 'text/html' });
          res.end('<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>');
        } else if (fault.status === 503) {
          send(
            res,
            tmdbError(503, 9, 'Service offline: This service is temporarily offline, try again later.'),
          );
        } else send(res, tmdbError(500, 11, 'Internal error: Something went wrong, contact TMDB.'));
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) answer(req, res, url, entry);
        }, fault.delayMs);
        timers.add(timer);
        return;
      }
      default:
        answer(req, res, url, entry, fault);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/3`,
    token,
    catalog,
    requests: () => log.length,
    requestLog: () => log.map((e) => ({ ...e })),
    rateLimited: () => limit?.refused() ?? 0,
    fault: (kind, faultOptions) => faults.set(kind, faultOptions),
    touch: (kind, id, date) => catalog.touch(kind, id, date),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

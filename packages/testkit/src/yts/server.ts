import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { generatedMovies, YtsStandInCatalog, type YtsMovieInput, type YtsStandInTorrent } from './catalog.js';
import {
  CLOUDFLARE_PAGE,
  listMovies,
  movieDetails,
  notFoundPage,
  statusError,
  UNAVAILABLE_PAGE,
  type Reply,
} from './render.js';

/**
 * How a mirror behaves: 'ok'; 'down' (nothing listens: connections are refused, open ones are cut);
 * 'html' (200 text/html, a Cloudflare page); 'garbage' (200 JSON cut in half); 'error' (503);
 * 'slow' (the right answer after delayMs); 'status-error' (200 `{status:"error"}` from the API).
 */
export type YtsMirrorMode = 'ok' | 'down' | 'html' | 'garbage' | 'error' | 'slow' | 'status-error';

export interface YtsMirrorModeOptions {
  /** How long a 'slow' mirror waits before answering (default 2000 ms). */
  delayMs?: number;
}

export interface YtsMirrorRequest {
  /** The URL path, e.g. /api/v2/list_movies.json or /torrent/download/<HASH>. */
  path: string;
  /** The query string, '' or starting with '?'. */
  query: string;
  /** The HTTP status answered; 0 while pending, or when the connection was cut first. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface YtsMirror {
  /** The API base, e.g. http://127.0.0.1:PORT/api/v2 */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Switches the mirror's behaviour from the next request on ('down' also cuts open connections). */
  mode(mode: YtsMirrorMode, options?: YtsMirrorModeOptions): void;
  currentMode(): YtsMirrorMode;
  /** Requests that reached this mirror (a 'down' mirror receives none). */
  requests(): number;
  requestLog(): YtsMirrorRequest[];
}

export interface YtsMirrorsOptions {
  /** How many mirrors, each on its own port (default 3). */
  count?: number;
  /** The catalog; default `movieCount` movies generated from the seed. See ytsMoviesFromTmdb. */
  movies?: YtsMovieInput[];
  /** Generated movies when `movies` is not given (default 40). */
  movieCount?: number;
  /** Default 1. */
  seed?: number;
  /** Announce URLs for the catalog's torrents; YTS's API carries none, so they are only handed back. */
  trackers?: string[];
}

export interface YtsMirrors {
  /** Each mirror's API base, in order: what YTS_MIRRORS would list. */
  urls: string[];
  mirrors: YtsMirror[];
  catalog: YtsStandInCatalog;
  trackers: string[];
  /** Replaces a movie's torrents ([] for none); missing fields are generated. */
  setTorrents(imdbId: string, torrents: Array<Partial<YtsStandInTorrent>>): YtsStandInTorrent[];
  /** Serves a .torrent at /torrent/download/<HASH> on every mirror (404 until registered). */
  setTorrentFile(hash: string, file: Buffer): void;
  close(): Promise<void>;
}

/** One mirror: a server that can stop listening and listen again on the same port. */
class MirrorServer implements YtsMirror {
  url = '';
  origin = '';
  private server?: Server;
  private port = 0;
  private current: YtsMirrorMode = 'ok';
  private delayMs = 2000;
  private readonly sockets = new Set<Socket>();
  private readonly log: YtsMirrorRequest[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly closing: Array<Promise<void>> = [];

  constructor(
    private readonly catalog: YtsStandInCatalog,
    private readonly files: Map<string, Buffer>,
  ) {}

  async start(): Promise<void> {
    const server = this.listen(0);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.port = (server.address() as AddressInfo).port;
    this.origin = `http://127.0.0.1:${this.port}`;
    this.url = `${this.origin}/api/v2`;
  }

  mode(mode: YtsMirrorMode, options: YtsMirrorModeOptions = {}): void {
    this.delayMs = options.delayMs ?? 2000;
    this.current = mode;
    if (mode === 'down') this.stop();
    else if (!this.server) this.listen(this.port);
  }

  currentMode(): YtsMirrorMode {
    return this.current;
  }

  requests(): number {
    return this.log.length;
  }

  requestLog(): YtsMirrorRequest[] {
    return this.log.map((e) => ({ ...e }));
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.stop();
    await Promise.all(this.closing);
  }

  // The bind happens on the next tick, before any connection can be attempted.
  private listen(port: number): Server {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('error', () => undefined);
    server.listen(port, '127.0.0.1');
    this.server = server;
    return server;
  }

  private stop(): void {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.closing.push(new Promise<void>((resolve) => server.close(() => resolve())));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    const entry: YtsMirrorRequest = { path: url.pathname, query: url.search, status: 0, at: Date.now() };
    this.log.push(entry);
    const send = (reply: Reply) => {
      if (res.destroyed || res.writableEnded) return;
      entry.status = reply.status;
      res.writeHead(reply.status, {
        'content-type': reply.contentType,
        'content-length': String(Buffer.byteLength(reply.body)),
      });
      res.end(req.method === 'HEAD' ? undefined : reply.body);
    };
    const api = url.pathname.startsWith('/api/v2/');
    switch (this.current) {
      case 'html':
        return send({ status: 200, contentType: 'text/html; charset=UTF-8', body: CLOUDFLARE_PAGE });
      case 'error':
        return send({ status: 503, contentType: 'text/html', body: UNAVAILABLE_PAGE });
      case 'status-error':
        return send(
          api ? statusError('Database connection failed, please try again later') : this.route(url),
        );
      case 'garbage': {
        const reply = this.route(url);
        const body = Buffer.from(reply.body);
        return send({ ...reply, status: 200, body: body.subarray(0, Math.ceil(body.length / 2)) });
      }
      case 'slow': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          send(this.route(url));
        }, this.delayMs);
        this.timers.add(timer);
        return;
      }
      default:
        return send(this.route(url));
    }
  }

  private route(url: URL): Reply {
    const path = url.pathname;
    if (path === '/api/v2/list_movies.json') return listMovies(this.origin, this.catalog, url.searchParams);
    if (path === '/api/v2/movie_details.json')
      return movieDetails(this.origin, this.catalog, url.searchParams);
    const download = /^\/torrent\/download\/([0-9A-Fa-f]{40})$/.exec(path);
    const file = download && this.files.get(download[1]!.toUpperCase());
    if (file) return { status: 200, contentType: 'application/x-bittorrent', body: file };
    return notFoundPage();
  }
}

/**
 * Several YTS v2 mirrors on loopback, one port each, serving one catalog, each switchable to a failure
 * mode. `urls` is the ordered mirror list a client is configured with.
 */
export async function startYtsMirrors(options: YtsMirrorsOptions = {}): Promise<YtsMirrors> {
  const count = options.count ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
  const seed = options.seed ?? 1;
  const catalog = new YtsStandInCatalog(
    seed,
    options.movies ?? generatedMovies(seed, options.movieCount ?? 40),
  );
  const files = new Map<string, Buffer>();
  const mirrors: MirrorServer[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const mirror = new MirrorServer(catalog, files);
      mirrors.push(mirror);
      await mirror.start();
    }
  } catch (err) {
    await Promise.all(mirrors.map((m) => m.close()));
    throw err;
  }
  return {
    urls: mirrors.map((m) => m.url),
    mirrors,
    catalog,
    trackers: [...(options.trackers ?? [])],
    setTorrents: (imdbId, torrents) => catalog.setTorrents(imdbId, torrents),
    setTorrentFile: (hash, file) => {
      if (!/^[0-9a-f]{40}$/i.test(hash)) throw new RangeError(`not a 40-hex info-hash: ${hash}`);
      files.set(hash.toUpperCase(), file);
    },
    close: async () => {
      await Promise.all(mirrors.map((m) => m.close()));
    },
  };
}

import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type Db } from '@cinenest/db';
import { createRedis } from '@cinenest/queue';
import { Cipher, parseKeyring } from '@cinenest/secrets';
import type { StorageReport, TorrentStatus } from '@cinenest/streaming';
import {
  createTestDatabase,
  freePort,
  makeTestTorrent,
  serveTestTorrents,
  startProcess,
  startSeeder,
  startTmdbStandIn,
  startTrackerStandIn,
  startYtsMirrors,
  testEnv,
  waitFor,
  ytsMoviesFromTmdb,
  type RunningProcess,
  type Seeder,
  type TestTorrent,
  type YtsStandInTorrent,
} from '@cinenest/testkit';

/**
 * The streaming end-to-end harness: the built api, worker and streamer processes against a cloned
 * database and a Redis prefix of their own, the TMDB and YTS stand-ins, a tracker stand-in, and seeder
 * processes on loopback. Every wait is bounded; close() stops whatever was started, even after a
 * start that failed half-way.
 */

const API = fileURLToPath(new URL('../../api/dist/main.js', import.meta.url));
const WORKER = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));
const STREAMER = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export const KiB = 1024;
export const MiB = 1024 * KiB;
/** The piece length of every test video. */
export const PIECE = 256 * KiB;
/** The stand-in TMDB's "today", so its catalog is the same on every run. */
const TODAY = '2026-06-15';
const PASSWORD = 'correct horse battery staple';

/** A single-file torrent of a generated "video" (served as video/mp4 for its name). */
export function videoTorrent(label: string, size = 4 * MiB): Promise<TestTorrent> {
  return makeTestTorrent({
    files: [{ path: `${label}.mp4`, size }],
    pieceLength: PIECE,
    seed: `cinenest-streamer-e2e:${label}`,
  });
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Bytes the files under `dir` really occupy (allocated blocks, as `du` counts them). */
export async function diskUsage(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let total = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    try {
      total += (await stat(join(entry.parentPath, entry.name))).blocks * 512;
    } catch {
      // Deleted meanwhile.
    }
  }
  return total;
}

/** A torrent a movie's YTS entry lists, with what YTS (and the tracker's scrape) says of its swarm. */
export interface Listing {
  torrent: TestTorrent;
  /** Default 10. */
  seeds?: number;
  /** Default 0. */
  peers?: number;
  /** Default 720p (x264). */
  quality?: '480p' | '720p' | '1080p';
  /** The mirrors do not serve its .torrent: the streamer gets the metadata from peers (the magnet). */
  magnetOnly?: boolean;
}

export interface Movie {
  tmdbId: number;
  torrents: TestTorrent[];
}

export interface Session {
  userId: string;
  accessToken: string;
}

export interface WorldOptions {
  /** Each movie's YTS torrents, best listed first; a stand-in movie is picked for each. */
  movies: Array<Array<TestTorrent | Listing>>;
  /** Seeded by `world.seeder`, started along with the processes. */
  seeded?: TestTorrent[];
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** Extra environment for the streamer alone. */
  streamerEnv?: Record<string, string>;
  /** Also run a second API whose stream URLs point at the streamer itself (STREAM_PUBLIC_URL). */
  directApi?: boolean;
}

export interface PlayAnswer {
  status: number;
  headers: Headers;
  body: StreamBody & { error?: { code: string; message: string } };
  /** How long the (last) POST took. */
  ms: number;
}

export interface StreamBody {
  streamUrl: string;
  expiresAt: string;
  tokenId: string;
  mimeType: string;
  source: { id: number; quality: string; codec: string; sizeBytes: number; score: number };
  fallbacks: Array<{ quality: string; codec: string; size: string; reason: string }>;
}

export interface World {
  db: Db;
  /** The movies, in the order of `options.movies`; synced, searched, each source's .torrent fetched. */
  movies: Movie[];
  /** The seeder of `options.seeded` (undefined without). */
  seeder: Seeder | undefined;
  /** The API whose stream URLs go through its own /stream proxy (STREAM_PUBLIC_URL unset). */
  apiUrl: string;
  /** The API with STREAM_PUBLIC_URL = streamerUrl ('' unless `directApi`). */
  directApiUrl: string;
  streamerUrl: string;
  streamerSecret: string;
  storageDir: string;
  admin: Session;
  user: Session;
  streamer(): RunningProcess;
  /** Starts the streamer again (once it has exited) and waits until it answers. */
  startStreamer(): Promise<void>;
  /** Calls the API (apiUrl unless `base` is given) as this session (anonymous with null). */
  call(
    session: Session | null,
    method: string,
    path: string,
    body?: unknown,
    base?: string,
  ): Promise<Response>;
  /** The source (its database id) of this listed torrent. */
  sourceId(torrent: TestTorrent): Promise<number>;
  /** POST /movies/:tmdbId/stream as the admin (or `session`), on apiUrl (or `base`). */
  play(movie: Movie, options?: { base?: string; session?: Session }): Promise<PlayAnswer>;
  /** GET /api/v1/admin/storage as the admin. */
  storage(): Promise<StorageReport>;
  /** The streamer's own view of a running torrent (its internal API); null when it is not running. */
  torrentStatus(sourceId: number): Promise<TorrentStatus | null>;
  /** The tail of every process's output, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

const tail = (text: string, chars = 4000) => (text.length > chars ? `…${text.slice(-chars)}` : text);

/** Runs `work`, giving up (without throwing) after `ms`: a teardown must never hang a test file. */
async function bounded(what: string, ms: number, work: () => Promise<unknown>, errors: string[]) {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } catch (err) {
    errors.push(`${what}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

async function withRedis<T>(url: string, work: (redis: ReturnType<typeof createRedis>) => Promise<T>) {
  const redis = createRedis(url, 'request');
  try {
    return await work(redis);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const cleanups: Array<{ what: string; run: () => Promise<unknown> }> = [];
  const processes: Array<{ name: string; proc: RunningProcess }> = [];
  const seeders: Seeder[] = [];
  const logs = () => processes.map(({ name, proc }) => `--- ${name} ---\n${tail(proc.output())}`).join('\n');
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    const errors: string[] = [];
    // The processes first (SIGKILL: nothing of theirs is checked any more), then what they used.
    await Promise.all([
      ...processes.map(({ name, proc }) =>
        bounded(`stopping ${name}`, 10_000, () => proc.stop('SIGKILL'), errors),
      ),
      ...seeders.map((s) => bounded('stopping a seeder', 10_000, () => s.kill(), errors)),
    ]);
    for (const { what, run } of cleanups.reverse()) await bounded(what, 15_000, run, errors);
    if (errors.length) throw new Error(`teardown problems:\n${errors.join('\n')}`);
  };

  try {
    const [dir, database, tmdb, tracker] = await Promise.all([
      mkdtemp(join(tmpdir(), 'cinenest-streamer-e2e-')),
      createTestDatabase(),
      startTmdbStandIn({ today: TODAY, movies: 16, shows: 1 }),
      startTrackerStandIn(),
    ]);
    cleanups.push(
      { what: 'removing the temporary folder', run: () => rm(dir, { recursive: true, force: true }) },
      { what: 'dropping the database', run: () => database.drop() },
      { what: 'closing the TMDB stand-in', run: () => tmdb.close() },
      { what: 'closing the tracker stand-in', run: () => tracker.close() },
    );
    const yts = await startYtsMirrors({ count: 1, movies: ytsMoviesFromTmdb(tmdb.catalog, { share: 1 }) });
    cleanups.push({ what: 'closing the YTS stand-in', run: () => yts.close() });
    const db = createDb(database.url, { poolSize: 2 });
    cleanups.push({ what: 'closing the database client', run: () => db.$disconnect() });

    // Stand-in movies YTS lists, each now listing the given torrents (before any process runs).
    const records = tmdb.catalog
      .movieIds()
      .map((id) => tmdb.catalog.movie(id)!)
      .filter((m) => m.imdbId && yts.catalog.byImdb(m.imdbId));
    if (records.length < options.movies.length) throw new Error('not enough stand-in movies on YTS');
    const movies: Movie[] = options.movies.map((listed, i) => {
      const record = records[i]!;
      const entries = listed.map((l): Listing => ('torrent' in l ? l : { torrent: l }));
      const magnetOnly = new Set(entries.filter((e) => e.magnetOnly).map((e) => e.torrent.infoHash));
      serveTestTorrents(
        {
          setTorrents: (imdbId, torrents) => yts.setTorrents(imdbId, torrents),
          // A magnet-only torrent's .torrent is never served: the metadata job gets a 404.
          setTorrentFile: (hash, file) => {
            if (!magnetOnly.has(hash.toLowerCase())) yts.setTorrentFile(hash, file);
          },
        },
        record.imdbId!,
        entries.map(({ torrent, seeds = 10, peers = 0, quality = '720p' }) => {
          // A scrape of the tracker says the same as YTS.
          tracker.setSwarm(torrent.infoHash, { complete: seeds, incomplete: peers });
          const fields: Partial<YtsStandInTorrent> = {
            quality,
            type: 'web',
            video_codec: 'x264',
            is_repack: '0',
            seeds,
            peers,
          };
          return { torrent, ...fields };
        }),
      );
      return { tmdbId: record.id, torrents: entries.map((e) => e.torrent) };
    });

    const [apiPort, directPort, streamerPort] = [await freePort(), await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const directApiUrl = options.directApi ? `http://127.0.0.1:${directPort}` : '';
    const streamerUrl = `http://127.0.0.1:${streamerPort}`;
    const streamerSecret = randomBytes(32).toString('base64url');
    const storageDir = join(dir, 'torrents');
    const env = testEnv(database.url, {
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
      TMDB_API_URL: tmdb.url,
      TMDB_API_TOKEN: tmdb.token,
      TMDB_RATE_LIMIT: '500',
      CATALOG_LANGUAGES: 'en',
      YTS_MIRRORS: yts.urls.join(','),
      YTS_RATE_LIMIT: '100',
      TRACKERS: tracker.httpAnnounce,
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
      RATE_LIMIT_PER_MINUTE: '100000',
      PORT: String(apiPort),
      STREAMER_PORT: String(streamerPort),
      PUBLIC_URL: apiUrl,
      STREAMER_SECRET: streamerSecret,
      DATA_DIR: join(dir, 'data'),
      STORAGE_DIR: storageDir,
      STREAM_SOURCE_TIMEOUT: '5',
      STREAM_READ_TIMEOUT: '5',
      TORRENT_DHT: 'false',
      TORRENT_PORT: '0',
      MIN_FREE_DISK: '0',
      SHUTDOWN_TIMEOUT_MS: '2000',
      ...options.env,
    });
    const redisUrl = env.REDIS_URL!;
    const prefix = env.REDIS_PREFIX!;
    cleanups.push({
      what: 'deleting the Redis keys',
      run: () =>
        withRedis(redisUrl, async (redis) => {
          const keys = await redis.keys(`${prefix}:*`);
          if (keys.length) await redis.del(...keys);
        }),
    });
    // No job schedules (catalog lists, sweeps, tracker scrapes): the worker runs only the jobs the
    // requests ask for, which keeps the work on CI's two cores to what is tested. Schedules are
    // registered under this lock; held here, the worker leaves them to "another process".
    await withRedis(redisUrl, (redis) =>
      redis.set(`${prefix}:lock:schedules`, 'streamer-e2e', 'PX', 600_000),
    );

    const launch = (name: string, script: string, extra: Record<string, string> = {}) => {
      const proc = startProcess(script, { ...env, ...extra });
      processes.push({ name, proc });
      return proc;
    };
    const untilLive = (name: string, proc: RunningProcess, url: string) =>
      waitFor(
        async () => {
          if (proc.child.exitCode !== null || proc.child.signalCode !== null)
            throw new Error(`${name} exited (${proc.child.exitCode ?? proc.child.signalCode})`);
          return (await fetch(`${url}/health/live`)).ok;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      ).catch((err: Error) => {
        throw new Error(`${name} did not start: ${err.message}\n${tail(proc.output())}`);
      });
    const seed = async (torrents: TestTorrent[]) => {
      const seeder = await startSeeder({
        torrents,
        announce: [tracker.httpAnnounce],
        dir: await mkdtemp(join(dir, 'seeder-')),
        timeoutMs: 20_000,
      });
      seeders.push(seeder);
      return seeder;
    };

    const streamerEnv = options.streamerEnv ?? {};
    let streamer = launch('streamer', STREAMER, streamerEnv);
    const api = launch('api', API);
    const direct = options.directApi
      ? launch('api (direct)', API, { PORT: String(directPort), STREAM_PUBLIC_URL: streamerUrl })
      : undefined;
    launch('worker', WORKER);
    const [seeder] = await Promise.all([
      options.seeded ? seed(options.seeded) : undefined,
      untilLive('streamer', streamer, streamerUrl),
      untilLive('api', api, apiUrl),
      direct ? untilLive('api (direct)', direct, directApiUrl) : undefined,
    ]);

    const call: World['call'] = (session, method, path, body, base = apiUrl) =>
      fetch(`${base}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(session ? { Authorization: `Bearer ${session.accessToken}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    const expectStatus = async (res: Response, status: number, what: string) => {
      if (res.status !== status) throw new Error(`${what}: ${res.status} ${await res.text()}\n${logs()}`);
      return res;
    };
    const login = async (email: string): Promise<Session> => {
      const res = await call(null, 'POST', '/api/v1/auth/login', { email, password: PASSWORD });
      await expectStatus(res, 200, `signing in as ${email}`);
      const body = (await res.json()) as { accessToken: string; user: { id: string } };
      return { userId: body.user.id, accessToken: body.accessToken };
    };
    const setup = await call(null, 'POST', '/api/v1/auth/setup', {
      email: 'admin@home.test',
      password: PASSWORD,
    });
    await expectStatus(setup, 201, 'setting up');
    const admin = await login('admin@home.test');
    const created = await call(admin, 'POST', '/api/v1/users', {
      email: 'viewer@home.test',
      password: PASSWORD,
    });
    await expectStatus(created, 201, 'creating a user');
    const user = await login('viewer@home.test');

    // Every movie synced and searched (asking for its sources has the API start both, 202 until
    // done), and each source's .torrent fetched — or, listed magnet-only, its fetch failed once.
    await Promise.all(
      movies.map((movie) =>
        waitFor(
          async () => {
            const res = await call(admin, 'GET', `/api/v1/movies/${movie.tmdbId}/sources`);
            await res.arrayBuffer();
            if (res.status !== 200) return false;
            const settled = await db.movieSource.count({
              where: {
                movie: { tmdbId: movie.tmdbId },
                OR: [{ metadataStatus: 'READY' }, { metadataError: { not: null } }],
              },
            });
            return settled === movie.torrents.length;
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        ).catch((err: Error) => {
          throw new Error(`the sources of movie ${movie.tmdbId} are not ready: ${err.message}\n${logs()}`);
        }),
      ),
    );

    // Sources are stored under a keyed hash of their info-hash: the processes' keyring finds them.
    const cipher = new Cipher(parseKeyring(env.SOURCE_ENCRYPTION_KEYS!, env.SOURCE_LOOKUP_SECRET));

    return {
      db,
      movies,
      seeder,
      apiUrl,
      directApiUrl,
      streamerUrl,
      streamerSecret,
      storageDir,
      admin,
      user,
      streamer: () => streamer,
      startStreamer: async () => {
        if (streamer.child.exitCode === null && streamer.child.signalCode === null)
          throw new Error('the streamer is still running');
        streamer = launch('streamer (again)', STREAMER, streamerEnv);
        await untilLive('streamer', streamer, streamerUrl);
      },
      call,
      sourceId: async (torrent) => {
        const row = await db.movieSource.findFirst({
          where: { hashLookup: cipher.lookup(torrent.infoHash) },
          select: { id: true },
        });
        if (!row) throw new Error(`no source for ${torrent.name}`);
        return row.id;
      },
      play: async (movie, { base = apiUrl, session = admin } = {}) => {
        const started = Date.now();
        const res = await call(
          session,
          'POST',
          `/api/v1/movies/${movie.tmdbId}/stream`,
          { quality: 'auto' },
          base,
        );
        const body = (await res.json()) as PlayAnswer['body'];
        return { status: res.status, headers: res.headers, body, ms: Date.now() - started };
      },
      storage: async () => {
        const res = await expectStatus(await call(admin, 'GET', '/api/v1/admin/storage'), 200, 'GET storage');
        return (await res.json()) as StorageReport;
      },
      torrentStatus: async (sourceId) => {
        const res = await fetch(`${streamerUrl}/internal/torrents/${sourceId}`, {
          headers: { Authorization: `Bearer ${streamerSecret}` },
          signal: AbortSignal.timeout(10_000),
        });
        if (res.status === 404) return null;
        await expectStatus(res, 200, 'GET /internal/torrents');
        return (await res.json()) as TorrentStatus;
      },
      logs,
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

/** GET (or HEAD) a stream URL, its body read whole. */
export async function fetchStream(
  url: string,
  init: { method?: string; range?: string } = {},
): Promise<{ res: Response; bytes: Buffer; text: () => string }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.range ? { Range: init.range } : {},
    signal: AbortSignal.timeout(20_000),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { res, bytes, text: () => bytes.toString('utf8') };
}

/** The token of a stream URL, and what its payload (signed, not secret) grants. */
export function tokenOf(streamUrl: string): {
  token: string;
  exp: number;
  grant: { tokenId: string; userId: string; sourceId: number; fileIndex: number };
} {
  const token = new URL(streamUrl).pathname.split('/').pop()!;
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
    jti: string;
    sub: string;
    src: number;
    f: number;
    exp: number;
  };
  return {
    token,
    exp: payload.exp,
    grant: { tokenId: payload.jti, userId: payload.sub, sourceId: payload.src, fileIndex: payload.f },
  };
}

/** Fails when the text names one of these torrents by its info-hash (in either case). */
export function expectNoInfoHash(text: string, torrents: TestTorrent[]): void {
  for (const t of torrents) {
    if (text.toLowerCase().includes(t.infoHash.toLowerCase()))
      throw new Error(`the text names the info-hash of ${t.name}: ${text}`);
  }
}

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PRIORITY, Queues } from '@cinenest/queue';
import { Cipher, parseKeyring } from '@cinenest/secrets';
import {
  startProcess,
  startTmdbStandIn,
  startYtsMirrors,
  testEnv,
  waitFor,
  ytsMoviesFromTmdb,
  type RunningProcess,
  type TmdbStandIn,
  type YtsMirrors,
  type YtsStandInMovie,
} from '@cinenest/testkit';
import { startTestApp, type TestApp } from './support.js';

/** The built worker process (`npm test` builds it). */
const WORKER = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

const MB = 1024 ** 2;
const HOUR = 3600_000;
/** A movie held with sources already found (not a TMDB stand-in title, so no job ever touches it). */
const HELD = 9_000_001;
const RUNTIME = 120;
const FIELDS = [
  'id',
  'provider',
  'quality',
  'codec',
  'type',
  'sizeBytes',
  'size',
  'seeds',
  'peers',
  'health',
  'score',
  'statsCheckedAt',
  'statsAgeSeconds',
].sort();

interface Fixture {
  label: string;
  quality: string;
  codec: 'x264' | 'x265';
  sizeMb: number;
  seeds: number;
  peers: number;
  /** Hours since the stats were taken; null when never. */
  statsAgeHours: number | null;
}

/** What each source is, so the expected orders below can be read (see packages/sources' score). */
const FIXTURES: Fixture[] = [
  { label: 'A', quality: '1080p', codec: 'x264', sizeMb: 1900, seeds: 400, peers: 40, statsAgeHours: 1 },
  { label: 'B', quality: '720p', codec: 'x264', sizeMb: 1080, seeds: 900, peers: 30, statsAgeHours: 1 },
  { label: 'C', quality: '2160p', codec: 'x264', sizeMb: 5400, seeds: 600, peers: 60, statsAgeHours: 2 },
  { label: 'D', quality: '1080p', codec: 'x265', sizeMb: 1800, seeds: 1000, peers: 10, statsAgeHours: 1 },
  // Dead: no seed, although it is exactly the default quality at exactly the right size.
  { label: 'E', quality: '1080p', codec: 'x264', sizeMb: 1920, seeds: 0, peers: 0, statsAgeHours: 1 },
  { label: 'F', quality: '480p', codec: 'x264', sizeMb: 700, seeds: 25, peers: 5, statsAgeHours: null },
];

let tmdb: TmdbStandIn;
let yts: YtsMirrors;
let t: TestApp;
let auth: Record<string, string>;
let queues: Queues;
let workerEnv: Record<string, string>;
const workers: RunningProcess[] = [];
/** Source row id → fixture label. */
const labels = new Map<number, string>();
/** The plain values of the held movie's sources, which must never reach a client. */
const secrets: string[] = [];

const get = (path: string) => t.http().get(path).set(auth);
const order = (body: Body) => (body.items as Body[]).map((i) => labels.get(i.id));

function startWorker(queuesServed: string): RunningProcess {
  const worker = startProcess(WORKER, { ...workerEnv, WORKER_QUEUES: queuesServed });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  tmdb = await startTmdbStandIn({ today: '2026-06-15', movies: 60, shows: 4 });
  yts = await startYtsMirrors({ movies: ytsMoviesFromTmdb(tmdb.catalog) });
  t = await startTestApp({
    TMDB_API_URL: tmdb.url,
    TMDB_API_TOKEN: tmdb.token,
    YTS_MIRRORS: yts.urls.join(','),
  });
  auth = (await t.signedIn()).auth;
  queues = new Queues(t.redis, t.config.REDIS_PREFIX);
  workerEnv = testEnv(t.config.DATABASE_URL, {
    REDIS_URL: t.config.REDIS_URL,
    REDIS_PREFIX: t.config.REDIS_PREFIX,
    TMDB_API_URL: tmdb.url,
    TMDB_API_TOKEN: tmdb.token,
    TMDB_RATE_LIMIT: '200',
    LIST_PAGES: '1',
    CATALOG_LANGUAGES: 'en',
    YTS_MIRRORS: yts.urls.join(','),
    YTS_RATE_LIMIT: '50',
    SOURCE_ENCRYPTION_KEYS: t.config.SOURCE_ENCRYPTION_KEYS,
  });
  // Catalog jobs run; nothing serves the sources queue until a test starts a worker for it.
  startWorker('catalog,housekeeping');

  const cipher = new Cipher(parseKeyring(t.config.SOURCE_ENCRYPTION_KEYS, t.config.SOURCE_LOOKUP_SECRET));
  const now = Date.now();
  const movie = await t.db.movie.create({
    data: {
      tmdbId: HELD,
      title: 'A Held Movie',
      runtime: RUNTIME,
      syncedAt: new Date(now),
      sourceSearchedAt: new Date(now - HOUR),
      nextSourceSearchAt: new Date(now + 7 * 24 * HOUR),
    },
  });
  for (const f of FIXTURES) {
    const hash = randomBytes(20).toString('hex');
    const magnet = `magnet:?xt=urn:btih:${hash}&dn=${encodeURIComponent('A Held Movie (2020)')}`;
    const url = `${yts.mirrors[0]!.origin}/torrent/download/${hash.toUpperCase()}`;
    secrets.push(hash, hash.toUpperCase(), magnet, url);
    const row = await t.db.movieSource.create({
      data: {
        movieId: movie.id,
        provider: 'yts',
        hashLookup: cipher.lookup(hash),
        infoHashEnc: cipher.encrypt(hash),
        magnetEnc: cipher.encrypt(magnet),
        torrentUrlEnc: cipher.encrypt(url),
        quality: f.quality,
        codec: f.codec,
        type: 'bluray',
        sizeBytes: BigInt(f.sizeMb * MB),
        seeds: f.seeds,
        peers: f.peers,
        lastStatsCheck: f.statsAgeHours === null ? null : new Date(now - f.statsAgeHours * HOUR),
      },
    });
    labels.set(row.id, f.label);
    secrets.push(row.hashLookup, row.infoHashEnc, row.magnetEnc, row.torrentUrlEnc!);
  }
}, 60_000);

afterAll(async () => {
  for (const w of workers) await w.stop('SIGKILL');
  await queues?.close();
  await t?.close();
  await yts?.close();
  await tmdb?.close();
});

describe('GET /api/v1/movies/:tmdbId/sources for a movie searched already', () => {
  it('ranks by score for the quality asked (default 1080p), the dead source last whatever its quality', async () => {
    const expected: Array<[string, string[]]> = [
      ['', ['A', 'B', 'C', 'F', 'E']],
      ['?quality=auto', ['A', 'B', 'C', 'F', 'E']],
      ['?quality=1080p', ['A', 'B', 'C', 'F', 'E']],
      ['?quality=2160p', ['C', 'A', 'B', 'F', 'E']],
      ['?quality=720p', ['B', 'C', 'A', 'F', 'E']],
    ];
    for (const [query, labelsInOrder] of expected) {
      const res = await get(`/api/v1/movies/${HELD}/sources${query}`);
      expect([query, res.status]).toEqual([query, 200]);
      expect([query, order(res.body)]).toEqual([query, labelsInOrder]);
      const scores = (res.body.items as Body[]).map((i) => i.score as number);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      const dead = res.body.items.at(-1);
      expect(dead).toMatchObject({ health: 'dead', seeds: 0, score: 0 });
      expect(scores.slice(0, -1).every((s) => s > 0)).toBe(true);
    }
  });

  it('answers the documented fields only, with the stats’ age and health', async () => {
    const res = await get(`/api/v1/movies/${HELD}/sources?hevc=true`);
    expect(res.status).toBe(200);
    expect(res.body.searchedAt).toEqual(expect.any(String));
    expect(res.body.nextSearchAt).toEqual(expect.any(String));
    expect(res.body.items).toHaveLength(FIXTURES.length);
    for (const item of res.body.items as Body[]) {
      expect(Object.keys(item).sort()).toEqual(FIELDS);
      const f = FIXTURES.find((x) => x.label === labels.get(item.id))!;
      expect(item).toMatchObject({
        provider: 'yts',
        quality: f.quality,
        codec: f.codec,
        type: 'bluray',
        sizeBytes: f.sizeMb * MB,
        seeds: f.seeds,
        peers: f.peers,
      });
      expect(item.size).toMatch(/^\d+(\.\d\d GB| MB)$/);
      if (f.statsAgeHours === null) {
        expect(item).toMatchObject({ health: 'unknown', statsCheckedAt: null, statsAgeSeconds: null });
      } else {
        expect(Date.parse(item.statsCheckedAt)).not.toBeNaN();
        expect(item.statsAgeSeconds).toBeGreaterThanOrEqual(f.statsAgeHours * 3600);
      }
    }
    const byLabel = (l: string) => (res.body.items as Body[]).find((i) => labels.get(i.id) === l);
    expect(byLabel('A').size).toBe('1.86 GB');
    expect(byLabel('F').size).toBe('700 MB');
    expect(byLabel('A').health).toBe('excellent');
  });

  it('leaves x265 out unless the client says it plays HEVC', async () => {
    for (const query of ['', '?hevc=false', '?quality=2160p&hevc=false']) {
      const res = await get(`/api/v1/movies/${HELD}/sources${query}`);
      expect(res.status).toBe(200);
      expect(order(res.body)).not.toContain('D');
      expect((res.body.items as Body[]).every((i) => i.codec === 'x264')).toBe(true);
    }
    const hevc = await get(`/api/v1/movies/${HELD}/sources?hevc=true`);
    // Well seeded and smaller for the same picture: first for a client that plays it.
    expect(order(hevc.body)).toEqual(['D', 'A', 'B', 'C', 'F', 'E']);
  });

  it('never sends a hash, a magnet or a torrent URL, sealed or not', async () => {
    for (const query of ['', '?hevc=true', '?quality=2160p&hevc=true']) {
      const res = await get(`/api/v1/movies/${HELD}/sources${query}`);
      expect(res.status).toBe(200);
      for (const secret of secrets) expect([secret, res.text.includes(secret)]).toEqual([secret, false]);
      expect(res.text).not.toMatch(/magnet:|btih|torrent\/download|[0-9a-f]{40}/i);
    }
  });

  it('refuses callers without a valid token', async () => {
    expect((await t.http().get(`/api/v1/movies/${HELD}/sources`)).status).toBe(401);
    const forged = await t
      .http()
      .get(`/api/v1/movies/${HELD}/sources`)
      .set({ Authorization: 'Bearer not-a-token' });
    expect(forged.status).toBe(401);
  });

  it('answers 400 naming a bad quality, hevc or unknown parameter', async () => {
    const cases: Array<[string, string[]]> = [
      ['quality=4k', ['quality']],
      ['quality=1080', ['quality']],
      ['hevc=yes', ['hevc']],
      ['codec=x265', ['codec']],
      ['quality=best&hevc=maybe', ['hevc', 'quality']],
    ];
    for (const [query, fields] of cases) {
      const res = await get(`/api/v1/movies/${HELD}/sources?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.error.code).toBe('validation_failed');
      expect(Object.keys(res.body.error.fields).sort()).toEqual(fields);
      for (const field of fields) expect(res.body.error.message).toContain(field);
    }
    const badId = await get('/api/v1/movies/abc/sources');
    expect(badId.status).toBe(400);
  });
});

describe('GET /api/v1/movies/:tmdbId/sources for a movie not searched yet', () => {
  it('answers 404 for a movie TMDB does not know, storing nothing', async () => {
    // The catalog worker fetches it (202 until it has answered), then TMDB's 404 is ours.
    let res: Body;
    await waitFor(
      async () => {
        res = await get('/api/v1/movies/999999/sources');
        return res.status !== 202;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(await t.db.movie.findUnique({ where: { tmdbId: 999_999 } })).toBeNull();
  });

  it('answers 202 with Retry-After while the search is pending, then the sources YTS lists', async () => {
    const ytsOf = (id: number): YtsStandInMovie | undefined =>
      yts.catalog.byImdb(tmdb.catalog.movie(id)!.imdbId);
    const tmdbId = tmdb.catalog
      .movieIds()
      .find(
        (id) =>
          (ytsOf(id)?.torrents.length ?? 0) >= 2 && ytsOf(id)!.torrents.some((x) => x.video_codec === 'x265'),
      );
    const unknownToYts = tmdb.catalog.movieIds().find((id) => ytsOf(id) === undefined);
    if (tmdbId === undefined || unknownToYts === undefined)
      throw new Error('the stand-ins have no movie with x264 and x265 torrents, or none unknown to YTS');
    const listed = ytsOf(tmdbId)!.torrents;

    // The movie itself is fetched first (the catalog worker runs).
    for (const id of [tmdbId, unknownToYts])
      await waitFor(async () => (await get(`/api/v1/movies/${id}`)).status === 200, { timeoutMs: 20_000 });

    for (let i = 0; i < 2; i++) {
      const pending = await get(`/api/v1/movies/${tmdbId}/sources`);
      expect(pending.status).toBe(202);
      expect(Number(pending.headers['retry-after'])).toBeGreaterThan(0);
      expect(pending.body).toMatchObject({ status: 'pending', message: expect.stringContaining('Sources') });
    }
    // Asked twice, searched once: one job, at the priority of someone waiting.
    const sources = queues.get('sources');
    const jobs = (await sources.getJobs(['waiting', 'prioritized', 'delayed', 'active'])).filter(
      (j) => (j.data as { tmdbId: number }).tmdbId === tmdbId,
    );
    expect(jobs.map((j) => j.id)).toEqual([`source-search.${tmdbId}`]);
    expect(jobs[0]!.priority).toBe(PRIORITY.demand);
    const movie = await t.db.movie.findUniqueOrThrow({ where: { tmdbId } });
    expect(movie.sourceSearchedAt).toBeNull();

    const worker = startWorker('sources');
    let res: Body;
    await waitFor(
      async () => {
        res = await get(`/api/v1/movies/${tmdbId}/sources?hevc=true`);
        return res.status === 200;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nworker output:\n${worker.output()}`);
    });
    expect(res.body.items).toHaveLength(listed.length);
    expect((res.body.items as Body[]).map((i) => `${i.quality} ${i.codec}`).sort()).toEqual(
      listed.map((x) => `${x.quality.split('.')[0]} ${x.video_codec}`).sort(),
    );
    for (const item of res.body.items as Body[])
      expect(item).toMatchObject({ provider: 'yts', health: 'unknown' });
    for (const x of listed) {
      expect(res.text).not.toContain(x.hash);
      expect(res.text).not.toContain(x.hash.toLowerCase());
    }
    const plain = await get(`/api/v1/movies/${tmdbId}/sources`);
    expect(plain.body.items).toHaveLength(listed.filter((x) => x.video_codec === 'x264').length);

    // YTS has nothing for this one: searched, and an empty list (not a 202 for ever).
    await waitFor(async () => (await get(`/api/v1/movies/${unknownToYts}/sources`)).status === 200, {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    const none = await get(`/api/v1/movies/${unknownToYts}/sources`);
    expect(none.body.items).toEqual([]);
    expect(none.body.searchedAt).toEqual(expect.any(String));
  }, 60_000);
});

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, type Db } from '@cinenest/db';
import { createRedis, Queues } from '@cinenest/queue';
import {
  createTestDatabase,
  startProcess,
  startTmdbStandIn,
  startYtsMirrors,
  testEnv,
  waitFor,
  ytsMoviesFromTmdb,
  type RunningProcess,
  type TmdbStandIn,
  type YtsMirrors,
} from '@cinenest/testkit';
import type { Redis } from 'ioredis';

/**
 * Upstream storms against a real worker process: TMDB answering 429 to a third of the requests and
 * every YTS mirror down. Catalog syncs complete regardless (Retry-After honoured); source searches
 * are delayed, never failed, and nothing is recorded as "no sources"; once the mirrors are back,
 * every search completes.
 */
const WORKER = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const MOVIES = 20;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let tmdb: TmdbStandIn;
let yts: YtsMirrors;
let db: Db;
let redis: Redis;
let queues: Queues;
let worker: RunningProcess;
let prefix: string;

beforeAll(async () => {
  database = await createTestDatabase();
  tmdb = await startTmdbStandIn({ movies: 60, shows: 1, today: '2026-06-15' });
  yts = await startYtsMirrors({ count: 2, movies: ytsMoviesFromTmdb(tmdb.catalog) });
  const env = testEnv(database.url, {
    TMDB_API_URL: tmdb.url,
    TMDB_API_TOKEN: tmdb.token,
    YTS_MIRRORS: yts.urls.join(','),
    YTS_RATE_LIMIT: '50',
    CATALOG_LANGUAGES: 'en',
    LIST_PAGES: '1',
    WORKER_QUEUES: 'catalog,sources',
  });
  prefix = env.REDIS_PREFIX!;
  db = createDb(database.url, { poolSize: 2 });
  redis = createRedis(env.REDIS_URL!, 'worker');
  queues = new Queues(redis, prefix);
  for (const mirror of yts.mirrors) mirror.mode('down');
  tmdb.fault('rate-limit', { probability: 0.33, retryAfter: 1 });
  worker = startProcess(WORKER, env);
});

afterAll(async () => {
  await worker?.stop('SIGKILL');
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await queues.close();
  await redis.quit();
  await tmdb.close();
  await yts.close();
  await db.$disconnect();
  await database.drop();
});

describe('TMDB 429 storm and every YTS mirror down, against a worker process', () => {
  it('delays what must wait, fails nothing, and completes everything once upstreams recover', async () => {
    const ids = tmdb.catalog
      .movieIds()
      .filter((id) => yts.catalog.byImdb(tmdb.catalog.movie(id)!.imdbId!))
      .slice(0, MOVIES);
    expect(ids).toHaveLength(MOVIES);
    for (const tmdbId of ids) await queues.enqueue('catalog.movie-sync', { tmdbId });

    const synced = () => db.movie.count({ where: { tmdbId: { in: ids }, syncedAt: { not: null } } });
    await waitFor(async () => (await synced()) === MOVIES, { timeoutMs: 60_000, intervalMs: 250 });
    expect(tmdb.requestLog().filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(await queues.get('catalog').getFailedCount()).toBe(0);

    // Each new movie queued its source search: with every mirror down, each one waits.
    const searches = () =>
      queues.get('sources').getJobs(['delayed', 'waiting', 'active', 'prioritized'], 0, -1);
    await waitFor(async () => (await queues.get('sources').getDelayedCount()) > 0, { timeoutMs: 30_000 });
    expect(await queues.get('sources').getFailedCount()).toBe(0);
    expect(await db.movie.count({ where: { tmdbId: { in: ids }, sourceSearchedAt: { not: null } } })).toBe(0);

    tmdb.fault('none');
    for (const mirror of yts.mirrors) mirror.mode('ok');
    // Time passing, made short: the mirrors' circuits (open for a minute after the failures) close,
    // and the searches' wait (up to minutes while no mirror answered) ends.
    const breakers = await redis.keys(`${prefix}:yts:breaker:*`);
    if (breakers.length) await redis.del(...breakers);
    await waitFor(
      async () => {
        await queues.get('sources').promoteJobs();
        // Searched, and no search job left waiting or running (the row is written before the job ends).
        const searched = await db.movie.count({
          where: { tmdbId: { in: ids }, sourceSearchedAt: { not: null } },
        });
        const pending = (await searches()).filter((j) => j.name === 'sources.search').length;
        return searched === MOVIES && pending === 0;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(await queues.get('sources').getFailedCount()).toBe(0);
    const withSources = await db.movie.count({ where: { tmdbId: { in: ids }, sources: { some: {} } } });
    expect(withSources).toBe(MOVIES);
  }, 150_000);
});

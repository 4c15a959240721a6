import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, type Db } from '@cinenest/db';
import { createRedis, Queues } from '@cinenest/queue';
import {
  createTestDatabase,
  startProcess,
  startTmdbStandIn,
  testEnv,
  waitFor,
  type RunningProcess,
  type TmdbStandIn,
} from '@cinenest/testkit';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * kill -9 a worker in the middle of 1,000 jobs: the jobs it held are found stalled (their locks
 * lapse) and run again by the next worker; every job completes once its work is done, and being
 * run twice writes no duplicate rows (every handler upserts).
 */
const WORKER = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const JOBS = 1000;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let standIn: TmdbStandIn;
let env: Record<string, string>;
let db: Db;
let redis: Redis;
let queues: Queues;
let catalog: Queue;
const started: RunningProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  standIn = await startTmdbStandIn({ movies: JOBS, shows: 1 });
  env = testEnv(database.url, {
    TMDB_API_URL: standIn.url,
    TMDB_API_TOKEN: standIn.token,
    TMDB_RATE_LIMIT: '1000',
    CATALOG_LANGUAGES: 'en',
    LIST_PAGES: '1',
    WORKER_QUEUES: 'catalog',
    WORKER_CONCURRENCY: '20',
    // Orphaned jobs run again within about 2 × 3 s instead of a minute.
    JOB_LOCK_SECONDS: '3',
  });
  db = createDb(database.url, { poolSize: 2 });
  redis = createRedis(env.REDIS_URL!, 'worker');
  queues = new Queues(redis, env.REDIS_PREFIX!);
  catalog = queues.get('catalog');
});

afterAll(async () => {
  for (const w of started) await w.stop('SIGKILL');
  const keys = await redis.keys(`${env.REDIS_PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  await standIn.close();
  await queues.close();
  await redis.quit();
  await db.$disconnect();
  await database.drop();
});

/** Movies of the 1,000 synced so far (completed jobs are trimmed to the last 1,000 of every kind). */
let ids: number[] = [];
const synced = () => db.movie.count({ where: { tmdbId: { in: ids }, syncedAt: { not: null } } });
/** movie-sync jobs not completed (the schedulers' next runs wait as delayed jobs too: not those). */
const unfinished = async () =>
  (await catalog.getJobs(['active', 'waiting', 'prioritized', 'delayed', 'failed'], 0, -1)).filter(
    (j) => j.name === 'catalog.movie-sync',
  ).length;

describe('a worker killed with SIGKILL while it processes 1,000 jobs', () => {
  it('leaves nothing lost and nothing doubled', async () => {
    ids = standIn.catalog.movieIds().slice(0, JOBS);
    expect(ids).toHaveLength(JOBS);
    for (const tmdbId of ids) await queues.enqueue('catalog.movie-sync', { tmdbId });

    const first = startProcess(WORKER, env);
    started.push(first);
    await waitFor(async () => (await synced()) >= 150, { timeoutMs: 60_000, intervalMs: 50 });
    const active = await catalog.getActiveCount();
    await first.stop('SIGKILL');
    // It died holding jobs: they are still "active", their locks not yet lapsed.
    expect(active).toBeGreaterThan(0);
    expect(await synced()).toBeLessThan(JOBS);

    const second = startProcess(WORKER, env);
    started.push(second);
    // The orphans' locks lapse within 3 s and the stalled check runs every 3 s.
    await waitFor(async () => (await synced()) === JOBS && (await unfinished()) === 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });

    expect(await catalog.getFailedCount()).toBe(0);
    const movies = await db.movie.findMany({ where: { tmdbId: { in: ids } }, select: { tmdbId: true } });
    expect(movies).toHaveLength(JOBS);
    const perMovie = await db.movieTranslation.groupBy({
      by: ['movieId', 'language'],
      _count: { _all: true },
      having: { movieId: { _count: { gt: 1 } } },
    });
    expect(perMovie).toEqual([]);
  }, 180_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, type Db } from '@cinenest/db';
import {
  createTestDatabase,
  startRedisServer,
  startTmdbStandIn,
  waitFor,
  type RedisServer,
  type TmdbStandIn,
} from '@cinenest/testkit';
import { startApiAndWorker, type Running } from './support.js';

/**
 * Redis stopped under load and started again: catalog reads keep answering 200, calls that must
 * enqueue fail fast with 503, the API and the worker carry on without a restart, and jobs queued
 * before the stop are still there afterwards (append-only file) and complete.
 */
const PENDING = 30;

let dir: string;
let redis: RedisServer;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let tmdb: TmdbStandIn;
let app: Running;
const get = (path: string) => app.get(path);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cinenest-redis-outage-'));
  redis = await startRedisServer({ dir });
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 2 });
  tmdb = await startTmdbStandIn({ movies: 120, shows: 2, today: '2026-06-15' });
  app = await startApiAndWorker(database.url, tmdb, {
    REDIS_URL: redis.url,
    // Slow on purpose: the jobs queued below are still waiting when Redis stops.
    TMDB_RATE_LIMIT: '4',
    CATALOG_WAIT_MS: '100',
    WORKER_QUEUES: 'catalog',
  });
}, 60_000);

afterAll(async () => {
  await app?.kill();
  await tmdb.close();
  await redis.stop();
  await db.$disconnect();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis stopped and started again under load', () => {
  it('keeps reads up, fails enqueues fast, loses no job, and recovers without a restart', async () => {
    // Titles not held yet: asking for each queues its sync (202), which the slow worker has not run.
    const held = new Set((await db.movie.findMany({ select: { tmdbId: true } })).map((m) => m.tmdbId));
    const wanted = tmdb.catalog
      .movieIds()
      .filter((id) => !held.has(id))
      .slice(0, PENDING + 1);
    const queued = wanted.slice(0, PENDING);
    for (const id of queued) expect([200, 202]).toContain((await get(`/api/v1/movies/${id}`)).status);

    const load = app.load('/api/v1/movies?pageSize=5');

    await redis.stop();
    await new Promise((r) => setTimeout(r, 500));
    // Reads: still answered from Postgres.
    for (let i = 0; i < 5; i++) expect((await get('/api/v1/movies?pageSize=5')).status).toBe(200);
    // A title that must be fetched through the worker cannot be queued: 503, at once.
    const before = Date.now();
    const enqueue = await get(`/api/v1/movies/${wanted[PENDING]!}`);
    expect(enqueue.status).toBe(503);
    expect(Date.now() - before).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 1000));

    await redis.start();
    // The same processes carry on: the API queues again, the worker runs what was queued before.
    await waitFor(async () => [200, 202].includes((await get(`/api/v1/movies/${wanted[PENDING]!}`)).status), {
      timeoutMs: 20_000,
    });
    await waitFor(
      async () =>
        (await db.movie.count({ where: { tmdbId: { in: wanted }, syncedAt: { not: null } } })) ===
        wanted.length,
      { timeoutMs: 40_000, intervalMs: 250 },
    );
    await load.stop();

    for (const p of app.processes) expect(p.child.exitCode).toBeNull();
    expect(load.statuses.get(200)).toBeGreaterThan(0);
    expect([...load.statuses.keys()].filter((s) => s !== 200)).toEqual([]);
  }, 120_000);
});

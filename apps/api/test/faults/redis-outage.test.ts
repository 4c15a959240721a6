import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, type Db } from '@cinenest/db';
import {
  createTestDatabase,
  freePort,
  startProcess,
  startRedisServer,
  startTmdbStandIn,
  testEnv,
  waitFor,
  type RedisServer,
  type RunningProcess,
  type TmdbStandIn,
} from '@cinenest/testkit';

/**
 * Redis stopped under load and started again: catalog reads keep answering 200, calls that must
 * enqueue fail fast with 503, the API and the worker carry on without a restart, and jobs queued
 * before the stop are still there afterwards (append-only file) and complete.
 */
const API = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const WORKER = fileURLToPath(new URL('../../../worker/dist/main.js', import.meta.url));
const PENDING = 30;

let dir: string;
let redis: RedisServer;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let tmdb: TmdbStandIn;
let base: string;
let auth: Record<string, string>;
const started: RunningProcess[] = [];

const get = (path: string) => fetch(`${base}${path}`, { headers: auth });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cinenest-redis-outage-'));
  redis = await startRedisServer({ dir });
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 2 });
  tmdb = await startTmdbStandIn({ movies: 120, shows: 2, today: '2026-06-15' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = testEnv(database.url, {
    REDIS_URL: redis.url,
    PORT: String(port),
    TMDB_API_URL: tmdb.url,
    TMDB_API_TOKEN: tmdb.token,
    // Slow on purpose: the jobs queued below are still waiting when Redis stops.
    TMDB_RATE_LIMIT: '4',
    LIST_PAGES: '1',
    CATALOG_LANGUAGES: 'en',
    CATALOG_WAIT_MS: '100',
    WORKER_QUEUES: 'catalog',
  });
  started.push(startProcess(API, env), startProcess(WORKER, env));
  await waitFor(async () => (await fetch(`${base}/health/ready`)).ok, { timeoutMs: 20_000 });
  const json = { 'Content-Type': 'application/json' };
  const login = { email: 'admin@home.test', password: 'correct horse battery' };
  await fetch(`${base}/api/v1/auth/setup`, { method: 'POST', headers: json, body: JSON.stringify(login) });
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(login),
  });
  auth = { Authorization: `Bearer ${((await res.json()) as { accessToken: string }).accessToken}` };
  await waitFor(async () => ((await (await get('/api/v1/movies')).json()) as { total: number }).total > 0, {
    timeoutMs: 30_000,
  });
}, 60_000);

afterAll(async () => {
  for (const p of started) await p.stop('SIGKILL');
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

    const statuses = new Map<number, number>();
    let loading = true;
    const load = (async () => {
      while (loading) {
        const status = await get('/api/v1/movies?pageSize=5')
          .then((r) => r.status)
          .catch(() => 0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

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
    loading = false;
    await load;

    for (const p of started) expect(p.child.exitCode).toBeNull();
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((s) => s !== 200)).toEqual([]);
  }, 120_000);
});

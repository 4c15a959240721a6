import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRedis } from '@cinenest/queue';
import {
  startPostgresServer,
  startTmdbStandIn,
  waitFor,
  type PostgresServer,
  type TmdbStandIn,
} from '@cinenest/testkit';
import { startApiAndWorker, type Running } from './support.js';

/**
 * Postgres stopped under load and started again: the API answers 503 (never a 500, never a crash),
 * the worker keeps running, and both carry on without a restart once Postgres is back.
 */
const MIGRATIONS = fileURLToPath(new URL('../../../../prisma/migrations', import.meta.url));

let dir: string;
let postgres: PostgresServer;
let tmdb: TmdbStandIn;
let app: Running;
const get = (path: string) => app.get(path);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cinenest-pg-outage-'));
  postgres = await startPostgresServer({ dir, migrations: MIGRATIONS });
  tmdb = await startTmdbStandIn({ movies: 40, shows: 2, today: '2026-06-15' });
  app = await startApiAndWorker(postgres.url, tmdb, {
    TMDB_RATE_LIMIT: '200',
    WORKER_QUEUES: 'catalog,housekeeping',
    LOG_LEVEL: 'error',
  });
}, 60_000);

afterAll(async () => {
  await app?.kill();
  const redis = createRedis(process.env.REDIS_URL!, 'request');
  const keys = await redis.keys(`${app.env.REDIS_PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await tmdb.close();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Postgres stopped and started again', () => {
  it('answers 503 meanwhile, never crashes, and recovers without a restart', async () => {
    const load = app.load('/api/v1/movies?pageSize=5');
    await new Promise((r) => setTimeout(r, 500));
    await postgres.stop();
    await waitFor(async () => (await fetch(`${app.base}/health/ready`)).status === 503, {
      timeoutMs: 10_000,
    });
    // A write needs the database whatever the caches hold.
    const write = await fetch(`${app.base}/api/v1/progress/movies/${tmdb.catalog.movieIds()[0]}`, {
      method: 'PUT',
      headers: { ...app.auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ position: 60, duration: 600 }),
    });
    expect(write.status).toBe(503);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
    await new Promise((r) => setTimeout(r, 1500));

    await postgres.start();
    await waitFor(async () => (await fetch(`${app.base}/health/ready`)).ok, { timeoutMs: 20_000 });
    await waitFor(async () => (await get('/api/v1/movies?pageSize=5')).status === 200, { timeoutMs: 10_000 });
    // The worker carries on too: a title not held yet is fetched through it.
    const fresh = tmdb.catalog.movieIds().at(-1)!;
    await waitFor(async () => (await get(`/api/v1/movies/${fresh}`)).status === 200, { timeoutMs: 20_000 });
    await load.stop();

    for (const p of app.processes) expect(p.child.exitCode).toBeNull();
    expect([...load.statuses.keys()].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(load.statuses.get(200)).toBeGreaterThan(0);
    for (const p of app.processes) expect(p.output()).not.toMatch(/uncaught|unhandled/i);
  }, 90_000);
});

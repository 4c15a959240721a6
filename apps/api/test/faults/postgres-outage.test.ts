import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRedis } from '@cinenest/queue';
import {
  freePort,
  startPostgresServer,
  startProcess,
  startTmdbStandIn,
  testEnv,
  waitFor,
  type PostgresServer,
  type RunningProcess,
  type TmdbStandIn,
} from '@cinenest/testkit';

/**
 * Postgres stopped under load and started again: the API answers 503 (never a 500, never a crash),
 * the worker keeps running, and both carry on without a restart once Postgres is back.
 */
const API = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const WORKER = fileURLToPath(new URL('../../../worker/dist/main.js', import.meta.url));
const MIGRATIONS = fileURLToPath(new URL('../../../../prisma/migrations', import.meta.url));

let dir: string;
let postgres: PostgresServer;
let tmdb: TmdbStandIn;
let env: Record<string, string>;
let base: string;
let auth: Record<string, string>;
const started: RunningProcess[] = [];

const get = (path: string) => fetch(`${base}${path}`, { headers: auth });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cinenest-pg-outage-'));
  postgres = await startPostgresServer({ dir, migrations: MIGRATIONS });
  tmdb = await startTmdbStandIn({ movies: 40, shows: 2, today: '2026-06-15' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = testEnv(postgres.url, {
    PORT: String(port),
    TMDB_API_URL: tmdb.url,
    TMDB_API_TOKEN: tmdb.token,
    TMDB_RATE_LIMIT: '200',
    LIST_PAGES: '1',
    CATALOG_LANGUAGES: 'en',
    WORKER_QUEUES: 'catalog,housekeeping',
    LOG_LEVEL: 'error',
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
  // The lists refresh fills the catalog.
  await waitFor(async () => ((await (await get('/api/v1/movies')).json()) as { total: number }).total > 0, {
    timeoutMs: 20_000,
  });
}, 60_000);

afterAll(async () => {
  for (const p of started) await p.stop('SIGKILL');
  const redis = createRedis(process.env.REDIS_URL!, 'request');
  const keys = await redis.keys(`${env.REDIS_PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await tmdb.close();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Postgres stopped and started again', () => {
  it('answers 503 meanwhile, never crashes, and recovers without a restart', async () => {
    // Load throughout: a catalog read every 20 ms.
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

    await new Promise((r) => setTimeout(r, 500));
    await postgres.stop();
    await waitFor(async () => (await fetch(`${base}/health/ready`)).status === 503, { timeoutMs: 10_000 });
    // A write needs the database whatever the caches hold.
    const write = await fetch(`${base}/api/v1/progress/movies/${tmdb.catalog.movieIds()[0]}`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ position: 60, duration: 600 }),
    });
    expect(write.status).toBe(503);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
    await new Promise((r) => setTimeout(r, 1500));

    await postgres.start();
    await waitFor(async () => (await fetch(`${base}/health/ready`)).ok, { timeoutMs: 20_000 });
    await waitFor(async () => (await get('/api/v1/movies?pageSize=5')).status === 200, { timeoutMs: 10_000 });
    // The worker carries on too: a title not held yet is fetched through it.
    const fresh = tmdb.catalog.movieIds().at(-1)!;
    await waitFor(async () => (await get(`/api/v1/movies/${fresh}`)).status === 200, { timeoutMs: 20_000 });
    loading = false;
    await load;

    for (const p of started) expect(p.child.exitCode).toBeNull();
    expect([...statuses.keys()].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(0);
    for (const p of started) expect(p.output()).not.toMatch(/uncaught|unhandled/i);
  }, 90_000);
});

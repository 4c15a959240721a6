import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, type Db } from '@cinenest/db';
import { createRedis, Queues } from '@cinenest/queue';
import {
  createTestDatabase,
  freePort,
  startProcess,
  startTmdbStandIn,
  testEnv,
  waitFor,
  type RunningProcess,
  type TmdbStandIn,
} from '@cinenest/testkit';
import type { Redis } from 'ioredis';

/** The worker's own /metrics server (METRICS_PORT): job runs and upstream requests, token-protected. */
const WORKER = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const TOKEN = 'worker-metrics-token-0123456789';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let standIn: TmdbStandIn;
let db: Db;
let redis: Redis;
let queues: Queues;
let env: Record<string, string>;
let worker: RunningProcess;
let url: string;

const scrape = (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
  fetch(`${url}/metrics`, { headers });

beforeAll(async () => {
  database = await createTestDatabase();
  standIn = await startTmdbStandIn({ movies: 20, shows: 2 });
  const port = await freePort();
  env = testEnv(database.url, {
    LOG_LEVEL: 'info',
    TMDB_API_URL: standIn.url,
    TMDB_API_TOKEN: standIn.token,
    LIST_PAGES: '1',
    WORKER_QUEUES: 'catalog',
    METRICS_PORT: String(port),
    METRICS_TOKEN: TOKEN,
  });
  url = `http://127.0.0.1:${port}`;
  db = createDb(database.url, { poolSize: 2 });
  redis = createRedis(env.REDIS_URL!, 'worker');
  queues = new Queues(redis, env.REDIS_PREFIX!);
  // TMDB refuses the first request with a 429 (the client waits Retry-After and tries again).
  standIn.fault('rate-limit', { count: 1, retryAfter: 1 });
  worker = startProcess(WORKER, env);
  await waitFor(() => worker.output().includes('metrics listening'), { timeoutMs: 15_000 }).catch(
    (err: Error) => {
      throw new Error(`${err.message}\n${worker.output()}`);
    },
  );
}, 30_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  const keys = await redis.keys(`${env.REDIS_PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  await standIn.close();
  await queues.close();
  await redis.quit();
  await db.$disconnect();
  await database.drop();
});

describe('GET /metrics (worker)', () => {
  it('401 without the token, 200 with it; 404 for any other path', async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await fetch(`${url}/other`)).status).toBe(404);
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^cinenest_process_cpu_seconds_total /m);
  });

  it('counts a job run as completed, with its duration, and TMDB’s 429 as status "429"', async () => {
    await queues.enqueue('catalog.movie-sync', { tmdbId: 1000 });
    await waitFor(async () => (await db.movie.findUnique({ where: { tmdbId: 1000 } }))?.syncedAt, {
      timeoutMs: 20_000,
    });
    const host = new URL(standIn.url).host.replace(/\./g, '\\.');
    const text = await waitFor(
      async () => {
        const body = await (await scrape()).text();
        return /cinenest_jobs_total\{job="catalog\.movie-sync",outcome="completed"\} [1-9]/.test(body)
          ? body
          : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(text).toMatch(
      /^cinenest_job_duration_seconds_count\{job="catalog\.movie-sync",outcome="completed"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(
      new RegExp(`^cinenest_upstream_requests_total\\{host="${host}",status="429"\\} 1$`, 'm'),
    );
    expect(text).toMatch(
      new RegExp(`^cinenest_upstream_requests_total\\{host="${host}",status="200"\\} [1-9]`, 'm'),
    );
    expect(text).toMatch(
      new RegExp(
        `^cinenest_upstream_request_duration_seconds_count\\{host="${host}",status="429"\\} 1$`,
        'm',
      ),
    );
    expect(standIn.requests()).toBeGreaterThan(1);
  }, 40_000);

  it('stops its metrics server with the rest on SIGTERM', async () => {
    expect(await worker.stop('SIGTERM')).toBe(0);
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  }, 20_000);
});

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, DeviceCodeStatus, type Db } from '@cinenest/db';
import { createRedis, IMAGE_CONFIGURATION_KEY, LISTS, Queues } from '@cinenest/queue';
import {
  createTestDatabase,
  startProcess,
  startTmdbStandIn,
  testEnv,
  waitFor,
  type RunningProcess,
  type TmdbStandIn,
} from '@cinenest/testkit';
import type { Redis } from 'ioredis';

const WORKER = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const HOUR = 3600_000;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let env: Record<string, string>;
let db: Db;
let redis: Redis;
let queues: Queues;
let standIn: TmdbStandIn;
const started: RunningProcess[] = [];
const prefixes: string[] = [];

/** Every interval away from its default, to see that the schedules follow the configuration. */
const INTERVALS = {
  REFERENCE_SYNC_INTERVAL: 43_200,
  LIST_REFRESH_INTERVAL: 1800,
  CHANGES_SYNC_INTERVAL: 2700,
  SEASON_SWEEP_INTERVAL: 30,
  HEALTH_CHECK_INTERVAL: 45,
};

function startWorker(overrides: Record<string, string> = {}): RunningProcess {
  const worker = startProcess(WORKER, { ...env, ...overrides });
  started.push(worker);
  return worker;
}

/** Each worker has got past schedule registration: it either registered them or left them to another. */
const settled = (w: RunningProcess) =>
  /job schedules registered|job schedules already up to date|schedules left to/.test(w.output());

beforeAll(async () => {
  database = await createTestDatabase();
  standIn = await startTmdbStandIn({ movies: 40, shows: 8 });
  env = testEnv(database.url, {
    LOG_LEVEL: 'info',
    TMDB_API_URL: standIn.url,
    TMDB_API_TOKEN: standIn.token,
    LIST_PAGES: '1',
    ...Object.fromEntries(Object.entries(INTERVALS).map(([k, v]) => [k, String(v)])),
  });
  prefixes.push(env.REDIS_PREFIX!);
  db = createDb(database.url, { poolSize: 2 });
  redis = createRedis(env.REDIS_URL!, 'worker');
  queues = new Queues(redis, env.REDIS_PREFIX!);
});

afterAll(async () => {
  for (const w of started) await w.stop('SIGKILL');
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  }
  await standIn.close();
  await queues.close();
  await redis.quit();
  await db.$disconnect();
  await database.drop();
});

describe('three workers started together', () => {
  let workers: RunningProcess[];

  beforeAll(async () => {
    workers = [startWorker(), startWorker(), startWorker()];
    await waitFor(() => workers.every(settled), { timeoutMs: 20_000 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${workers.map((w) => w.output()).join('\n---\n')}`);
    });
  }, 30_000);

  it('registers each housekeeping scheduler once, at its configured interval', async () => {
    const schedulers = await queues.get('housekeeping').getJobSchedulers();
    expect(schedulers).toHaveLength(2);
    expect(Object.fromEntries(schedulers.map((s) => [s.key, s.every]))).toEqual({
      'housekeeping.purge-expired': 3600_000,
      'housekeeping.health-check': INTERVALS.HEALTH_CHECK_INTERVAL * 1000,
    });
    // The tracker check is asked for by the health check, never scheduled on its own.
    expect(await queues.get('swarm').getJobSchedulers()).toEqual([]);
    const registrars = workers.filter((w) => w.output().includes('job schedules registered'));
    expect(registrars).toHaveLength(1);
  });

  it('the scheduled health check runs at once and records every service', async () => {
    const services = await waitFor(
      async () => {
        const rows = await db.serviceCheck.findMany({ select: { service: true } });
        const names = new Set(rows.map((r) => r.service));
        return names.has('postgres') && names.has('queues') ? names : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect([...services!].filter((s) => s !== 'trackers').sort()).toEqual(
      ['postgres', 'queues', 'redis', 'streamer', 'tmdb', 'vpn', 'yts:127.0.0.1:9'].sort(),
    );
  });

  it('registers each catalog scheduler once, at its configured interval', async () => {
    const schedulers = await queues.get('catalog').getJobSchedulers();
    const byKey = Object.fromEntries(schedulers.map((s) => [s.key, s.every]));
    expect(schedulers).toHaveLength(4);
    expect(byKey).toEqual({
      'catalog.reference-sync': INTERVALS.REFERENCE_SYNC_INTERVAL * 1000,
      'catalog.list-refresh': INTERVALS.LIST_REFRESH_INTERVAL * 1000,
      'catalog.changes-sync': INTERVALS.CHANGES_SYNC_INTERVAL * 1000,
      'catalog.season-sweep': INTERVALS.SEASON_SWEEP_INTERVAL * 1000,
    });
  });

  it('the scheduled catalog jobs run: genres, image configuration, lists, and every listed title synced', async () => {
    const catalog = queues.get('catalog');
    // Each scheduler's next run waits as a delayed job: done means nothing else waits or runs.
    const unsynced = () =>
      db.mediaListItem.count({
        where: { OR: [{ movie: { syncedAt: null } }, { show: { syncedAt: null } }] },
      });
    await waitFor(
      async () => {
        const counts = await catalog.getJobCounts('active', 'waiting', 'prioritized');
        return (
          (await db.mediaList.count()) === LISTS.length &&
          (await unsynced()) === 0 &&
          Object.values(counts).every((n) => n === 0)
        );
      },
      { timeoutMs: 25_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${workers.map((w) => w.output()).join('\n---\n')}`);
    });
    expect(await catalog.getJobCounts('failed')).toEqual({ failed: 0 });
    expect(await db.genre.count()).toBeGreaterThan(0);
    expect(await db.syncState.findUnique({ where: { key: IMAGE_CONFIGURATION_KEY } })).not.toBeNull();
    const listed = await db.mediaListItem.findMany({ include: { movie: true, show: true } });
    expect(listed.length).toBeGreaterThan(0);
    for (const item of listed) expect((item.movie ?? item.show)!.syncedAt).not.toBeNull();
    // The changes feed was walked to today for both kinds.
    expect(await db.syncState.count({ where: { key: { startsWith: 'tmdb.changes.' } } })).toBe(2);
  }, 30_000);

  it('the purge job deletes expired sessions and device codes, and keeps live ones', async () => {
    // The scheduler's own runs must not do the work for us: wait until the queue is idle.
    const housekeeping = queues.get('housekeeping');
    await waitFor(async () => {
      const counts = await housekeeping.getJobCounts('active', 'waiting', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    });

    const user = await db.user.create({
      data: { email: `purge-${randomBytes(4).toString('hex')}@home.test`, passwordHash: 'x' },
    });
    const now = Date.now();
    const expiredSession = await db.session.create({
      data: { userId: user.id, expiresAt: new Date(now - HOUR) },
    });
    const liveSession = await db.session.create({
      data: { userId: user.id, expiresAt: new Date(now + 24 * HOUR) },
    });
    const deviceCode = (expiresAt: Date) =>
      db.deviceCode.create({
        data: {
          deviceCodeHash: randomBytes(16).toString('hex'),
          userCode: randomBytes(4).toString('hex').toUpperCase(),
          status: DeviceCodeStatus.PENDING,
          interval: 5,
          expiresAt,
        },
      });
    const expiredCode = await deviceCode(new Date(now - 2 * HOUR));
    const liveCode = await deviceCode(new Date(now + 10 * 60_000));
    const movie = await db.movie.create({ data: { tmdbId: 8_000_000 + (now % 1_000_000), title: 'Purged' } });
    const source = await db.movieSource.create({
      data: {
        movieId: movie.id,
        provider: 'yts',
        hashLookup: randomBytes(8).toString('hex'),
        infoHashEnc: 'x',
        magnetEnc: 'x',
        quality: '720p',
        codec: 'x264',
        sizeBytes: 1n,
      },
    });
    const streamToken = (expiresAt: Date) =>
      db.streamToken.create({ data: { userId: user.id, sourceId: source.id, fileIndex: 0, expiresAt } });
    // Kept a day past expiry (a player's "expired" answer still finds its row), then deleted.
    const oldToken = await streamToken(new Date(now - 25 * HOUR));
    const recentlyExpired = await streamToken(new Date(now - HOUR));

    const job = await queues.enqueue('housekeeping.purge-expired', {});
    await waitFor(async () => (await job.getState()) === 'completed', { timeoutMs: 15_000 });

    expect(await db.session.findUnique({ where: { id: expiredSession.id } })).toBeNull();
    expect(await db.deviceCode.findUnique({ where: { id: expiredCode.id } })).toBeNull();
    expect(await db.session.findUnique({ where: { id: liveSession.id } })).not.toBeNull();
    expect(await db.deviceCode.findUnique({ where: { id: liveCode.id } })).not.toBeNull();
    expect(await db.streamToken.findUnique({ where: { id: oldToken.id } })).toBeNull();
    expect(await db.streamToken.findUnique({ where: { id: recentlyExpired.id } })).not.toBeNull();
    const done = await housekeeping.getJob(job.id!);
    expect(done?.returnvalue).toMatchObject({ sessions: 1, deviceCodes: 1, streamTokens: 1 });
  });

  it('SIGTERM: every worker exits with code 0 within 10 s', async () => {
    for (const w of workers) w.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => w.exitWithin(10_000)));
    expect(codes).toEqual([0, 0, 0]);
    for (const w of workers) expect(w.output()).toMatch(/stopped/);
  }, 15_000);
});

describe('a worker whose catalog job is retrying an unreachable TMDB', () => {
  it('still exits with code 0 on SIGTERM, leaving the job to run again', async () => {
    const prefix = `t${randomBytes(5).toString('hex')}`;
    prefixes.push(prefix);
    const worker = startWorker({
      REDIS_PREFIX: prefix,
      TMDB_API_URL: 'http://127.0.0.1:9/3',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    // The scheduled reference-sync starts at once and retries its TMDB call for tens of seconds.
    await waitFor(() => /tmdb retry/.test(worker.output()), { timeoutMs: 15_000 });
    worker.child.kill('SIGTERM');
    expect(await worker.exitWithin(10_000)).toBe(0);
    expect(worker.output()).toMatch(/did not finish in time/);
    expect(worker.output()).toMatch(/stopped/);
  }, 30_000);
});

describe('a worker with an unknown queue in WORKER_QUEUES', () => {
  it('exits non-zero, naming the unknown queue', async () => {
    const worker = startWorker({ WORKER_QUEUES: 'nonsense' });
    const code = await worker.exitWithin(15_000);
    expect(typeof code).toBe('number');
    expect(code).not.toBe(0);
    expect(worker.output()).toMatch(/nonsense/);
    expect(worker.output()).toMatch(/WORKER_QUEUES/);
  }, 20_000);
});

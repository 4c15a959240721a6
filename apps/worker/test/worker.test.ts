import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, DeviceCodeStatus, type Db } from '@cinenest/db';
import { createRedis, Queues } from '@cinenest/queue';
import { createTestDatabase, startProcess, testEnv, waitFor, type RunningProcess } from '@cinenest/testkit';
import type { Redis } from 'ioredis';

const WORKER = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const HOUR = 3600_000;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let env: Record<string, string>;
let db: Db;
let redis: Redis;
let queues: Queues;
const started: RunningProcess[] = [];

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
  env = testEnv(database.url, { LOG_LEVEL: 'info' });
  db = createDb(database.url, { poolSize: 2 });
  redis = createRedis(env.REDIS_URL!, 'worker');
  queues = new Queues(redis, env.REDIS_PREFIX!);
});

afterAll(async () => {
  for (const w of started) await w.stop('SIGKILL');
  const keys = await redis.keys(`${env.REDIS_PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
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

  it('registers the housekeeping scheduler once', async () => {
    const schedulers = await queues.get('housekeeping').getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ key: 'housekeeping.purge-expired', every: 3600_000 });
    const registrars = workers.filter((w) => w.output().includes('job schedules registered'));
    expect(registrars).toHaveLength(1);
  });

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

    const job = await queues.enqueue('housekeeping.purge-expired', {});
    await waitFor(async () => (await job.getState()) === 'completed', { timeoutMs: 15_000 });

    expect(await db.session.findUnique({ where: { id: expiredSession.id } })).toBeNull();
    expect(await db.deviceCode.findUnique({ where: { id: expiredCode.id } })).toBeNull();
    expect(await db.session.findUnique({ where: { id: liveSession.id } })).not.toBeNull();
    expect(await db.deviceCode.findUnique({ where: { id: liveCode.id } })).not.toBeNull();
    const done = await housekeeping.getJob(job.id!);
    expect(done?.returnvalue).toMatchObject({ sessions: 1, deviceCodes: 1 });
  });

  it('SIGTERM: every worker exits with code 0 within 10 s', async () => {
    for (const w of workers) w.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => w.exitWithin(10_000)));
    expect(codes).toEqual([0, 0, 0]);
    for (const w of workers) expect(w.output()).toMatch(/stopped/);
  }, 15_000);
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

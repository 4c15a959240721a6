import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, type Config } from '@cinenest/config';
import { createLogger } from '@cinenest/logger';
import { testEnv } from '@cinenest/testkit';
import type { Redis } from 'ioredis';
import { createRedis, jobs, Queues, registerSchedules, withLock } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logger = createLogger({ service: 'test', silent: true });

let config: Config;
let redis: Redis;
const opened: Redis[] = [];

/** A separate connection, as another process would have. */
function connection(): Redis {
  const r = createRedis(config.REDIS_URL, 'worker');
  opened.push(r);
  return r;
}

beforeAll(() => {
  // registerSchedules never touches the database: any well-formed URL will do.
  config = loadConfig(
    testEnv('postgresql://unused:unused@127.0.0.1:1/unused', {
      HOUSEKEEPING_INTERVAL: '120',
      HEALTH_CHECK_INTERVAL: '60',
    }),
  );
  redis = connection();
});

afterAll(async () => {
  const keys = await redis.keys(`${config.REDIS_PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  await Promise.all(opened.map((r) => r.quit()));
});

describe('withLock', () => {
  it('runs fn in only one of several concurrent callers, and releases the lock afterwards', async () => {
    const key = `${config.REDIS_PREFIX}:lock:concurrent`;
    let runs = 0;
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        withLock(connection(), key, 10_000, async () => {
          runs++;
          await sleep(200);
          return `ran by ${i}`;
        }),
      ),
    );
    expect(runs).toBe(1);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(4);
    expect(await redis.exists(key)).toBe(0);

    // Released: the next caller takes it at once, long before the 10 s TTL.
    expect(await withLock(redis, key, 10_000, async () => 'again')).toBe('again');
    expect(await redis.exists(key)).toBe(0);
  });

  it('holds the lock while fn runs, with the given TTL', async () => {
    const key = `${config.REDIS_PREFIX}:lock:held`;
    await withLock(redis, key, 5_000, async () => {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5_000);
      expect(await withLock(connection(), key, 5_000, async () => 'intruder')).toBeUndefined();
    });
    expect(await redis.exists(key)).toBe(0);
  });

  it('releases the lock when fn throws, and passes the error on', async () => {
    const key = `${config.REDIS_PREFIX}:lock:throws`;
    await expect(
      withLock(redis, key, 10_000, async () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await redis.exists(key)).toBe(0);
  });

  it('does not release a lock that expired and was taken by someone else', async () => {
    const key = `${config.REDIS_PREFIX}:lock:expired`;
    let second: Promise<string | undefined> | undefined;
    await withLock(redis, key, 100, async () => {
      await sleep(250); // our lock expires meanwhile
      second = withLock(connection(), key, 10_000, async () => {
        await sleep(300);
        return 'second';
      });
      await sleep(50); // the second holder has it now
    });
    // The first holder's release must have left the second holder's lock alone.
    expect(await redis.exists(key)).toBe(1);
    expect(await second).toBe('second');
    expect(await redis.exists(key)).toBe(0);
  });
});

describe('registerSchedules', () => {
  it('three processes starting together register each schedule once', async () => {
    const processes = [0, 1, 2].map(() => {
      const r = connection();
      return { redis: r, queues: new Queues(r, config.REDIS_PREFIX) };
    });
    try {
      const results = await Promise.all(
        processes.map((p) => registerSchedules(jobs, p.queues, p.redis, config, logger)),
      );
      const registered = results.filter((r) => r !== undefined);
      const repeating = jobs.filter((j) => 'every' in j && j.every).map((j) => j.name);
      expect(repeating).toContain('housekeeping.purge-expired');
      expect(repeating).toContain('catalog.list-refresh');
      expect(registered).toEqual([repeating]);
      expect(results.filter((r) => r === undefined)).toHaveLength(2);
      const catalog = await processes[0]!.queues.get('catalog').getJobSchedulers();
      expect(catalog.map((s) => s.key).sort()).toEqual(
        repeating.filter((n) => n.startsWith('catalog.')).sort(),
      );

      const schedulers = await processes[0]!.queues.get('housekeeping').getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.every]).sort()).toEqual([
        ['housekeeping.health-check', 60_000],
        ['housekeeping.purge-expired', 120_000],
      ]);
      expect(await redis.exists(`${config.REDIS_PREFIX}:lock:schedules`)).toBe(0);
    } finally {
      await Promise.all(processes.map((p) => p.queues.close()));
    }
  });

  it('a later start with the same settings leaves the schedule alone', async () => {
    const queues = new Queues(redis, config.REDIS_PREFIX);
    try {
      const before = await queues.get('housekeeping').getJobSchedulers();
      expect(await registerSchedules(jobs, queues, redis, config, logger)).toEqual([]);
      expect(await queues.get('housekeeping').getJobSchedulers()).toEqual(before);
    } finally {
      await queues.close();
    }
  });

  it('a later start updates the schedule in place instead of adding another', async () => {
    const queues = new Queues(redis, config.REDIS_PREFIX);
    try {
      const changed = { ...config, HOUSEKEEPING_INTERVAL: 300 };
      expect(await registerSchedules(jobs, queues, redis, changed, logger)).toEqual([
        'housekeeping.purge-expired',
      ]);
      const schedulers = await queues.get('housekeeping').getJobSchedulers();
      expect(schedulers).toHaveLength(2);
      expect(schedulers.find((s) => s.key === 'housekeeping.purge-expired')).toMatchObject({
        every: 300_000,
      });
    } finally {
      await queues.close();
    }
  });

  it('registers a schedule again when it was removed', async () => {
    const queues = new Queues(redis, config.REDIS_PREFIX);
    try {
      await queues.get('housekeeping').removeJobScheduler('housekeeping.purge-expired');
      expect(await queues.get('housekeeping').getJobSchedulers()).toHaveLength(1);
      expect(await registerSchedules(jobs, queues, redis, config, logger)).toEqual([
        'housekeeping.purge-expired',
      ]);
      expect(await queues.get('housekeeping').getJobSchedulers()).toHaveLength(2);
    } finally {
      await queues.close();
    }
  });

  it('a queue under another prefix is not affected', async () => {
    const other = new Queues(redis, `${config.REDIS_PREFIX}-other`);
    try {
      expect(await other.get('housekeeping').getJobSchedulers()).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

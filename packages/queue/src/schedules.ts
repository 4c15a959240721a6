import type { Config } from '@cinenest/config';
import type { Logger } from '@cinenest/logger';
import type { Redis } from 'ioredis';
import { DEFAULT_JOB_OPTIONS, type JobDefinition } from './define.js';
import { withLock } from './lock.js';
import type { Queues } from './queues.js';

/**
 * Upserts a BullMQ job scheduler for every repeating job, under a Redis lock, so that any number
 * of workers starting together register each schedule once. A schedule already in place with the
 * same interval and options is left alone, so workers that start a moment later do not register it
 * again. Returns the names it registered (empty when all were current), or undefined when another
 * process held the lock.
 */
export async function registerSchedules(
  defs: readonly JobDefinition[],
  queues: Queues,
  redis: Redis,
  config: Config,
  logger: Logger,
): Promise<string[] | undefined> {
  const lockKey = `${queues.prefix}:lock:schedules`;
  const stateKey = `${queues.prefix}:schedules`;
  return withLock(redis, lockKey, 30_000, async () => {
    const registered: string[] = [];
    for (const def of defs) {
      if (!def.every) continue;
      const every = def.every(config);
      const opts = { ...DEFAULT_JOB_OPTIONS, ...def.options };
      const queue = queues.get(def.queue);
      const fingerprint = JSON.stringify({ every, opts });
      const current =
        (await redis.hget(stateKey, def.name)) === fingerprint && (await queue.getJobScheduler(def.name));
      if (current) continue;
      await queue.upsertJobScheduler(def.name, { every }, { name: def.name, data: {}, opts });
      await redis.hset(stateKey, def.name, fingerprint);
      registered.push(def.name);
    }
    if (registered.length) logger.info('job schedules registered', { schedules: registered });
    else logger.info('job schedules already up to date');
    return registered;
  });
}

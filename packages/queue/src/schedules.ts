import type { Config } from '@cinenest/config';
import type { Logger } from '@cinenest/logger';
import type { Redis } from 'ioredis';
import { DEFAULT_JOB_OPTIONS, type JobDefinition } from './define.js';
import { withLock } from './lock.js';
import type { Queues } from './queues.js';

/**
 * Upserts a BullMQ job scheduler for every repeating job, under a Redis lock, so that any number
 * of workers starting together register each schedule once. Returns the names it registered, or
 * undefined when another process held the lock.
 */
export async function registerSchedules(
  defs: readonly JobDefinition[],
  queues: Queues,
  redis: Redis,
  config: Config,
  logger: Logger,
): Promise<string[] | undefined> {
  const lockKey = `${queues.prefix}:lock:schedules`;
  return withLock(redis, lockKey, 30_000, async () => {
    const registered: string[] = [];
    for (const def of defs) {
      if (!def.every) continue;
      const every = def.every(config);
      await queues.get(def.queue).upsertJobScheduler(
        def.name,
        { every },
        { name: def.name, data: {}, opts: { ...DEFAULT_JOB_OPTIONS, ...def.options } },
      );
      registered.push(def.name);
    }
    logger.info('job schedules registered', { schedules: registered });
    return registered;
  });
}

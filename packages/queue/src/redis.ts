import { Redis, type RedisOptions } from 'ioredis';

/**
 * Workers block on Redis and must retry forever (BullMQ's requirement); request paths
 * (the API) fail fast instead, so a Redis outage answers 503 rather than hanging.
 */
export function createRedis(url: string, role: 'worker' | 'request', extra: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableReadyCheck: true,
    connectTimeout: 5000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...extra,
  });
  // Request paths wait for the first connection (commands sent at start are queued), but once
  // connected, a command sent while Redis is away fails at once instead of waiting for a reconnect.
  if (role === 'request' && extra.enableOfflineQueue === undefined)
    redis.once('ready', () => {
      redis.options.enableOfflineQueue = false;
    });
  return redis;
}

/** True when Redis answers PING within the timeout. */
export async function pingRedis(redis: Redis, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([redis.ping().then((r) => r === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

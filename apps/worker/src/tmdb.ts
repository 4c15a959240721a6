import type { Config } from '@cinenest/config';
import type { Logger } from '@cinenest/logger';
import { TmdbClient } from '@cinenest/tmdb';
import type { Redis } from 'ioredis';

/** The one TMDB client of a worker process; its rate limit and cache are shared through Redis. */
export function createTmdbClient(config: Config, redis: Redis, logger: Logger): TmdbClient {
  if (!config.TMDB_API_TOKEN) logger.warn('TMDB_API_TOKEN is not set: catalog jobs will fail until it is');
  return new TmdbClient({
    baseUrl: config.TMDB_API_URL,
    token: config.TMDB_API_TOKEN ?? '',
    redis,
    keyPrefix: config.REDIS_PREFIX,
    ratePerSecond: config.TMDB_RATE_LIMIT,
    cacheTtlSeconds: config.TMDB_CACHE_TTL,
    logger,
  });
}

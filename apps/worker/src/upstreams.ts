import type { Config } from '@cinenest/config';
import type { Logger } from '@cinenest/logger';
import { hostOf, type UpstreamMetrics } from '@cinenest/metrics';
import { TmdbClient } from '@cinenest/tmdb';
import { Cipher, parseKeyring } from '@cinenest/secrets';
import { YtsClient } from '@cinenest/yts';
import type { Redis } from 'ioredis';

/** The one TMDB client of a worker process; its rate limit and cache are shared through Redis. */
export function createTmdbClient(
  config: Config,
  redis: Redis,
  logger: Logger,
  budget: 'patient' | 'interactive' = 'patient',
  metrics?: UpstreamMetrics,
): TmdbClient {
  if (!config.TMDB_API_TOKEN && budget === 'patient')
    logger.warn('TMDB_API_TOKEN is not set: catalog jobs will fail until it is');
  const host = hostOf(config.TMDB_API_URL);
  return new TmdbClient({
    baseUrl: config.TMDB_API_URL,
    token: config.TMDB_API_TOKEN ?? '',
    redis,
    keyPrefix: config.REDIS_PREFIX,
    ratePerSecond: config.TMDB_RATE_LIMIT,
    cacheTtlSeconds: config.TMDB_CACHE_TTL,
    logger,
    // Someone is waiting (the API waits CATALOG_WAIT_MS): one quick retry, so an outage (5xx, reset,
    // refused) fails the attempt in time to answer 503 rather than 202s for half a minute; a merely
    // slow answer still gets the normal timeout. BullMQ's own backoff then retries the job.
    ...(budget === 'interactive' ? { maxRetries: 1, retryBaseMs: 200 } : {}),
    ...(metrics ? { onResponse: (e) => metrics.observe(host, e.status, e.durationMs) } : {}),
  });
}

/** The YTS client: mirrors in order, breakers and rate limit shared through Redis. */
export function createYtsClient(
  config: Config,
  redis: Redis,
  logger: Logger,
  metrics?: UpstreamMetrics,
): YtsClient {
  return new YtsClient({
    mirrors: config.YTS_MIRRORS,
    redis,
    keyPrefix: config.REDIS_PREFIX,
    ratePerSecond: config.YTS_RATE_LIMIT,
    logger,
    ...(metrics ? { onResponse: (e) => metrics.observe(hostOf(e.mirror), e.outcome, e.durationMs) } : {}),
  });
}

export function createCipher(config: Config): Cipher {
  return new Cipher(parseKeyring(config.SOURCE_ENCRYPTION_KEYS, config.SOURCE_LOOKUP_SECRET));
}

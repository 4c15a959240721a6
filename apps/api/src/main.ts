import { loadConfigOrExit } from '@cinenest/config';
import { createDb } from '@cinenest/db';
import { createLogger } from '@cinenest/logger';
import { createRedis, Queues } from '@cinenest/queue';
import { createApp } from './app.js';
import { serveUntilSignal } from '@cinenest/http';

const config = loadConfigOrExit('cinenest-api');
const logger = createLogger({
  service: 'api',
  level: config.LOG_LEVEL,
  json: config.NODE_ENV === 'production',
});
const db = createDb(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
const redis = createRedis(config.REDIS_URL, 'request');
redis.on('error', (err: Error) => logger.warn('redis connection error', { message: err.message }));
const queues = new Queues(redis, config.REDIS_PREFIX);
const { app } = createApp({ config, db, redis, queues, logger });

serveUntilSignal(app, {
  host: config.HOST,
  port: config.PORT,
  drainMs: config.SHUTDOWN_TIMEOUT_MS,
  logger,
  onClose: async () => {
    await queues.close();
    await db.$disconnect();
    await redis.quit();
  },
});

import { loadConfigOrExit } from '@cinenest/config';
import { createDb } from '@cinenest/db';
import { createLogger } from '@cinenest/logger';
import {
  createRegistry,
  JobMetrics,
  startMetricsServer,
  UpstreamMetrics,
  type MetricsServer,
} from '@cinenest/metrics';
import {
  checkRegistry,
  VpnGate,
  createRedis,
  jobs,
  observeTorrentDownloads,
  QUEUE_NAMES,
  Queues,
  registerSchedules,
  type QueueName,
} from '@cinenest/queue';
import { Worker } from 'bullmq';
import { createProcessor } from './processor.js';
import { createCipher, createTmdbClient, createYtsClient } from './upstreams.js';

const config = loadConfigOrExit('cinenest-worker');
const logger = createLogger({
  service: 'worker',
  level: config.LOG_LEVEL,
  json: config.NODE_ENV === 'production',
});

function fail(message: string): never {
  logger.error(message);
  process.exit(1);
}

try {
  checkRegistry(jobs);
} catch (err) {
  fail((err as Error).message);
}
const unknown = config.WORKER_QUEUES.filter((q) => !(QUEUE_NAMES as readonly string[]).includes(q));
if (unknown.length)
  fail(`WORKER_QUEUES names unknown queues: ${unknown.join(', ')} (known: ${QUEUE_NAMES.join(', ')})`);
const served = (config.WORKER_QUEUES.length ? config.WORKER_QUEUES : [...QUEUE_NAMES]) as QueueName[];

const redis = createRedis(config.REDIS_URL, 'worker');
redis.on('error', (err: Error) => logger.warn('redis connection error', { message: err.message }));
const db = createDb(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
const queues = new Queues(redis, config.REDIS_PREFIX);
const metrics = createRegistry();
const upstream = new UpstreamMetrics(metrics);
observeTorrentDownloads((a) => upstream.observe(a.host, a.status, a.durationMs));
const tmdb = createTmdbClient(config, redis, logger, 'patient', upstream);
const tmdbInteractive = createTmdbClient(config, redis, logger, 'interactive', upstream);
const yts = createYtsClient(config, redis, logger, upstream);
const cipher = createCipher(config);
const vpn = new VpnGate({
  url: config.VPN_CHECK_URL ?? null,
  disabled: config.DISABLE_VPN_CHECK,
  intervalMs: config.VPN_CHECK_INTERVAL * 1000,
  redis,
  keyPrefix: config.REDIS_PREFIX,
  logger,
});
const processor = createProcessor({
  db,
  redis,
  logger,
  config,
  tmdb,
  tmdbInteractive,
  yts,
  cipher,
  queues,
  vpn,
  metrics: new JobMetrics(metrics),
});

// GET /metrics on METRICS_PORT (0: none). A port already taken costs the metrics, not the jobs.
let metricsServer: MetricsServer | undefined;
if (config.METRICS_PORT > 0) {
  try {
    metricsServer = await startMetricsServer({
      registry: metrics,
      access: { token: config.METRICS_TOKEN, access: config.METRICS_ACCESS },
      host: config.HOST,
      port: config.METRICS_PORT,
      onError: (err) => logger.warn('metrics scrape failed', { err }),
    });
    logger.info('metrics listening', { url: `http://${config.HOST}:${metricsServer.port}/metrics` });
  } catch (err) {
    logger.warn('cannot serve metrics', { port: config.METRICS_PORT, message: (err as Error).message });
  }
}

const workers = served.map((name) => {
  const worker = new Worker(name, processor, {
    connection: redis,
    prefix: config.REDIS_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    // A job whose worker died (kill -9, a lost container) is found stalled and run again once its
    // lock lapses: within about twice this.
    lockDuration: config.JOB_LOCK_SECONDS * 1000,
    stalledInterval: config.JOB_LOCK_SECONDS * 1000,
  });
  worker.on('failed', (job, err) =>
    logger.warn('job failed', {
      job: job?.name,
      jobId: job?.id,
      attempt: job?.attemptsMade,
      message: err.message,
    }),
  );
  worker.on('error', (err) => logger.error('worker error', { queue: name, message: err.message }));
  return worker;
});
logger.info('worker started', { queues: served, concurrency: config.WORKER_CONCURRENCY });

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info('stopping: finishing active jobs', { signal });
  const drained = Promise.all(workers.map((w) => w.close())).then(() => true);
  const timedOut = new Promise<false>((resolve) =>
    setTimeout(() => resolve(false), config.SHUTDOWN_TIMEOUT_MS).unref(),
  );
  if (!(await Promise.race([drained, timedOut]))) {
    // Not w.close(true): BullMQ hands back the close() already pending, which waits for the jobs.
    // The jobs are left as they are; their locks lapse and the stalled check runs them again.
    logger.warn('active jobs did not finish in time; they will run again elsewhere');
  }
  vpn.stop();
  await metricsServer?.close();
  await queues.close();
  tmdb.close();
  tmdbInteractive.close();
  yts.close();
  await db.$disconnect();
  await redis.quit().catch(() => redis.disconnect());
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

// After the signal handlers: a stop while Redis is still unreachable must exit cleanly too.
await vpn.start();
const registered = await registerSchedules(jobs, queues, redis, config, logger);
if (!registered) logger.info('schedules left to the process that holds the lock');

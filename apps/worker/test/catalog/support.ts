import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '@cinenest/config';
import { createDb, type Db } from '@cinenest/db';
import { createLogger } from '@cinenest/logger';
import {
  createRedis,
  jobByName,
  Queues,
  type JobContext,
  type JobName,
  type PayloadOf,
} from '@cinenest/queue';
import {
  createTestDatabase,
  startTmdbStandIn,
  testEnv,
  waitFor,
  type StandInRequest,
  type TmdbStandIn,
  type TmdbStandInOptions,
} from '@cinenest/testkit';
import { TmdbClient, type TmdbClientOptions } from '@cinenest/tmdb';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createProcessor } from '../../src/processor.js';
import { Cipher, parseKeyring } from '@cinenest/secrets';
import { YtsClient } from '@cinenest/yts';

/** The stand-in's "today" in every catalog test, so lists and the changes feed are the same on every run. */
export const TODAY = '2026-06-15';

export const logger = createLogger({ service: 'test', silent: true });

export interface HarnessOptions {
  standIn?: TmdbStandInOptions;
  /** Environment overrides, read through the real config schema. */
  env?: Record<string, string>;
  tmdb?: Partial<TmdbClientOptions>;
}

export interface AttemptRecord {
  id: string;
  name: string;
  data: Record<string, unknown>;
  attempt: number;
  reason: string;
}

export interface CatalogWorker {
  worker: Worker;
  completed: Array<{ id: string; name: string; data: Record<string, unknown>; result: unknown }>;
  /** Every failed attempt, retried or not. */
  failed: AttemptRecord[];
  errors: Error[];
  close: () => Promise<void>;
}

export interface Harness {
  standIn: TmdbStandIn;
  db: Db;
  redis: Redis;
  config: Config;
  tmdb: TmdbClient;
  queues: Queues;
  prefix: string;
  /** A job context as the worker builds it; fields can be replaced (e.g. another config). */
  context: (overrides?: Partial<JobContext>) => JobContext;
  /** Runs a job's handler directly, the payload validated by its schema as the processor does. */
  run: <N extends JobName>(
    name: N,
    payload: PayloadOf<N>,
    overrides?: Partial<JobContext>,
  ) => Promise<unknown>;
  /** An in-process BullMQ worker on the catalog queue, running jobs through the worker's own processor. */
  worker: (options?: { concurrency?: number; config?: Config }) => CatalogWorker;
  /** Resolves once the catalog queue has nothing waiting, delayed or running. */
  drained: (timeoutMs?: number) => Promise<void>;
  /** Jobs of the catalog queue not yet run (waiting, prioritized or delayed). */
  pending: () => Promise<Job[]>;
  /** Removes every job of the catalog queue (waiting, finished, everything). */
  clearQueue: () => Promise<void>;
  /** Another TMDB client on the same stand-in and prefix (closed with the harness), e.g. with other retries. */
  client: (options?: Partial<TmdbClientOptions>) => TmdbClient;
  /** Empties the TMDB response cache, so the next calls reach the stand-in. */
  forgetTmdbCache: () => Promise<void>;
  /** The stand-in's log entries for requests made while fn ran. */
  requestsDuring: (fn: () => Promise<unknown>) => Promise<StandInRequest[]>;
  close: () => Promise<void>;
}

/**
 * A private world for one test file: a database cloned from the migrated template, a TMDB stand-in,
 * a Redis key prefix of its own (queues, TMDB cache and rate limit), and a TMDB client with short retries.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const standIn = await startTmdbStandIn({ today: TODAY, movies: 120, shows: 24, ...options.standIn });
  const database = await createTestDatabase();
  const config = loadConfig(
    testEnv(database.url, {
      TMDB_API_URL: standIn.url,
      TMDB_API_TOKEN: standIn.token,
      TMDB_RATE_LIMIT: '500',
      CATALOG_LANGUAGES: 'en,fr',
      LIST_PAGES: '1',
      ...options.env,
    }),
  );
  const prefix = config.REDIS_PREFIX;
  const db = createDb(database.url, { poolSize: 8 });
  const redis = createRedis(config.REDIS_URL, 'worker');
  const clients: TmdbClient[] = [];
  const client = (extra: Partial<TmdbClientOptions> = {}) => {
    const c = new TmdbClient({
      baseUrl: config.TMDB_API_URL,
      token: config.TMDB_API_TOKEN ?? '',
      redis,
      keyPrefix: prefix,
      ratePerSecond: config.TMDB_RATE_LIMIT,
      cacheTtlSeconds: config.TMDB_CACHE_TTL,
      retryBaseMs: 20,
      retryMaxDelayMs: 200,
      logger,
      ...options.tmdb,
      ...extra,
    });
    clients.push(c);
    return c;
  };
  const tmdb = client();
  // The catalog jobs never reach YTS; movie-sync only enqueues a source search on the sources queue.
  const yts = new YtsClient({ mirrors: config.YTS_MIRRORS, redis, keyPrefix: prefix, logger });
  const cipher = new Cipher(parseKeyring(config.SOURCE_ENCRYPTION_KEYS));
  const queues = new Queues(redis, prefix);
  const catalog = queues.get('catalog');
  const workers: CatalogWorker[] = [];

  const context = (overrides: Partial<JobContext> = {}): JobContext => ({
    db,
    redis,
    logger,
    config,
    tmdb,
    yts,
    cipher,
    queues,
    jobId: `direct-${randomBytes(3).toString('hex')}`,
    attempt: 1,
    delay: async (ms, reason) => {
      throw new Error(`delayed ${ms} ms: ${reason}`);
    },
    ...overrides,
  });

  const harness: Harness = {
    standIn,
    db,
    redis,
    config,
    tmdb,
    queues,
    prefix,
    context,
    client,
    run: async (name, payload, overrides) => {
      const def = jobByName(name);
      if (!def) throw new Error(`no job ${name}`);
      return def.handler(def.schema.parse(payload), context(overrides));
    },
    worker: ({ concurrency = 5, config: workerConfig = config } = {}) => {
      const processor = createProcessor({
        db,
        redis,
        logger,
        config: workerConfig,
        tmdb,
        yts,
        cipher,
        queues,
        // Catalog jobs never need the VPN: the gate stays open, as with DISABLE_VPN_CHECK=true.
        vpn: { isOpen: () => true },
      });
      const worker = new Worker('catalog', processor, { connection: redis, prefix, concurrency });
      const record: CatalogWorker = {
        worker,
        completed: [],
        failed: [],
        errors: [],
        close: () => worker.close(),
      };
      worker.on('completed', (job, result) =>
        record.completed.push({ id: job.id!, name: job.name, data: job.data, result }),
      );
      worker.on('failed', (job, err) => {
        if (job)
          record.failed.push({
            id: job.id!,
            name: job.name,
            data: job.data,
            attempt: job.attemptsMade,
            reason: err.message,
          });
      });
      worker.on('error', (err) => record.errors.push(err));
      workers.push(record);
      return record;
    },
    drained: async (timeoutMs = 30_000) => {
      await waitFor(
        async () => {
          const counts = await catalog.getJobCounts('active', 'waiting', 'prioritized', 'delayed');
          return Object.values(counts).every((n) => n === 0);
        },
        { timeoutMs, intervalMs: 50 },
      );
    },
    pending: () => catalog.getJobs(['waiting', 'prioritized', 'delayed']),
    clearQueue: async () => {
      await catalog.obliterate({ force: true });
    },
    forgetTmdbCache: async () => {
      const keys = await redis.keys(`${prefix}:tmdb:cache:*`);
      if (keys.length) await redis.del(...keys);
    },
    requestsDuring: async (fn) => {
      const before = standIn.requests();
      await fn();
      return standIn.requestLog().slice(before);
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      for (const c of clients) c.close();
      yts.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await db.$disconnect();
      await database.drop();
      await standIn.close();
    },
  };
  return harness;
}

/** Asks the stand-in directly (not through the client under test): what TMDB itself answers. */
export async function askTmdb<T = Record<string, unknown>>(standIn: TmdbStandIn, path: string): Promise<T> {
  const res = await fetch(`${standIn.url}${path}`, { headers: { authorization: `Bearer ${standIn.token}` } });
  if (!res.ok) throw new Error(`stand-in answered ${res.status} for ${path}`);
  return (await res.json()) as T;
}

/** The ids of one page of a TMDB list, in TMDB's order. */
export async function listIds(standIn: TmdbStandIn, path: string, page = 1): Promise<number[]> {
  const body = await askTmdb<{ results: Array<{ id: number }> }>(standIn, `${path}?page=${page}`);
  return body.results.map((r) => r.id);
}

/** The query parameters of a logged stand-in request. */
export function paramsOf(request: StandInRequest): URLSearchParams {
  return new URLSearchParams(request.query);
}

/** A movie's stored rows, without the columns that change on every write. */
export async function movieSnapshot(db: Db, tmdbId: number) {
  const movie = await db.movie.findUnique({
    where: { tmdbId },
    include: {
      genres: { select: { id: true }, orderBy: { id: 'asc' } },
      translations: { orderBy: [{ language: 'asc' }, { region: 'asc' }] },
    },
  });
  if (!movie) return null;
  const { updatedAt: _updatedAt, syncedAt: _syncedAt, ...rest } = movie;
  return rest;
}

/** A show's stored rows (seasons and episodes included), without the columns that change on every write. */
export async function showSnapshot(db: Db, tmdbId: number) {
  const show = await db.tVShow.findUnique({
    where: { tmdbId },
    include: {
      genres: { select: { id: true }, orderBy: { id: 'asc' } },
      translations: { orderBy: [{ language: 'asc' }, { region: 'asc' }] },
      seasons: {
        orderBy: { seasonNumber: 'asc' },
        include: { episodes: { orderBy: { episodeNumber: 'asc' } } },
      },
    },
  });
  if (!show) return null;
  const { updatedAt: _updatedAt, syncedAt: _syncedAt, ...rest } = show;
  return { ...rest, seasons: rest.seasons.map(({ syncedAt: _s, ...season }) => season) };
}

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
  type QueueName,
} from '@cinenest/queue';
import { Cipher, parseKeyring } from '@cinenest/secrets';
import {
  createTestDatabase,
  startTmdbStandIn,
  startYtsMirrors,
  testEnv,
  ytsMoviesFromTmdb,
  type TmdbStandIn,
  type YtsMirrors,
  type YtsStandInMovie,
  type YtsStandInTorrent,
} from '@cinenest/testkit';
import { TmdbClient } from '@cinenest/tmdb';
import { YtsClient, type YtsClientOptions } from '@cinenest/yts';
import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createProcessor } from '../../src/processor.js';
import { createCipher } from '../../src/upstreams.js';

/** The TMDB stand-in's "today", so its catalog (and so YTS's) is the same on every run. */
export const TODAY = '2026-06-15';
export const MINUTE = 60_000;
/** The gate of a worker with DISABLE_VPN_CHECK=true. */
const OPEN_GATE = { isOpen: () => true };

export const DAY = 24 * 60 * MINUTE;

export const logger = createLogger({ service: 'test', silent: true });

export interface SourcesWorker {
  worker: Worker;
  completed: Array<{ id: string; name: string; result: unknown }>;
  /** Every failed attempt, retried or not. */
  failed: Array<{ id: string; name: string; attempt: number; reason: string }>;
  errors: Error[];
  close: () => Promise<void>;
}

export interface SourcesHarness {
  tmdbStandIn: TmdbStandIn;
  yts: YtsMirrors;
  db: Db;
  redis: Redis;
  config: Config;
  /** The worker's own cipher (createCipher from the worker's config). */
  cipher: Cipher;
  queues: Queues;
  /** The 'sources' queue. */
  sources: Queue;
  prefix: string;
  /** Another YTS client on the stand-in mirrors and this prefix (closed with the harness). */
  ytsClient: (options?: Partial<YtsClientOptions>) => YtsClient;
  /** A job context as the worker builds it; delay() throws unless overridden. */
  context: (overrides?: Partial<JobContext>) => JobContext;
  /** Runs a job's handler directly, its payload validated by its schema as the processor does. */
  run: <N extends JobName>(
    name: N,
    payload: PayloadOf<N>,
    overrides?: Partial<JobContext>,
  ) => Promise<unknown>;
  /**
   * An in-process BullMQ worker on the 'sources' queue (or `queue`, e.g. 'swarm'), through the worker's
   * own processor. `vpn`: the gate jobs that need the VPN wait on (default: open, as DISABLE_VPN_CHECK=true).
   */
  worker: (options?: {
    concurrency?: number;
    yts?: YtsClient;
    queue?: QueueName;
    vpn?: { isOpen(): boolean };
  }) => SourcesWorker;
  /** Runs catalog.movie-sync for a stand-in movie and returns its row. */
  sync: (tmdbId: number) => Promise<{ id: number; tmdbId: number; imdbId: string | null }>;
  /** The YTS stand-in's entry for a TMDB stand-in movie (undefined when YTS does not list it). */
  ytsMovieOf: (tmdbId: number) => YtsStandInMovie | undefined;
  /** TMDB stand-in movie ids whose YTS entry satisfies the test, in id order. */
  moviesWhere: (test: (m: YtsStandInMovie | undefined) => boolean) => number[];
  /** Removes every job of the 'sources' queue. */
  clearSources: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * A private world for one test file: a database cloned from the migrated template, a TMDB stand-in,
 * YTS stand-in mirrors that know most of its movies, and a Redis prefix of its own.
 */
export async function startSourcesHarness(env: Record<string, string> = {}): Promise<SourcesHarness> {
  const tmdbStandIn = await startTmdbStandIn({ today: TODAY, movies: 80, shows: 4 });
  const yts = await startYtsMirrors({ movies: ytsMoviesFromTmdb(tmdbStandIn.catalog) });
  const database = await createTestDatabase();
  const config = loadConfig(
    testEnv(database.url, {
      TMDB_API_URL: tmdbStandIn.url,
      TMDB_API_TOKEN: tmdbStandIn.token,
      TMDB_RATE_LIMIT: '500',
      CATALOG_LANGUAGES: 'en',
      YTS_MIRRORS: yts.urls.join(','),
      YTS_RATE_LIMIT: '100',
      // Lookups keyed by their own secret, as a production install would be.
      SOURCE_LOOKUP_SECRET: randomBytes(24).toString('hex'),
      ...env,
    }),
  );
  const prefix = config.REDIS_PREFIX;
  const db = createDb(database.url, { poolSize: 8 });
  const redis = createRedis(config.REDIS_URL, 'worker');
  const tmdb = new TmdbClient({
    baseUrl: config.TMDB_API_URL,
    token: config.TMDB_API_TOKEN ?? '',
    redis,
    keyPrefix: prefix,
    ratePerSecond: config.TMDB_RATE_LIMIT,
    cacheTtlSeconds: config.TMDB_CACHE_TTL,
    retryBaseMs: 20,
    retryMaxDelayMs: 200,
    logger,
  });
  const clients: YtsClient[] = [];
  const ytsClient = (options: Partial<YtsClientOptions> = {}) => {
    const client = new YtsClient({
      mirrors: config.YTS_MIRRORS,
      redis,
      keyPrefix: prefix,
      ratePerSecond: config.YTS_RATE_LIMIT,
      timeoutMs: 3000,
      retryBaseMs: 20,
      retryMaxDelayMs: 100,
      logger,
      ...options,
    });
    clients.push(client);
    return client;
  };
  const ytsDefault = ytsClient();
  const cipher = createCipher(config);
  const queues = new Queues(redis, prefix);
  const sources = queues.get('sources');
  const workers: SourcesWorker[] = [];

  const context = (overrides: Partial<JobContext> = {}): JobContext => ({
    db,
    redis,
    logger,
    config,
    tmdb,
    yts: ytsDefault,
    cipher,
    queues,
    jobId: `direct-${randomBytes(3).toString('hex')}`,
    attempt: 1,
    delay: async (ms, reason) => {
      throw new Error(`delayed ${ms} ms: ${reason}`);
    },
    ...overrides,
  });

  const run: SourcesHarness['run'] = async (name, payload, overrides) => {
    const def = jobByName(name);
    if (!def) throw new Error(`no job ${name}`);
    return def.handler(def.schema.parse(payload), context(overrides));
  };

  const ytsMovieOf = (tmdbId: number) => {
    const record = tmdbStandIn.catalog.movie(tmdbId);
    return record ? yts.catalog.byImdb(record.imdbId) : undefined;
  };

  const harness: SourcesHarness = {
    tmdbStandIn,
    yts,
    db,
    redis,
    config,
    cipher,
    queues,
    sources,
    prefix,
    ytsClient,
    context,
    run,
    worker: ({ concurrency = 4, yts: client = ytsDefault, queue = 'sources', vpn } = {}) => {
      const processor = createProcessor({
        db,
        redis,
        logger,
        config,
        tmdb,
        yts: client,
        cipher,
        queues,
        vpn: vpn ?? OPEN_GATE,
      });
      const worker = new Worker(queue, processor, { connection: redis, prefix, concurrency });
      const record: SourcesWorker = {
        worker,
        completed: [],
        failed: [],
        errors: [],
        close: () => worker.close(),
      };
      worker.on('completed', (job: Job, result) =>
        record.completed.push({ id: job.id!, name: job.name, result }),
      );
      worker.on('failed', (job, err) => {
        if (job)
          record.failed.push({ id: job.id!, name: job.name, attempt: job.attemptsMade, reason: err.message });
      });
      worker.on('error', (err) => record.errors.push(err));
      workers.push(record);
      return record;
    },
    sync: async (tmdbId) => {
      await run('catalog.movie-sync', { tmdbId });
      return db.movie.findUniqueOrThrow({
        where: { tmdbId },
        select: { id: true, tmdbId: true, imdbId: true },
      });
    },
    ytsMovieOf,
    moviesWhere: (test) => tmdbStandIn.catalog.movieIds().filter((id) => test(ytsMovieOf(id))),
    clearSources: async () => {
      await sources.obliterate({ force: true });
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      tmdb.close();
      for (const c of clients) c.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await db.$disconnect();
      await database.drop();
      await yts.close();
      await tmdbStandIn.close();
    },
  };
  return harness;
}

/** What a stored YTS torrent should look like: quality and codec apart, the hash in lower case. */
export function expectedSource(t: YtsStandInTorrent) {
  const [quality] = t.quality.split('.');
  return {
    quality: quality!,
    codec: t.video_codec,
    type: t.type,
    sizeBytes: BigInt(t.size_bytes),
    seeds: t.seeds,
    peers: t.peers,
    hash: t.hash.toLowerCase(),
  };
}

/** A cipher built afresh from the same configuration: what another process holding the keys would use. */
export function sameKeyring(config: Config): Cipher {
  return new Cipher(parseKeyring(config.SOURCE_ENCRYPTION_KEYS, config.SOURCE_LOOKUP_SECRET));
}

/** Every row of every table of the public schema, each row as Postgres prints it (as pg_dump would). */
export async function dumpDatabase(db: Db): Promise<string[]> {
  const tables = await db.$queryRaw<Array<{ name: string }>>`
    SELECT table_name::text AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const lines: string[] = [];
  for (const { name } of tables) {
    const rows = await db.$queryRawUnsafe<Array<{ line: string }>>(
      `SELECT t::text AS line FROM "${name.replace(/"/g, '""')}" t`,
    );
    for (const r of rows) lines.push(`${name}\t${r.line}`);
  }
  return lines;
}

/** Every value under a Redis key prefix (strings, hashes, lists, sets, sorted sets, streams), as text. */
export async function dumpRedis(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const key of await redis.keys(`${prefix}:*`)) {
    const type = await redis.type(key);
    let values: unknown;
    if (type === 'string') values = await redis.get(key);
    else if (type === 'hash') values = await redis.hgetall(key);
    else if (type === 'list') values = await redis.lrange(key, 0, -1);
    else if (type === 'set') values = await redis.smembers(key);
    else if (type === 'zset') values = await redis.zrange(key, '0', '-1');
    else if (type === 'stream') values = await redis.xrange(key, '-', '+');
    else values = `(${type})`;
    out.push(`${key}\t${JSON.stringify(values)}`);
  }
  return out;
}

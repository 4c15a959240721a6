import { fileURLToPath } from 'node:url';
import { LISTS, Queues } from '@cinenest/queue';
import {
  startProcess,
  startTmdbStandIn,
  testEnv,
  waitFor,
  type RunningProcess,
  type StandInRequest,
  type TmdbStandIn,
  type TmdbStandInOptions,
} from '@cinenest/testkit';
import { startReplica, startTestApp, type TestApp } from '../support.js';

/** The built worker process (`npm test` builds it). */
const WORKER = fileURLToPath(new URL('../../../worker/dist/main.js', import.meta.url));

/** The stand-in's "today", so its lists and changes feed are the same on every run. */
export const TODAY = '2026-06-15';

export interface WorldOptions {
  standIn?: TmdbStandInOptions;
  /** Environment of the in-process API (CATALOG_WAIT_MS …). */
  app?: Record<string, string>;
  /** Environment of the worker process (LIST_PAGES …). */
  worker?: Record<string, string>;
}

export interface CatalogWorld {
  standIn: TmdbStandIn;
  t: TestApp;
  /** A signed-in user's Authorization header. */
  auth: Record<string, string>;
  /** The app's own queues (same Redis prefix as the worker). */
  queues: Queues;
  worker: () => RunningProcess | undefined;
  startWorker: () => RunningProcess;
  /** SIGTERM, and waits for the exit. */
  stopWorker: () => Promise<void>;
  /** Resolves once the catalog queue has nothing waiting, delayed or running. */
  drained: (timeoutMs?: number) => Promise<void>;
  /** Every list refreshed, the reference data stored, and every title the lists named synced in full. */
  seeded: (timeoutMs?: number) => Promise<void>;
  /** A GET of the API as the signed-in user. */
  get: (path: string) => ReturnType<ReturnType<TestApp['http']>['get']>;
  /** The stand-in's log entries for requests that arrived while fn ran. */
  requestsDuring: (fn: () => Promise<unknown>) => Promise<StandInRequest[]>;
  /** A second API on the same database and Redis prefix, e.g. with another CATALOG_WAIT_MS. */
  replica: (overrides: Record<string, string>) => Promise<TestApp>;
  /** Stand-in movie ids with no fully synced row in the database. */
  unheldMovieIds: () => Promise<number[]>;
  close: () => Promise<void>;
}

/**
 * A TMDB stand-in, the API in-process on a fresh database and a private Redis prefix, and the built
 * worker process on the same database, prefix and stand-in, so catalog jobs really run.
 */
export async function startCatalogWorld(options: WorldOptions = {}): Promise<CatalogWorld> {
  const standIn = await startTmdbStandIn({ today: TODAY, movies: 120, shows: 20, ...options.standIn });
  const t = await startTestApp({
    TMDB_API_URL: standIn.url,
    TMDB_API_TOKEN: standIn.token,
    ...options.app,
  });
  const user = await t.signedIn();
  const queues = new Queues(t.redis, t.config.REDIS_PREFIX);
  const catalog = queues.get('catalog');
  const workerEnv = testEnv(t.config.DATABASE_URL, {
    REDIS_URL: t.config.REDIS_URL,
    REDIS_PREFIX: t.config.REDIS_PREFIX,
    TMDB_API_URL: standIn.url,
    TMDB_API_TOKEN: standIn.token,
    TMDB_RATE_LIMIT: '200',
    WORKER_CONCURRENCY: '8',
    LOG_LEVEL: 'info',
    ...options.worker,
  });
  const replicas: TestApp[] = [];
  let worker: RunningProcess | undefined;

  const startWorker = () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null)
      throw new Error('the worker is already running');
    worker = startProcess(WORKER, workerEnv);
    return worker;
  };

  const drained = async (timeoutMs = 30_000) => {
    await waitFor(
      async () => {
        const counts = await catalog.getJobCounts('active', 'waiting', 'prioritized');
        if (Object.values(counts).some((n) => n > 0)) return false;
        // A job scheduler always holds its next run as a delayed job: only other delayed jobs count.
        const delayed = await catalog.getJobs(['delayed']);
        return delayed.every((job) => job.repeatJobKey !== undefined);
      },
      { timeoutMs, intervalMs: 100 },
    );
  };

  const world: CatalogWorld = {
    standIn,
    t,
    auth: user.auth,
    queues,
    worker: () => worker,
    startWorker,
    stopWorker: async () => {
      if (!worker) return;
      const code = await worker.stop('SIGTERM');
      if (code !== 0) throw new Error(`the worker exited with ${code}:\n${worker.output()}`);
    },
    drained,
    seeded: async (timeoutMs = 60_000) => {
      await waitFor(
        async () => {
          const [lists, unsyncedMovies, unsyncedShows, genres, images] = await Promise.all([
            t.db.mediaList.count({ where: { refreshedAt: { not: null } } }),
            t.db.movie.count({ where: { syncedAt: null } }),
            t.db.tVShow.count({ where: { syncedAt: null } }),
            t.db.genre.count(),
            t.db.syncState.count({ where: { key: 'tmdb.configuration' } }),
          ]);
          return (
            lists === LISTS.length &&
            unsyncedMovies === 0 &&
            unsyncedShows === 0 &&
            genres > 0 &&
            images === 1
          );
        },
        { timeoutMs, intervalMs: 200 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\nworker output:\n${worker?.output() ?? '(not started)'}`);
      });
      await drained(timeoutMs);
    },
    get: (path) => t.http().get(path).set(user.auth),
    requestsDuring: async (fn) => {
      const before = standIn.requests();
      await fn();
      return standIn.requestLog().slice(before);
    },
    replica: async (overrides) => {
      const replica = await startReplica(t, {
        TMDB_API_URL: standIn.url,
        TMDB_API_TOKEN: standIn.token,
        ...overrides,
      });
      replicas.push(replica);
      return replica;
    },
    unheldMovieIds: async () => {
      const held = await t.db.movie.findMany({
        where: { syncedAt: { not: null } },
        select: { tmdbId: true },
      });
      const ids = new Set(held.map((m) => m.tmdbId));
      return standIn.catalog.movieIds().filter((id) => !ids.has(id));
    },
    close: async () => {
      await worker?.stop('SIGKILL');
      for (const r of replicas) await r.close();
      await queues.close();
      await t.close();
      await standIn.close();
    },
  };
  return world;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

/** Whether values are in order by cmp (non-decreasing), nulls last. */
export function inOrder<T>(values: Array<T | null>, cmp: (a: T, b: T) => number): boolean {
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1]!;
    const b = values[i]!;
    if (a === null && b !== null) return false;
    if (a !== null && b !== null && cmp(a, b) > 0) return false;
  }
  return true;
}

/** The order the database's collation gives these strings (the API sorts names in SQL). */
export async function sortedByDb(w: CatalogWorld, values: string[]): Promise<string[]> {
  const rows = await w.t.db.$queryRaw<Array<{ v: string }>>`
    SELECT v FROM unnest(${values}::text[]) WITH ORDINALITY AS x(v, n) ORDER BY v, n`;
  return rows.map((r) => r.v);
}

/** Polls fn until it returns a value (not undefined), and returns that value. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  return (await waitFor(fn, options)) as T;
}

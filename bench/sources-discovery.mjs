// Discovery: 10,000 movies searched on YTS stand-in mirrors (20 ms added latency), with 1 and 3 workers.
//
// For each worker count: a fresh database holding 10,000 synced movies with IMDb ids the mirrors know
// (about one in ten has no torrent, as on YTS), sources.search enqueued for every one, then the built
// worker processes serving only the 'sources' queue; the clock runs from their start until every movie
// has sourceSearchedAt. The YTS rate limit is raised out of the way (BENCH_YTS_RATE) so the figure is the
// pipeline's own. Baseline in the same run: the mirrors answering one process's plain HTTP requests at the
// same concurrency, no database, no queue — the ceiling for one worker.
// Goals (the issue): ≥ 100 movies/s per worker, and ≥ 2.5× that with 3 workers.
//
// Environment: BENCH_MOVIES (10000), BENCH_WORKERS ("1,3"), BENCH_CONCURRENCY (50 jobs per worker),
// BENCH_LATENCY_MS (20), BENCH_YTS_RATE (5000), BENCH_TIMEOUT (600 s per run).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createRedis, Queues } from '../packages/queue/dist/index.js';
import {
  createTestDatabase,
  startProcess,
  startYtsMirrors,
  testEnv,
} from '../packages/testkit/dist/index.js';
import {
  fixed,
  log,
  need,
  printTable,
  root,
  runBench,
  sleep,
  thousands,
  verdict,
  WORKER,
} from './lib/common.mjs';

const MOVIES = Number(process.env.BENCH_MOVIES ?? 10_000);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,3').split(',').map(Number);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const YTS_RATE = String(process.env.BENCH_YTS_RATE ?? 5000);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT ?? 600) * 1000;
const MONTH = String(30 * 24 * 3600);

function movieInputs(count) {
  // The mirrors serve exactly these movies (torrents generated per IMDb id; some have none).
  return Array.from({ length: count }, (_, i) => ({
    imdbId: `tt${String(2_000_000 + i).padStart(7, '0')}`,
    title: `Bench Movie ${i}`,
    year: 1980 + (i % 45),
  }));
}

async function insertMovies(url, inputs) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    for (let i = 0; i < inputs.length; i += 1000) {
      const slice = inputs.slice(i, i + 1000);
      const values = slice
        .map((_, j) => `($${j * 3 + 1}, $${j * 3 + 2}, $${j * 3 + 3}, now(), now())`)
        .join(',');
      await pool.query(
        `INSERT INTO "Movie" ("tmdbId", "imdbId", "title", "syncedAt", "updatedAt") VALUES ${values}`,
        slice.flatMap((m, j) => [100_000 + i + j, m.imdbId, m.title]),
      );
    }
  } finally {
    await pool.end();
  }
}

/** One process, plain fetch at the workers' concurrency: the mirrors' own ceiling. */
async function baseline(url, inputs, seconds = 5) {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const lane = async (k) => {
    for (let i = k; Date.now() < until; i += CONCURRENCY) {
      const m = inputs[i % inputs.length];
      const res = await fetch(`${url}/list_movies.json?query_term=${m.imdbId}`);
      await res.json();
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, k) => lane(k)));
  return done / ((Date.now() - started) / 1000);
}

async function discoveryRun(workerCount, mirrors, inputs) {
  const cleanups = [];
  const later = (fn) => cleanups.unshift(fn);
  try {
    const db = await createTestDatabase();
    later(() => db.drop());
    await insertMovies(db.url, inputs);
    const prefix = `bench${randomBytes(4).toString('hex')}`;
    const redis = createRedis(need('REDIS_URL'), 'worker');
    later(() => redis.quit());
    // Only the jobs enqueued here run: the schedules stay unregistered.
    await redis.set(`${prefix}:lock:schedules`, 'bench', 'PX', 3_600_000);
    const queues = new Queues(redis, prefix);
    later(() => queues.close());
    const ids = inputs.map((_, i) => 100_000 + i);
    for (let i = 0; i < ids.length; i += 500) {
      await Promise.all(ids.slice(i, i + 500).map((tmdbId) => queues.enqueue('sources.search', { tmdbId })));
    }
    const env = testEnv(db.url, {
      LOG_LEVEL: 'warn',
      REDIS_PREFIX: prefix,
      YTS_MIRRORS: mirrors.urls.join(','),
      YTS_RATE_LIMIT: YTS_RATE,
      WORKER_QUEUES: 'sources',
      WORKER_CONCURRENCY: String(CONCURRENCY),
      SOURCE_SEARCH_SWEEP_INTERVAL: MONTH,
      HOUSEKEEPING_INTERVAL: MONTH,
    });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    later(() => pool.end());
    const started = Date.now();
    const workers = Array.from({ length: workerCount }, () => startProcess(WORKER, env, root));
    later(() => Promise.all(workers.map((w) => w.stop())));
    let searched = 0;
    while (searched < inputs.length) {
      if (Date.now() - started > TIMEOUT_MS) throw new Error(`timed out with ${searched} searched`);
      const dead = workers.find((w) => w.child.exitCode !== null);
      if (dead) throw new Error(`a worker exited:\n${dead.output()}`);
      await sleep(200);
      const { rows } = await pool.query(
        'SELECT count(*)::int AS n FROM "Movie" WHERE "sourceSearchedAt" IS NOT NULL',
      );
      searched = rows[0].n;
    }
    const seconds = (Date.now() - started) / 1000;
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM "MovieSource"');
    const failed = await queues.get('sources').getFailedCount();
    return { workers: workerCount, seconds, rate: inputs.length / seconds, sources: rows[0].n, failed };
  } finally {
    for (const fn of cleanups) await fn().catch(() => undefined);
  }
}

await runBench(async () => {
  const inputs = movieInputs(MOVIES);
  log(`starting 2 YTS stand-in mirrors with ${thousands(MOVIES)} movies, ${LATENCY_MS} ms added latency`);
  const mirrors = await startYtsMirrors({ count: 2, movies: inputs, seed: 7 });
  try {
    for (const m of mirrors.mirrors) m.mode('slow', { delayMs: LATENCY_MS });
    const ceiling = await baseline(mirrors.urls[0], inputs);
    log(`baseline: one process, plain HTTP at concurrency ${CONCURRENCY}: ${fixed(ceiling, 0)} requests/s`);
    const results = [];
    for (const count of WORKER_COUNTS) {
      log(`${count} worker(s): searching ${thousands(MOVIES)} movies…`);
      results.push(await discoveryRun(count, mirrors, inputs));
    }
    const one = results.find((r) => r.workers === 1);
    const rows = [
      ['workers', 'wall s', 'movies/s', 'per worker', 'vs 1 worker', 'sources', 'failed', 'goal'],
    ];
    for (const r of results) {
      const scale = one ? r.rate / one.rate : NaN;
      const ok = r.workers === 1 ? r.rate >= 100 : r.rate / r.workers >= 100 && scale >= 2.5;
      rows.push([
        r.workers,
        fixed(r.seconds),
        fixed(r.rate, 0),
        fixed(r.rate / r.workers, 0),
        `${fixed(scale, 2)}×`,
        thousands(r.sources),
        r.failed,
        verdict(ok),
      ]);
    }
    rows.push(['baseline', '', fixed(ceiling, 0), '', '', '', '', '']);
    printTable(rows);
  } finally {
    await mirrors.close();
  }
});

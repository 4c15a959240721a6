// Sync: 5,000 movies from the TMDB stand-in under a 200 req/s limit, with 1 and with 3 workers.
//
// The stand-in enforces the limit itself (429 + Retry-After beyond 200 requests in any sliding
// second, with its default 5% burst margin), so a request the workers' shared Redis limiter let
// through too early shows up as an escaped 429. For each worker count: a fresh database and Redis
// prefix (so no cached TMDB answers), the built worker processes serving the catalog queue only, and
// catalog.movie-sync enqueued for every stand-in movie; the clock stops when every movie has syncedAt.
// Goals (the issue): rate ≥ 90% of the limit, 0 escaped 429s.
//
// A control run follows: 3 workers against a limit low enough for them to saturate it (50 req/s),
// so the shared limiter is the bottleneck and "0 escaped" is tested where it is hard, not only where
// the workers never reach the limit. CPU used by every part (workers, Postgres backends, Redis, this
// process with the stand-in) is reported, to show what bounds the rate on this machine.
//
// Environment: BENCH_MOVIES (5000), BENCH_RATE_LIMIT (200), BENCH_WORKERS ("1,3"),
// BENCH_CONCURRENCY (50 jobs per worker process), BENCH_TIMEOUT (600 s per run),
// BENCH_CONTROL_LIMIT (50; 0 skips the control run), BENCH_NODE_OPTIONS (given to the workers).
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import pg from 'pg';
import { createRedis, Queues } from '../packages/queue/dist/index.js';
import {
  createTestDatabase,
  startProcess,
  startTmdbStandIn,
  testEnv,
} from '../packages/testkit/dist/index.js';
import {
  cpuSeconds,
  fixed,
  machineCpuSeconds,
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

const MOVIES = Number(process.env.BENCH_MOVIES ?? 5000);
const LIMIT = Number(process.env.BENCH_RATE_LIMIT ?? 200);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,3').split(',').map(Number);
const CONCURRENCY = String(process.env.BENCH_CONCURRENCY ?? 50);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT ?? 600) * 1000;
const CONTROL_LIMIT = Number(process.env.BENCH_CONTROL_LIMIT ?? 50);
const TODAY = '2026-06-15';
const MONTH = String(30 * 24 * 3600);

/** Requests per one-second bin from the first request, the busiest sliding second, and the mean rate. */
function rates(times) {
  if (!times.length) return { bins: [], steady: NaN, peak: 0, span: 0 };
  const first = times[0];
  const bins = [];
  for (const t of times) {
    const i = Math.floor((t - first) / 1000);
    bins[i] = (bins[i] ?? 0) + 1;
  }
  for (let i = 0; i < bins.length; i++) bins[i] ??= 0;
  // Steady state: the whole seconds between the ramp-up second and the last (partial) one.
  const middle = bins.length > 2 ? bins.slice(1, -1) : bins;
  const steady = middle.reduce((a, b) => a + b, 0) / middle.length;
  let peak = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi++) {
    while (times[lo] <= times[hi] - 1000) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return { bins, steady, peak, span: (times[times.length - 1] - first) / 1000 };
}

/** Redis's own CPU seconds so far. */
async function redisCpu(redis) {
  const info = await redis.info('cpu');
  const value = (key) => Number(new RegExp(`${key}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return value('used_cpu_user') + value('used_cpu_sys');
}

async function syncRun({ workers: workerCount, limit, movies }) {
  const cleanups = [];
  const later = (fn) => cleanups.unshift(fn);
  const standIn = await startTmdbStandIn({
    movies,
    shows: 0,
    today: TODAY,
    rateLimit: { perSecond: limit },
  });
  later(() => standIn.close());
  const db = await createTestDatabase();
  later(() => db.drop());
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const redis = createRedis(need('REDIS_URL'), 'worker');
  later(() => redis.quit());
  // Holding the schedule lock keeps the workers from registering (and at once running) the list,
  // changes and reference schedules: only the jobs enqueued here run.
  await redis.set(`${prefix}:lock:schedules`, 'bench', 'PX', 3_600_000);
  const queues = new Queues(redis, prefix);
  later(() => queues.close());
  const env = testEnv(db.url, {
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: prefix,
    TMDB_API_URL: standIn.url,
    TMDB_API_TOKEN: standIn.token,
    TMDB_RATE_LIMIT: String(limit),
    WORKER_QUEUES: 'catalog',
    WORKER_CONCURRENCY: CONCURRENCY,
    LIST_REFRESH_INTERVAL: MONTH,
    CHANGES_SYNC_INTERVAL: MONTH,
    REFERENCE_SYNC_INTERVAL: MONTH,
    SEASON_SWEEP_INTERVAL: MONTH,
    HOUSEKEEPING_INTERVAL: MONTH,
    // Say BENCH_NODE_OPTIONS="--import /abs/path/profile-hook.mjs" to profile the workers (Node refuses
    // --cpu-prof in NODE_OPTIONS; a hook can run node:inspector's Profiler instead).
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  });
  const workers = Array.from({ length: workerCount }, () => startProcess(WORKER, env, root));
  later(() => Promise.all(workers.map((w) => w.stop())));
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  later(() => pool.end());
  const catalog = queues.get('catalog');

  try {
    const ready = Date.now() + 30_000;
    while ((await catalog.getWorkersCount()) < workerCount) {
      const dead = workers.find((w) => w.child.exitCode !== null);
      if (dead) throw new Error(`a worker exited at start:\n${dead.output()}`);
      if (Date.now() > ready) throw new Error('the workers did not connect within 30 s');
      await sleep(100);
    }
    const cpuBefore = workers.map((w) => cpuSeconds(w.child.pid));
    const benchCpuBefore = process.cpuUsage();
    const redisCpuBefore = await redisCpu(redis);
    const machineCpuBefore = machineCpuSeconds();

    const ids = standIn.catalog.movieIds();
    const started = Date.now();
    for (let i = 0; i < ids.length; i += 500) {
      await Promise.all(
        ids.slice(i, i + 500).map((tmdbId) => queues.enqueue('catalog.movie-sync', { tmdbId })),
      );
    }
    const enqueuedMs = Date.now() - started;

    let synced = 0;
    let failed = 0;
    let finished;
    for (;;) {
      const { rows } = await pool.query(
        'SELECT count(*)::int AS n FROM "Movie" WHERE "syncedAt" IS NOT NULL',
      );
      synced = rows[0].n;
      if (synced >= ids.length) {
        finished = Date.now();
        break;
      }
      failed = (await catalog.getJobCounts('failed')).failed;
      if (synced + failed >= ids.length) break;
      if (Date.now() - started > TIMEOUT_MS) break;
      if (workers.every((w) => w.child.exitCode !== null)) throw new Error('every worker exited');
      await sleep(100);
    }
    const counts = await catalog.getJobCounts(
      'completed',
      'failed',
      'waiting',
      'active',
      'delayed',
      'prioritized',
    );
    const workerCpu = workers
      .map((w, i) => cpuSeconds(w.child.pid) - cpuBefore[i])
      .reduce((a, b) => a + b, 0);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const machineCpuS = machineCpuSeconds() - machineCpuBefore;
    const redisCpuS = (await redisCpu(redis)) - redisCpuBefore;
    // The workers' Postgres backends (connected during the run), while they are still there.
    const backends = await pool.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const postgresCpuS = backends.rows
      .map((b) => cpuSeconds(b.pid))
      .filter(Number.isFinite)
      .reduce((a, b) => a + b, 0);

    const requests = standIn.requestLog();
    const served = requests.filter((r) => r.status !== 429);
    const r = rates(served.map((q) => q.at));
    const sent = rates(requests.map((q) => q.at));
    const attemptFailures = workers
      .map((w) => (w.output().match(/job failed/g) ?? []).length)
      .reduce((a, b) => a + b, 0);
    const details = requests.filter((q) => /^\/movie\/\d+$/.test(q.path)).length;
    return {
      workers: workerCount,
      limit,
      movies,
      done: finished !== undefined,
      wallS: ((finished ?? Date.now()) - started) / 1000,
      enqueuedS: enqueuedMs / 1000,
      synced,
      requests: requests.length,
      served: served.length,
      detailRequests: details,
      otherRequests: requests.length - details,
      steady: r.steady,
      overall: r.span > 0 ? served.length / r.span : NaN,
      peak: r.peak,
      peakSent: sent.peak,
      bins: r.bins,
      escaped: standIn.rateLimited(),
      statuses: Object.entries(
        requests.reduce((acc, q) => ({ ...acc, [q.status]: (acc[q.status] ?? 0) + 1 }), {}),
      )
        .map(([s, n]) => `${s}×${n}`)
        .join(' '),
      jobsFailed: counts.failed,
      attemptFailures,
      leftover: counts.waiting + counts.active + counts.delayed + counts.prioritized,
      workerCpuS: workerCpu,
      postgresCpuS,
      redisCpuS,
      benchCpuS: (benchCpu.user + benchCpu.system) / 1e6,
      machineCpuS,
      output: workers.map((w) => w.output()).join(''),
    };
  } finally {
    for (const fn of cleanups) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`cleanup: ${String(err)}\n`);
      }
    }
  }
}

await runBench(async () => {
  need('TEST_TEMPLATE_DATABASE_URL');
  const runs = WORKER_COUNTS.map((workers) => ({ workers, limit: LIMIT, movies: MOVIES }));
  if (CONTROL_LIMIT > 0) {
    const workers = Math.max(...WORKER_COUNTS);
    runs.push({ workers, limit: CONTROL_LIMIT, movies: CONTROL_LIMIT * 30, control: true });
  }
  console.log(
    `\ncatalog-sync: ${thousands(MOVIES)} movies, stand-in limit ${LIMIT} req/s (sliding 1 s, +5% burst ` +
      `margin), worker concurrency ${CONCURRENCY}, workers ${WORKER_COUNTS.join(' and ')}; ${cpus().length} CPUs\n`,
  );
  const results = [];
  for (const run of runs) {
    const name = `${run.workers} worker${run.workers === 1 ? '' : 's'}, limit ${run.limit}`;
    log(`${name}: syncing ${thousands(run.movies)} movies …`);
    const result = await syncRun(run);
    results.push({ ...result, name: run.control ? `${name} (control)` : name });
    log(
      `${name}: ${result.done ? 'done' : 'NOT DONE'} in ${fixed(result.wallS)} s ` +
        `(enqueued in ${fixed(result.enqueuedS, 2)} s); stand-in statuses ${result.statuses}`,
    );
    log(`requests per second: ${result.bins.join(' ')}`);
    if (!result.done || result.jobsFailed || result.attemptFailures) {
      const lines = result.output.split('\n').filter(Boolean);
      log(`worker output (last 10 of ${lines.length} lines):\n${lines.slice(-10).join('\n')}`);
    }
  }

  const cores = cpus().length;
  const row = (label, f) => [label, ...results.map(f)];
  const cpuTotal = (r) => r.workerCpuS + r.postgresCpuS + r.redisCpuS + r.benchCpuS;
  console.log('');
  printTable([
    ['', ...results.map((r) => r.name)],
    row('limit (baseline), req/s', (r) => String(r.limit)),
    row('movies', (r) => thousands(r.movies)),
    row('ideal wall time (movies / limit), s', (r) => fixed(r.movies / r.limit)),
    row('wall time, s', (r) => `${fixed(r.wallS)}${r.done ? '' : ' (timeout)'}`),
    row('movies synced', (r) => thousands(r.synced)),
    row('requests served by the stand-in', (r) => thousands(r.served)),
    row('  of which /movie/{id}', (r) => thousands(r.detailRequests)),
    row('steady-state rate, req/s', (r) => fixed(r.steady)),
    row('rate over the whole run, req/s', (r) => fixed(r.overall)),
    row('steady rate, % of the limit', (r) => fixed((100 * r.steady) / r.limit)),
    row('busiest sliding second, served', (r) => String(r.peak)),
    row('busiest sliding second, sent (429s too)', (r) => String(r.peakSent)),
    row('429s escaped (stand-in refused)', (r) => String(r.escaped)),
    row('job attempts failed', (r) => String(r.attemptFailures)),
    row('jobs failed for good', (r) => String(r.jobsFailed)),
    row('CPU s: workers', (r) => fixed(r.workerCpuS)),
    row('CPU s: Postgres backends', (r) => fixed(r.postgresCpuS)),
    row('CPU s: Redis', (r) => fixed(r.redisCpuS)),
    row('CPU s: bench + stand-in', (r) => fixed(r.benchCpuS)),
    row('CPU s: anything else on the machine', (r) => fixed(Math.max(0, r.machineCpuS - cpuTotal(r)))),
    row(`CPUs busy, whole machine (of ${cores})`, (r) => fixed(r.machineCpuS / r.wallS, 2)),
    row('worker CPU per movie, ms', (r) => fixed((1000 * r.workerCpuS) / r.movies)),
    row('goal: rate ≥ 90% of the limit', (r) => verdict(r.done && r.steady >= 0.9 * r.limit)),
    row('goal: 0 escaped 429s', (r) => verdict(r.escaped === 0)),
  ]);
  console.log('');
  if (results.some((r) => !r.done)) throw new Error('a run did not finish within BENCH_TIMEOUT');
});

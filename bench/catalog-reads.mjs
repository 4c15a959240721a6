// Reads: 50,000 movies; /api/v1/movies and /api/v1/search under autocannon beside bare Express 5.
//
// The movies are written straight into a fresh database (bulk SQL, the TMDB stand-in's generated
// titles with accents, genres and four translations each, as catalog.movie-sync stores them). The
// built API runs as its own process (testkit's environment, LOG_LEVEL=warn, a general rate limit too
// high to bite), signed in as a user through the API; a worker serves the catalog queue so the
// catalog.search jobs every search enqueues complete against a TMDB stand-in holding the same titles.
// Each target is warmed up (every search query answered once with the TMDB part complete, then a
// short autocannon run) before the measured run. The baseline, a bare Express 5 app answering a small
// JSON document from a process of its own, is measured first and again last, in the same run.
// Goals (the issue): /movies p99 ≤ 25 ms and ≥ 40% of the bare route's req/s; search p95 ≤ 30 ms.
//
// Beside the figures it reports the CPU each request cost in every process (the server, its Postgres
// backends, Redis, autocannon itself) and whatever else ran on the machine meanwhile, and the
// Postgres time of the main statements, to show what bounds each target.
//
// Each API target is also run with one connection for 5 s: the latency of a request alone, apart
// from the time it queues behind the others.
//
// Environment: BENCH_DURATION (20 s per measured run), BENCH_WARMUP (3 s), BENCH_CONNECTIONS (50),
// BENCH_MOVIES (50000), BENCH_TARGETS (say "bare,movies": only those), BENCH_EXPLAIN=1 prints the
// query plans, BENCH_SQL: statements run after the seeding (say a candidate index, to try a migration
// before writing it), BENCH_API_PROFILE: a directory to write a CPU profile of the API process to
// (written when the bench stops it; the figures then include the profiler's own cost).
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { foldText } from '../packages/db/dist/search-text.js';
import { createRedis } from '../packages/queue/dist/index.js';
import {
  createTestDatabase,
  freePort,
  startProcess,
  startTmdbStandIn,
  testEnv,
  waitFor,
} from '../packages/testkit/dist/index.js';
import {
  API,
  cpuSeconds,
  fixed,
  machineCpuSeconds,
  log,
  need,
  onExit,
  printTable,
  root,
  runBench,
  thousands,
  verdict,
  WORKER,
} from './lib/common.mjs';
import { percentile, prng } from './lib/autocannon.mjs';
import { moviePaths, searchQueries } from './lib/catalog-requests.mjs';
import { seedMovies } from './lib/seed-movies.mjs';

const MOVIES = Number(process.env.BENCH_MOVIES ?? 50_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PROBE = Math.min(5, DURATION);
const TODAY = '2026-06-15';
const MONTH = String(30 * 24 * 3600);

/** Redis's own CPU seconds so far. */
async function redisCpu(redis) {
  const info = await redis.info('cpu');
  const value = (key) => Number(new RegExp(`${key}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return value('used_cpu_user') + value('used_cpu_sys');
}

/** CPU seconds so far of the server process, its Postgres backends, Redis, this process and the machine. */
async function cpuSnapshot({ serverPid, pool, redis }) {
  const { rows } = await pool.query(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const own = process.cpuUsage();
  return {
    server: cpuSeconds(serverPid),
    postgres: new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)])),
    redis: await redisCpu(redis),
    loadgen: (own.user + own.system) / 1e6,
    machine: machineCpuSeconds(),
  };
}

function cpuSpent(before, after) {
  let postgres = 0;
  for (const [pid, s] of after.postgres) {
    // A backend that ended between the listing and the read has no figure: left out.
    const was = before.postgres.get(pid) ?? 0;
    if (Number.isFinite(s) && Number.isFinite(was)) postgres += s - was;
  }
  const spent = {
    server: after.server - before.server,
    postgres,
    redis: after.redis - before.redis,
    loadgen: after.loadgen - before.loadgen,
    machine: after.machine - before.machine,
  };
  spent.other = Math.max(0, spent.machine - spent.server - spent.postgres - spent.redis - spent.loadgen);
  return spent;
}

/** One autocannon run; the latencies come from every response (autocannon's summary has no p95). */
async function load(url, { paths, headers = {}, duration, connections = CONNECTIONS }) {
  let i = 0;
  const latencies = [];
  const instance = autocannon({
    url,
    connections,
    duration,
    headers,
    requests: paths ? [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }] : undefined,
  });
  const statuses = {};
  instance.on('response', (_client, status, _bytes, ms) => {
    latencies.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
    total: result.requests.total,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    timeouts: result.timeouts,
    statuses,
  };
}

async function json(url, init) {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Postgres's own timing of the statements behind one typical request of each kind. */
async function explain(databaseUrl, q, print) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const time = async (label, sql, params = []) => {
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${sql}`, params);
      const lines = rows.map((r) => r['QUERY PLAN']);
      const ms = Number(/Execution Time: ([\d.]+)/.exec(lines.join('\n'))?.[1]);
      if (print) console.log(`\n  ${label}\n${lines.map((l) => `    ${l}`).join('\n')}`);
      return [label, fixed(ms, 2)];
    };
    await client.query("SET pg_trgm.word_similarity_threshold = '0.3'");
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const matching = `SELECT 'movie'::text AS kind, id, word_similarity($1, "searchText") AS score, popularity
      FROM "Movie" WHERE $1 <% "searchText" OR "searchText" LIKE $2`;
    return [
      await time(
        '/movies page 1 by popularity: the page',
        `SELECT id FROM "Movie" ORDER BY popularity DESC, id ASC LIMIT 20 OFFSET 0`,
      ),
      await time('/movies: the total (count)', `SELECT count(*) FROM "Movie"`),
      await time(
        `search "${q}": the page and its total (one pass)`,
        `SELECT kind, id, count(*) OVER () AS total FROM (${matching}) AS hits
         ORDER BY score DESC, popularity DESC NULLS LAST, kind, id LIMIT 20 OFFSET 0`,
        [q, like],
      ),
    ];
  } finally {
    await client.end();
  }
}

/** How many held titles each query matches (the rows search must score and count). */
async function matchCounts(databaseUrl, queries) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SET pg_trgm.word_similarity_threshold = '0.3'");
    const counts = [];
    for (const q of queries) {
      const q2 = foldText(q);
      const like = `%${q2.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const { rows } = await client.query(
        'SELECT count(*)::int AS n FROM "Movie" WHERE $1 <% "searchText" OR "searchText" LIKE $2',
        [q2, like],
      );
      counts.push(rows[0].n);
    }
    return counts.sort((a, b) => a - b);
  } finally {
    await client.end();
  }
}

await runBench(async () => {
  need('TEST_TEMPLATE_DATABASE_URL');
  console.log(
    `\ncatalog-reads: ${thousands(MOVIES)} movies, autocannon ${CONNECTIONS} connections, ` +
      `${DURATION} s per target (after ${WARMUP} s of warm-up)\n`,
  );
  const standIn = await startTmdbStandIn({ movies: MOVIES, shows: 0, today: TODAY });
  onExit(() => standIn.close());
  const genres = {};
  for (const lang of ['en', 'fr', 'de', 'es']) {
    genres[lang] = (
      await json(`${standIn.url}/genre/movie/list?language=${lang}`, {
        headers: { authorization: `Bearer ${standIn.token}` },
      })
    ).genres;
  }

  const db = await createTestDatabase();
  onExit(() => db.drop());
  let started = Date.now();
  const catalog = await seedMovies(db.url, { movies: MOVIES, today: TODAY, genres });
  log(
    `inserted ${thousands(MOVIES)} movies (+ ${thousands(MOVIES * 4)} translations) in ${fixed((Date.now() - started) / 1000)} s`,
  );
  if (process.env.BENCH_SQL) {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(process.env.BENCH_SQL);
    await client.query('ANALYZE');
    await client.end();
    log(`ran BENCH_SQL: ${process.env.BENCH_SQL}`);
  }

  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const redis = createRedis(need('REDIS_URL'), 'worker');
  onExit(() => redis.quit());
  await redis.set(`${prefix}:lock:schedules`, 'bench', 'PX', 3_600_000); // only the searches' jobs run
  const apiPort = await freePort();
  const env = testEnv(db.url, {
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: prefix,
    TMDB_API_URL: standIn.url,
    TMDB_API_TOKEN: standIn.token,
    RATE_LIMIT_PER_MINUTE: '100000000',
    ACCESS_TOKEN_TTL: '3600',
    WORKER_QUEUES: 'catalog',
    LIST_REFRESH_INTERVAL: MONTH,
    CHANGES_SYNC_INTERVAL: MONTH,
    REFERENCE_SYNC_INTERVAL: MONTH,
    SEASON_SWEEP_INTERVAL: MONTH,
    HOUSEKEEPING_INTERVAL: MONTH,
  });
  const worker = startProcess(WORKER, env, root);
  onExit(() => worker.stop());
  const apiEnv = { ...env, PORT: String(apiPort) };
  if (process.env.BENCH_API_PROFILE) {
    apiEnv.NODE_OPTIONS = `--import=${join(root, 'bench/lib/cpu-profile.mjs')}`;
    apiEnv.BENCH_PROFILE_DIR = process.env.BENCH_API_PROFILE;
  }
  const api = startProcess(API, apiEnv, root);
  onExit(() => api.stop());
  const barePort = await freePort();
  const bare = startProcess(
    join(root, 'bench/lib/bare-server.mjs'),
    { PATH: env.PATH, PORT: String(barePort) },
    root,
  );
  onExit(() => bare.stop());
  const base = `http://127.0.0.1:${apiPort}`;
  await waitFor(async () => (await fetch(`${base}/health/ready`)).ok, { timeoutMs: 30_000 }).catch((err) => {
    throw new Error(`the API did not get ready: ${err.message}\n${api.output()}`);
  });
  await waitFor(() => bare.output().includes('listening'), { timeoutMs: 10_000 });

  const credentials = { email: 'bench@example.com', password: 'correct horse battery staple' };
  await json(`${base}/api/v1/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...credentials, displayName: 'Bench' }),
  });
  const { accessToken } = await json(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  const headers = { authorization: `Bearer ${accessToken}` };

  const rnd = prng(42);
  const movies = moviePaths(
    2000,
    genres.en.map((g) => g.id),
    rnd,
  );
  const queries = searchQueries(catalog, 40, rnd);
  const searches = queries.map((q) => `/api/v1/search?q=${encodeURIComponent(q)}`);

  // Every query once until its TMDB part is complete, so the measured run is steady state.
  started = Date.now();
  for (const path of searches) {
    await waitFor(async () => (await json(`${base}${path}`, { headers })).tmdb === 'complete', {
      timeoutMs: 30_000,
    });
  }
  log(
    `search warm-up: ${queries.length} queries answered with TMDB complete in ${fixed((Date.now() - started) / 1000)} s`,
  );
  log(`queries: ${queries.map((q) => JSON.stringify(q)).join(' ')}`);
  const sample = await json(`${base}${movies[0]}`, { headers });
  if (sample.items.length !== 20 || sample.total !== MOVIES)
    throw new Error(`unexpected /movies answer: ${JSON.stringify(sample).slice(0, 300)}`);

  const targets = [
    {
      key: 'bare',
      label: 'bare Express 5 JSON (baseline)',
      url: `http://127.0.0.1:${barePort}/bare`,
      pid: bare.child.pid,
    },
    { key: 'movies', label: 'GET /api/v1/movies', url: base, paths: movies, headers, pid: api.child.pid },
    { key: 'search', label: 'GET /api/v1/search', url: base, paths: searches, headers, pid: api.child.pid },
    {
      key: 'bare2',
      label: 'bare Express 5 JSON (again, last)',
      url: `http://127.0.0.1:${barePort}/bare`,
      pid: bare.child.pid,
    },
  ];
  const only = process.env.BENCH_TARGETS?.split(',');
  if (only)
    targets.splice(0, targets.length, ...targets.filter((t) => only.some((o) => t.key.startsWith(o))));
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  onExit(() => pool.end());
  const results = {};
  for (const t of targets) {
    if (WARMUP > 0) await load(t.url, { ...t, duration: WARMUP });
    log(`${t.label}: ${DURATION} s …`);
    const before = await cpuSnapshot({ serverPid: t.pid, pool, redis });
    const result = await load(t.url, { ...t, duration: DURATION });
    result.cpu = cpuSpent(before, await cpuSnapshot({ serverPid: t.pid, pool, redis }));
    results[t.key] = result;
    // One connection: what a request costs alone, without waiting behind the other 49.
    if (t.paths) result.alone = await load(t.url, { ...t, duration: PROBE, connections: 1 });
  }

  const bareRuns = [results.bare, results.bare2].filter(Boolean);
  const bareRps = bareRuns.reduce((a, r) => a + r.rps, 0) / bareRuns.length;
  const row = (label, r) => [
    label,
    thousands(r.rps),
    fixed(r.p50, 1),
    fixed(r.p95, 1),
    fixed(r.p99, 1),
    fixed(r.max, 0),
    `${fixed((100 * r.rps) / bareRps)}%`,
    thousands(r.total),
    String(r.non2xx + r.errors),
  ];
  console.log('');
  printTable([
    ['target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'of bare', 'requests', 'non-2xx/errors'],
    ...targets.map((t) => row(t.label, results[t.key])),
  ]);
  console.log('');
  const none = { rps: NaN, p95: NaN, p99: NaN, non2xx: 0, errors: 0 };
  const m = results.movies ?? none;
  const s = results.search ?? none;
  printTable([
    ['goal', 'measured', 'verdict'],
    ['/movies p99 ≤ 25 ms', `${fixed(m.p99, 1)} ms`, verdict(m.p99 <= 25)],
    [
      '/movies ≥ 40% of the bare route’s req/s',
      `${fixed((100 * m.rps) / bareRps)}%`,
      verdict(m.rps >= 0.4 * bareRps),
    ],
    ['search p95 ≤ 30 ms', `${fixed(s.p95, 1)} ms`, verdict(s.p95 <= 30)],
  ]);

  console.log(
    `\n  One connection at a time (${PROBE} s each): the latency of a request that waits for no other`,
  );
  printTable([
    ['target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms'],
    ...targets
      .filter((t) => results[t.key].alone)
      .map((t) => {
        const a = results[t.key].alone;
        return [t.label, thousands(a.rps), fixed(a.p50, 1), fixed(a.p95, 1), fixed(a.p99, 1)];
      }),
  ]);

  console.log(
    '\n  CPU per request, ms (where the time goes; "other" is everything else on the machine meanwhile):',
  );
  const perRequest = (r, k) => fixed((1000 * r.cpu[k]) / r.total, 2);
  printTable([
    ['target', 'server', 'Postgres', 'Redis', 'autocannon', 'other', `CPUs busy (of ${cpus().length})`],
    ...targets.map((t) => {
      const r = results[t.key];
      return [
        t.label,
        ...['server', 'postgres', 'redis', 'loadgen', 'other'].map((k) => perRequest(r, k)),
        fixed(r.cpu.machine / DURATION, 2),
      ];
    }),
  ]);

  const counts = await matchCounts(db.url, queries);
  console.log(
    `\n  titles each search query matches (of ${thousands(MOVIES)}): median ${counts[counts.length >> 1]}, ` +
      `p90 ${percentile(counts, 90)}, max ${counts[counts.length - 1]}`,
  );
  const typical = queries[queries.length >> 1];
  console.log('\n  Postgres execution time of the main statements (EXPLAIN ANALYZE, one call each):');
  printTable([
    ['statement', 'ms'],
    ...(await explain(db.url, foldText(typical), process.env.BENCH_EXPLAIN === '1')),
  ]);
  console.log('');
  for (const t of targets) {
    const r = results[t.key];
    if (r.non2xx + r.errors > 0)
      console.log(
        `  ${t.label}: statuses ${JSON.stringify(r.statuses)}, ${r.errors} errors (${r.timeouts} timeouts)`,
      );
  }
  if (m.non2xx + m.errors + s.non2xx + s.errors > 0) {
    const lines = api.output().split('\n').filter(Boolean);
    console.log(`  API output (last 5 of ${lines.length} lines):\n${lines.slice(-5).join('\n')}`);
  }
});

// Load: login, /movies, search and stream-URL creation under autocannon, with 1 and then 2 API processes.
//
// One world for every run: BENCH_MOVIES movies written straight into a fresh database (the TMDB
// stand-in's generated titles, as bench/lib/seed-movies.mjs writes them), a worker serving the
// catalog, sources and swarm queues against the TMDB and YTS stand-ins, the streamer with a tracker
// stand-in and testkit's seeder seeding BENCH_STREAM_MOVIES small test torrents (each the only source
// a YTS stand-in movie lists), and two built API processes sharing the database, Redis, the secrets
// and REDIS_PREFIX (testEnv's environment, LOG_LEVEL=warn, both rate limits far too high to bite,
// BCRYPT_COST as in production). BENCH_USERS users are created through the API.
// Targets, BENCH_CONNECTIONS connections each:
//   login   POST /api/v1/auth/login, the email cycling over the users. bcrypt dominates: bcryptjs (pure
//           JavaScript) at cost 12 takes about 0.4 s of CPU a login, and an API process interleaves
//           the hashes in flight, so each login takes about (connections ÷ processes) × that. Hence
//           BENCH_LOGIN_AMOUNT logins (2 × connections) instead of a duration — a 30 s window would
//           end before the first round of 100 answers came back — with a request timeout of
//           BENCH_LOGIN_TIMEOUT s (120) instead of autocannon's 10 s, and no warm-up;
//   movies  GET /api/v1/movies, pages and filters as people browse (bench/lib/catalog-requests.mjs);
//   search  GET /api/v1/search?q=, 40 queries as people type them, each answered once with its TMDB
//           part complete before the runs (steady state);
//   stream  POST /api/v1/movies/:tmdbId/stream over the stream movies, each played once before the
//           runs: the streamer then holds the torrent, so a request is the API's source ranking, a
//           stream-token row and one internal prepare call to the streamer.
// 2 processes: two autocannon instances of half the connections each, one per API process, run at
// once in this process and summed (req/s added, latencies merged). That is a balancer spreading
// connections evenly, without a proxy in between: on a 2-core machine a proxy process would take CPU
// from the very processes measured, and the load generator is the same single event loop in both
// cases. Each measured run follows BENCH_WARMUP s of the same load (login aside).
// Figures: req/s, p50/p99 latency, non-2xx and errors (timeouts included) per target and process
// count, the 2/1 ratio, and the CPU seconds each process used meanwhile: the API processes,
// Postgres (every process of the server: backends, parallel workers, autovacuum), Redis, the
// streamer, the worker, autocannon (this process) and the rest of the machine ("other": mostly work outside the bench, on a shared machine). "CPU ceiling" is
// the CPUs the rest of the machine left during the 2-process run over the CPUs the bench's processes
// took with one: the most a second API can give when a request costs the same CPU wherever it runs.
// Goals (the issue): no errors (every non-2xx is one: none is expected here); 2 processes ≥ 1.7×
// one where CPU allows, else the bound is said.
//
// Environment: BENCH_DURATION (30 s per measured run), BENCH_WARMUP (3 s), BENCH_CONNECTIONS (100),
// BENCH_MOVIES (10000), BENCH_USERS (20), BENCH_BCRYPT_COST (12), BENCH_LOGIN_AMOUNT (2 × connections),
// BENCH_LOGIN_TIMEOUT (120 s), BENCH_LOGIN_CAP (300 s: a login run is stopped after), BENCH_STREAM_MOVIES
// (5), BENCH_TARGETS (say "movies,search": only those), BENCH_PROCESSES ("1,2"), BENCH_DB_POOL
// (DATABASE_POOL_SIZE of every process, 10).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createRedis } from '../packages/queue/dist/index.js';
import {
  createTestDatabase,
  freePort,
  makeTestTorrent,
  serveTestTorrents,
  startProcess,
  startSeeder,
  startTmdbStandIn,
  startTrackerStandIn,
  startYtsMirrors,
  testEnv,
  waitFor,
  ytsMoviesFromTmdb,
} from '../packages/testkit/dist/index.js';
import { prng, runSpread } from './lib/autocannon.mjs';
import { moviePaths, searchQueries } from './lib/catalog-requests.mjs';
import {
  API,
  fixed,
  log,
  need,
  onExit,
  printTable,
  root,
  runBench,
  STREAMER,
  thousands,
  verdict,
  WORKER,
} from './lib/common.mjs';
import { cpuSnapshot, cpuSpent } from './lib/cpu.mjs';
import { seedMovies } from './lib/seed-movies.mjs';

const MOVIES = Number(process.env.BENCH_MOVIES ?? 10_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const USERS = Number(process.env.BENCH_USERS ?? 20);
const BCRYPT_COST = process.env.BENCH_BCRYPT_COST ?? '12';
const LOGIN_AMOUNT = Number(process.env.BENCH_LOGIN_AMOUNT ?? 2 * CONNECTIONS);
const LOGIN_TIMEOUT = Number(process.env.BENCH_LOGIN_TIMEOUT ?? 120);
const LOGIN_CAP = Number(process.env.BENCH_LOGIN_CAP ?? 300);
const STREAM_MOVIES = Number(process.env.BENCH_STREAM_MOVIES ?? 5);
const PROCESSES = (process.env.BENCH_PROCESSES ?? '1,2').split(',').map(Number);
const TODAY = '2026-06-15';
const MONTH = String(30 * 24 * 3600);
const PASSWORD = 'correct horse battery staple';
const CORES = cpus().length;
const { AbortSignal } = globalThis;

async function json(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

const post = (body, headers = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** A process that must answer `path` before a deadline; its output says why not. */
async function ready(proc, url, what) {
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error('it exited');
      return (await fetch(url, { signal: AbortSignal.timeout(5000) })).ok;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  ).catch((err) => {
    throw new Error(`${what} did not get ready: ${err.message}\n${proc.output().slice(-3000)}`);
  });
}

/** n split as evenly as possible into k whole parts, the larger first. */
const split = (n, k) => Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));

await runBench(async () => {
  need('TEST_TEMPLATE_DATABASE_URL');
  need('REDIS_URL');
  console.log(
    `\nload: ${thousands(MOVIES)} movies, autocannon ${CONNECTIONS} connections, ${DURATION} s per run ` +
      `(after ${WARMUP} s of warm-up), API processes ${PROCESSES.join(' then ')}, bcrypt cost ${BCRYPT_COST}, ` +
      `${CORES} CPUs\n`,
  );
  const work = mkdtempSync(join(tmpdir(), 'cinenest-load-bench-'));
  onExit(() => rmSync(work, { recursive: true, force: true }));

  // The catalog: the TMDB stand-in and the same movies in the database; YTS lists them all.
  const standIn = await startTmdbStandIn({ movies: MOVIES, shows: 0, today: TODAY });
  onExit(() => standIn.close());
  const genres = {};
  for (const lang of ['en', 'fr', 'de', 'es'])
    genres[lang] = (
      await json(`${standIn.url}/genre/movie/list?language=${lang}`, {
        headers: { authorization: `Bearer ${standIn.token}` },
      })
    ).genres;
  const db = await createTestDatabase();
  onExit(() => db.drop());
  let started = Date.now();
  const catalog = await seedMovies(db.url, { movies: MOVIES, today: TODAY, genres });
  log(`inserted ${thousands(MOVIES)} movies in ${fixed((Date.now() - started) / 1000)} s`);
  const yts = await startYtsMirrors({ count: 1, movies: ytsMoviesFromTmdb(standIn.catalog, { share: 1 }) });
  onExit(() => yts.close());

  // The stream movies: the most popular YTS lists, each listing one small seeded torrent.
  const tracker = await startTrackerStandIn();
  onExit(() => tracker.close());
  const streamMovies = catalog
    .allMovies()
    .filter((m) => m.imdbId && yts.catalog.byImdb(m.imdbId))
    .sort((a, b) => b.popularity - a.popularity)
    .slice(0, STREAM_MOVIES);
  const torrents = [];
  for (const [i, m] of streamMovies.entries()) {
    const torrent = await makeTestTorrent({
      files: [{ path: `load-${i}.mp4`, size: 2 * 1024 * 1024 }],
      pieceLength: 256 * 1024,
      seed: `cinenest-load-bench:${i}`,
    });
    serveTestTorrents(yts, m.imdbId, [
      { torrent, quality: '1080p', type: 'web', video_codec: 'x264', is_repack: '0', seeds: 10, peers: 0 },
    ]);
    tracker.setSwarm(torrent.infoHash, { complete: 10, incomplete: 0 });
    torrents.push(torrent);
  }
  const seeder = await startSeeder({
    torrents,
    announce: [tracker.httpAnnounce],
    dir: join(work, 'seeder'),
    timeoutMs: 60_000,
  });
  onExit(() => seeder.stop());
  log(`seeding ${torrents.length} test torrents for movies ${streamMovies.map((m) => m.id).join(', ')}`);

  // The processes: streamer, worker, two APIs, one environment (secrets, REDIS_PREFIX) for all.
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const redis = createRedis(need('REDIS_URL'), 'worker');
  onExit(() => redis.quit());
  onExit(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  // No schedules (lists, sweeps, scrapes): the worker runs only the jobs the requests ask for.
  await redis.set(`${prefix}:lock:schedules`, 'bench', 'PX', 3_600_000);
  const apiPorts = [await freePort(), await freePort()];
  const streamerPort = await freePort();
  const bases = apiPorts.map((p) => `http://127.0.0.1:${p}`);
  const streamerBase = `http://127.0.0.1:${streamerPort}`;
  const env = testEnv(db.url, {
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: prefix,
    TMDB_API_URL: standIn.url,
    TMDB_API_TOKEN: standIn.token,
    TMDB_RATE_LIMIT: '500',
    YTS_MIRRORS: yts.urls.join(','),
    YTS_RATE_LIMIT: '1000',
    TRACKERS: tracker.httpAnnounce,
    BCRYPT_COST,
    DATABASE_POOL_SIZE: process.env.BENCH_DB_POOL ?? '10',
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000000',
    RATE_LIMIT_PER_MINUTE: '100000000',
    ACCESS_TOKEN_TTL: '3600',
    PUBLIC_URL: bases[0],
    STREAMER_PORT: String(streamerPort),
    STREAMER_URL: streamerBase,
    STREAMER_SECRET: randomBytes(48).toString('base64url'),
    DATA_DIR: join(work, 'data'),
    STORAGE_DIR: join(work, 'torrents'),
    STREAM_SOURCE_TIMEOUT: '30',
    TORRENT_DHT: 'false',
    TORRENT_PORT: '0',
    TORRENT_IDLE_TIMEOUT: '3600',
    MAX_ACTIVE_TORRENTS: String(Math.max(5, STREAM_MOVIES + 2)),
    MIN_FREE_DISK: '0',
    WORKER_QUEUES: 'catalog,sources,swarm',
    LIST_REFRESH_INTERVAL: MONTH,
    CHANGES_SYNC_INTERVAL: MONTH,
    REFERENCE_SYNC_INTERVAL: MONTH,
    SEASON_SWEEP_INTERVAL: MONTH,
    HOUSEKEEPING_INTERVAL: MONTH,
  });
  const streamer = startProcess(STREAMER, env, root);
  onExit(() => streamer.stop());
  const worker = startProcess(WORKER, env, root);
  onExit(() => worker.stop());
  const apis = apiPorts.map((port) => {
    const api = startProcess(API, { ...env, PORT: String(port) }, root);
    onExit(() => api.stop());
    return api;
  });
  await Promise.all([
    ready(streamer, `${streamerBase}/health/live`, 'the streamer'),
    ...apis.map((api, i) => ready(api, `${bases[i]}/health/ready`, `API ${i + 1}`)),
  ]);

  // The users: an admin, then BENCH_USERS users created through both APIs (bcrypt at the bench's cost).
  started = Date.now();
  await json(`${bases[0]}/api/v1/auth/setup`, post({ email: 'admin@load.test', password: PASSWORD }));
  const admin = await json(
    `${bases[0]}/api/v1/auth/login`,
    post({ email: 'admin@load.test', password: PASSWORD }),
  );
  const emails = Array.from({ length: USERS }, (_, i) => `viewer${i}@load.test`);
  await Promise.all(
    emails.map((email, i) =>
      json(
        `${bases[i % 2]}/api/v1/users`,
        post({ email, password: PASSWORD }, { authorization: `Bearer ${admin.accessToken}` }),
      ),
    ),
  );
  const { accessToken } = await json(
    `${bases[0]}/api/v1/auth/login`,
    post({ email: emails[0], password: PASSWORD }),
  );
  const auth = { authorization: `Bearer ${accessToken}` };
  log(`created ${USERS} users in ${fixed((Date.now() - started) / 1000)} s`);

  // Warm-up of what a first request starts: each search's TMDB part, each stream movie's sources.
  const rnd = prng(42);
  const movies = moviePaths(
    2000,
    genres.en.map((g) => g.id),
    rnd,
    { pages: Math.max(1, Math.floor(MOVIES / 20)) },
  );
  const queries = searchQueries(catalog, 40, rnd);
  const searches = queries.map((q) => `/api/v1/search?q=${encodeURIComponent(q)}`);
  started = Date.now();
  for (const path of searches)
    await waitFor(async () => (await json(`${bases[0]}${path}`, { headers: auth })).tmdb === 'complete', {
      timeoutMs: 30_000,
    });
  log(
    `search warm-up: ${queries.length} queries with TMDB complete in ${fixed((Date.now() - started) / 1000)} s`,
  );
  started = Date.now();
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  onExit(() => pool.end());
  for (const m of streamMovies) {
    await waitFor(
      async () => {
        const res = await fetch(`${bases[0]}/api/v1/movies/${m.id}/sources`, {
          headers: auth,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (res.status !== 200) return false;
        const { rows } = await pool.query(
          `SELECT count(*)::int AS n FROM "MovieSource" s JOIN "Movie" m ON m.id = s."movieId"
           WHERE m."tmdbId" = $1 AND s."metadataStatus" = 'READY'`,
          [m.id],
        );
        return rows[0].n > 0;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    ).catch((err) => {
      throw new Error(
        `the sources of movie ${m.id} are not ready: ${err.message}\n${worker.output().slice(-3000)}`,
      );
    });
    const played = await json(`${bases[0]}/api/v1/movies/${m.id}/stream`, post({}, auth));
    if (typeof played?.streamUrl !== 'string') throw new Error(`no streamUrl: ${JSON.stringify(played)}`);
  }
  log(
    `stream warm-up: ${streamMovies.length} movies searched, fetched and played in ${fixed((Date.now() - started) / 1000)} s`,
  );

  const targets = [
    {
      key: 'login',
      label: `POST /auth/login (bcrypt ${BCRYPT_COST})`,
      requests: emails.map((email) => ({
        method: 'POST',
        path: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      })),
      amount: LOGIN_AMOUNT,
      timeout: LOGIN_TIMEOUT,
    },
    { key: 'movies', label: 'GET /movies', requests: movies.map((path) => ({ path })), headers: auth },
    { key: 'search', label: 'GET /search', requests: searches.map((path) => ({ path })), headers: auth },
    {
      key: 'stream',
      label: 'POST /movies/:id/stream',
      requests: streamMovies.map((m) => ({
        method: 'POST',
        path: `/api/v1/movies/${m.id}/stream`,
        body: '{}',
      })),
      headers: { ...auth, 'content-type': 'application/json' },
    },
  ];
  const only = process.env.BENCH_TARGETS?.split(',');
  if (only)
    targets.splice(0, targets.length, ...targets.filter((t) => only.some((o) => t.key.startsWith(o))));

  const pids = {
    api1: apis[0].child.pid,
    api2: apis[1].child.pid,
    streamer: streamer.child.pid,
    worker: worker.child.pid,
  };
  const spread = (t, n, overrides) => {
    const conns = split(CONNECTIONS, n);
    const amounts = t.amount ? split(t.amount, n) : [];
    return runSpread(
      conns.map((connections, i) => ({
        url: bases[i],
        requests: t.requests,
        headers: t.headers,
        connections,
        timeout: t.timeout,
        ...(t.amount
          ? { amount: Math.max(amounts[i], connections), capSeconds: LOGIN_CAP }
          : { duration: DURATION }),
        ...overrides,
      })),
    );
  };
  const results = {};
  for (const t of targets) {
    for (const n of PROCESSES) {
      if (!t.amount && WARMUP > 0) await spread(t, n, { duration: WARMUP });
      log(
        `${t.label}, ${n} API process${n > 1 ? 'es' : ''}: ${t.amount ? `${t.amount} requests` : `${DURATION} s`} …`,
      );
      const before = await cpuSnapshot({ pids, pool, redis });
      const result = await spread(t, n);
      result.cpu = cpuSpent(before, await cpuSnapshot({ pids, pool, redis }));
      results[`${t.key}:${n}`] = result;
      log(
        `  ${thousands(result.rps)} req/s, p50 ${fixed(result.p50, 0)} ms, p99 ${fixed(result.p99, 0)} ms, ` +
          `${result.non2xx} non-2xx, ${result.errors} errors`,
      );
    }
  }

  // Figures.
  const ratio = (t) => results[`${t.key}:2`]?.rps / results[`${t.key}:1`]?.rps;
  console.log('');
  const rows = [
    ['target', 'APIs', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'non-2xx', 'errors', '2/1'],
  ];
  for (const t of targets)
    for (const n of PROCESSES) {
      const r = results[`${t.key}:${n}`];
      rows.push([
        t.label,
        n,
        r.rps >= 100 ? thousands(r.rps) : fixed(r.rps, 1),
        fixed(r.p50, r.p50 >= 100 ? 0 : 1),
        fixed(r.p99, r.p99 >= 100 ? 0 : 1),
        fixed(r.max, 0),
        thousands(r.total),
        r.non2xx,
        r.errors,
        n === 2 ? `${fixed(ratio(t), 2)}×` : '',
      ]);
    }
  printTable(rows);

  console.log(
    `\n  CPU seconds during each measured run ("other": everything else on the machine meanwhile; ` +
      `"busy": CPUs busy of ${CORES}):`,
  );
  const cpuRows = [
    [
      'target',
      'APIs',
      'wall s',
      'API 1',
      'API 2',
      'Postgres',
      'Redis',
      'streamer',
      'worker',
      'autocannon',
      'other',
      'busy',
      'API ms/req',
    ],
  ];
  for (const t of targets)
    for (const n of PROCESSES) {
      const r = results[`${t.key}:${n}`];
      const c = r.cpu;
      cpuRows.push([
        t.label,
        n,
        fixed(r.seconds, 1),
        fixed(c.processes.api1, 1),
        fixed(c.processes.api2, 1),
        fixed(c.postgres, 1),
        fixed(c.redis, 1),
        fixed(c.processes.streamer, 1),
        fixed(c.processes.worker, 1),
        fixed(c.loadgen, 1),
        fixed(c.other, 1),
        fixed(c.machine / r.seconds, 2),
        fixed((1000 * (c.processes.api1 + c.processes.api2)) / r.total, 2),
      ]);
    }
  printTable(cpuRows);

  // Verdicts, and what bounds the ratio where it falls short.
  const goals = [['goal', 'target', 'measured', 'verdict']];
  const bounds = [];
  for (const t of targets) {
    const bad = PROCESSES.map((n) => results[`${t.key}:${n}`]).reduce((k, r) => k + r.non2xx + r.errors, 0);
    goals.push(['no errors (non-2xx counted)', t.label, String(bad), verdict(bad === 0)]);
    if (!(PROCESSES.includes(1) && PROCESSES.includes(2))) continue;
    const k = ratio(t);
    const one = results[`${t.key}:1`];
    const two = results[`${t.key}:2`];
    // The CPU the rest of the machine left with 2 APIs, over what the bench's processes took with one.
    const own1 = (one.cpu.machine - one.cpu.other) / one.seconds;
    const left2 = CORES - two.cpu.other / two.seconds;
    const ceiling = left2 / own1;
    goals.push([
      '2 APIs ≥ 1.7× one',
      t.label,
      `${fixed(k, 2)}× (CPU ceiling ${fixed(ceiling, 2)}×)`,
      verdict(k >= 1.7),
    ]);
    if (k < 1.7) {
      const busy = two.cpu.machine / two.seconds;
      const share = (s) => `${fixed(s / two.seconds, 2)}`;
      const c = two.cpu;
      const parts = [
        ['the APIs', c.processes.api1 + c.processes.api2],
        ['autocannon', c.loadgen],
        ['Postgres', c.postgres],
        ['Redis', c.redis],
        ['the streamer', c.processes.streamer],
        ['the worker', c.processes.worker],
        ['other work on the machine', c.other],
      ]
        .filter(([, s]) => s / two.seconds >= 0.01)
        .sort((a, b) => b[1] - a[1])
        .map(([name, s]) => `${name} ${share(s)}`)
        .join(', ');
      bounds.push(
        busy >= 0.85 * CORES
          ? `${t.label}: CPU-bound. With 2 APIs the machine was busy ${fixed(busy, 2)} of ${CORES} CPUs ` +
              `(${parts}); the bench's processes took ${fixed(own1, 2)} CPUs with one API and the rest of ` +
              `the machine left ${fixed(left2, 2)}, so a second API could give at most ${fixed(ceiling, 2)}×.`
          : `${t.label}: not CPU-bound (${fixed(busy, 2)} of ${CORES} CPUs busy: ${parts}); the limit is ` +
              `elsewhere (waits on Postgres, the streamer, the load generator's event loop).`,
      );
    }
  }
  console.log('');
  printTable(goals);
  if (bounds.length)
    console.log(`\n  What bounds the 2/1 ratio:\n${bounds.map((b) => `    ${b}`).join('\n')}`);
  const failed = Object.entries(results).filter(([, r]) => r.non2xx + r.errors > 0);
  for (const [key, r] of failed)
    console.log(
      `  ${key}: statuses ${JSON.stringify(r.statuses)}, ${r.errors} errors (${r.timeouts} timeouts)`,
    );
  if (failed.length)
    for (const [i, api] of apis.entries()) {
      // Each distinct complaint once, without its time and request id.
      const distinct = new Map();
      for (const line of api.output().split('\n').filter(Boolean)) {
        const key = line.replace(/^\S+\s+/, '').replace(/"requestId":"[^"]+"/, '');
        distinct.set(key, (distinct.get(key) ?? 0) + 1);
      }
      const top = [...distinct].slice(0, 6).map(([line, n]) => `    ${n} × ${line.slice(0, 400)}`);
      console.log(
        `  API ${i + 1} output, distinct lines (first ${top.length} of ${distinct.size}):\n${top.join('\n')}`,
      );
    }
  console.log(
    '\n  The figures are from a shared machine: whatever else ran meanwhile shows as "other" above.',
  );
});

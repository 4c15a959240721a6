// Tracker stats: 10,000 sources scraped against a local tracker stand-in by the built worker (goal ≤ 30 s).
//
// A fresh database gets 2,500 movies with four sources each, their info-hashes encrypted with the
// worker's keys (packages/secrets, as sources.search stores them) and every one due. A tracker
// stand-in (bittorrent-tracker's Server on loopback, HTTP and UDP) knows a seeder/leecher count for
// each hash; the worker's TRACKERS are its HTTP and its UDP address, so every batch is scraped over
// both protocols. The built worker process(es) serve the 'swarm' and 'sources' queues with
// DISABLE_VPN_CHECK=true. The schedule lock is held so that no other schedule runs; the clock starts
// when the bench registers the sources.stats-sweep scheduler (every BENCH_SWEEP_INTERVAL, 1 s) and
// stops when every source has lastStatsCheck. The stored counts are then compared with the stand-in's.
// A sweep hands out at most 5,000 sources, so 10,000 take two sweeps: at the default
// STATS_SWEEP_INTERVAL (60 s) the wall time is the interval's, not the scraping's
// (BENCH_SWEEP_INTERVAL=60 shows it).
//
// Baseline, measured in the same run before the workers start, from this process with the same
// client library: one scrape of 200 hashes over HTTP and one of 74 over UDP, each timed alone
// (median of 7), extrapolated to the requests 10,000 sources need one after another (no database, no
// queue); and one single-hash scrape, extrapolated to one request per source per tracker — what
// scraping without batching would cost.
//
// Environment: BENCH_SOURCES (10000), BENCH_WORKERS (1), BENCH_CONCURRENCY (10 jobs per worker),
// BENCH_SWEEP_INTERVAL (1 s), BENCH_TIMEOUT (300 s), BENCH_NODE_OPTIONS (given to the workers).
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { Client } from 'bittorrent-tracker';
import pg from 'pg';
import { createRedis, DEFAULT_JOB_OPTIONS, Queues } from '../packages/queue/dist/index.js';
import { Cipher, parseKeyring } from '../packages/secrets/dist/index.js';
import {
  createTestDatabase,
  startProcess,
  startTrackerStandIn,
  testEnv,
} from '../packages/testkit/dist/index.js';
import {
  cpuSeconds,
  fixed,
  log,
  machineCpuSeconds,
  need,
  onExit,
  printTable,
  root,
  runBench,
  sleep,
  thousands,
  verdict,
  WORKER,
} from './lib/common.mjs';

const SOURCES = Number(process.env.BENCH_SOURCES ?? 10_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const CONCURRENCY = String(process.env.BENCH_CONCURRENCY ?? 10);
const SWEEP_MS = Number(process.env.BENCH_SWEEP_INTERVAL ?? 1) * 1000;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT ?? 300) * 1000;
const GOAL_S = 30;
const PER_MOVIE = 4;
const BATCH = 200; // what the sweep hands one sources.stats job
const UDP_MAX = 74; // hashes per UDP scrape (BEP 15)
const SWEEP_LIMIT = 5000; // sources one sweep hands out (STATS_SWEEP_LIMIT)
const DEFAULT_SWEEP_S = 60; // STATS_SWEEP_INTERVAL's default
const MONTH = String(30 * 24 * 3600);

/** One scrape with bittorrent-tracker's client, timed; resolves with ms and how many hashes came back. */
function timedScrape(announce, hashes) {
  const udp = announce.startsWith('udp:');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const timer = setTimeout(() => reject(new Error(`baseline scrape of ${announce} timed out`)), 10_000);
    Client.scrape(
      { announce, infoHash: udp ? hashes.map((h) => Buffer.from(h, 'hex')) : hashes },
      (err, results) => {
        clearTimeout(timer);
        if (err) return reject(err);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        resolve({ ms, answered: hashes.length === 1 ? 1 : Object.keys(results).length });
      },
    );
  });
}

async function median(times, fn) {
  const ms = [];
  for (let i = 0; i < times; i++) ms.push((await fn()).ms);
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)];
}

/** 2,500 bare movies (title, runtime) and four due sources each, hashes sealed with the worker's keys. */
async function seed(client, cipher, hashes) {
  const movies = Math.ceil(hashes.length / PER_MOVIE);
  const { rows } = await client.query(
    `INSERT INTO "Movie" ("tmdbId", title, runtime, "syncedAt", "updatedAt")
     SELECT 500000 + g, 'Bench movie ' || g, 90 + g % 60, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
     FROM generate_series(1, $1::int) AS g
     RETURNING id`,
    [movies],
  );
  const movieIds = rows.map((r) => r.id);
  const qualities = ['720p', '1080p', '1080p', '2160p'];
  const mbPerMinute = { '720p': 9, '1080p': 16, '2160p': 45 };
  for (let i = 0; i < hashes.length; i += 2500) {
    const part = hashes.slice(i, i + 2500);
    const col = (f) => part.map((h, j) => f(h, i + j));
    await client.query(
      `INSERT INTO "MovieSource" ("movieId", provider, "hashLookup", "infoHashEnc", "magnetEnc", quality, codec,
         "sizeBytes", seeds, peers, "nextStatsCheckAt", "updatedAt")
       SELECT m, 'yts', l, h, g, q, 'x264', s, 0, 0, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
         AS u(m, l, h, g, q, s)`,
      [
        col((_, k) => movieIds[Math.floor(k / PER_MOVIE)]),
        col((h) => cipher.lookup(h)),
        col((h) => cipher.encrypt(h)),
        col((h, k) => cipher.encrypt(`magnet:?xt=urn:btih:${h}&dn=Bench+${k}`)),
        col((_, k) => qualities[k % PER_MOVIE]),
        col((_, k) => String(mbPerMinute[qualities[k % PER_MOVIE]] * 110 * 1024 * 1024)),
      ],
    );
  }
  await client.query('VACUUM ANALYZE "MovieSource"');
  return movies;
}

await runBench(async () => {
  need('TEST_TEMPLATE_DATABASE_URL');
  console.log(
    `\nsources-stats: ${thousands(SOURCES)} sources, a local tracker on HTTP and UDP, ${WORKERS} worker ` +
      `process${WORKERS === 1 ? '' : 'es'} × ${CONCURRENCY} jobs, sweep every ${SWEEP_MS / 1000} s; ` +
      `${cpus().length} CPUs\n`,
  );

  const tracker = await startTrackerStandIn();
  onExit(() => tracker.close());
  const db = await createTestDatabase();
  onExit(() => db.drop());
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const env = testEnv(db.url, {
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: prefix,
    WORKER_QUEUES: 'swarm,sources',
    WORKER_CONCURRENCY: CONCURRENCY,
    DISABLE_VPN_CHECK: 'true',
    TRACKERS: [tracker.httpAnnounce, tracker.udpAnnounce].join(','),
    SOURCE_LOOKUP_SECRET: randomBytes(24).toString('hex'),
    STATS_SWEEP_INTERVAL: MONTH,
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  });
  const cipher = new Cipher(parseKeyring(env.SOURCE_ENCRYPTION_KEYS, env.SOURCE_LOOKUP_SECRET));

  // Every hash with the counts the tracker will give for it.
  const hashes = Array.from({ length: SOURCES }, () => randomBytes(20).toString('hex'));
  const expected = new Map();
  hashes.forEach((h, i) => {
    const figures = { complete: (i * 37) % 1500, incomplete: (i * 11) % 300 };
    tracker.setSwarm(h, figures);
    expected.set(h, figures);
  });

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  onExit(() => client.end());
  const seedStarted = Date.now();
  const movies = await seed(client, cipher, hashes);
  log(
    `seeded ${thousands(movies)} movies and ${thousands(SOURCES)} due sources in ${fixed((Date.now() - seedStarted) / 1000)} s`,
  );

  // Baseline: the protocol alone, one request at a time, from this process.
  const sample = hashes.slice(0, BATCH);
  await timedScrape(tracker.httpAnnounce, sample); // warm up both paths
  await timedScrape(tracker.udpAnnounce, sample.slice(0, UDP_MAX));
  const httpMs = await median(7, () => timedScrape(tracker.httpAnnounce, sample));
  const udpMs = await median(7, () => timedScrape(tracker.udpAnnounce, sample.slice(0, UDP_MAX)));
  const oneHttpMs = await median(7, () => timedScrape(tracker.httpAnnounce, [sample[0]]));
  const oneUdpMs = await median(7, () => timedScrape(tracker.udpAnnounce, [sample[0]]));
  const batches = Math.ceil(SOURCES / BATCH);
  const udpPerBatch = Math.ceil(BATCH / UDP_MAX);
  const baselineS = (batches * httpMs + batches * udpPerBatch * udpMs) / 1000;
  const unbatchedS = (SOURCES * (oneHttpMs + oneUdpMs)) / 1000;
  const baselineScrapes = tracker.scrapes().length;
  log(
    `baseline: HTTP scrape of ${BATCH} hashes ${fixed(httpMs, 2)} ms, UDP scrape of ${UDP_MAX} ${fixed(udpMs, 2)} ms; ` +
      `one hash: HTTP ${fixed(oneHttpMs, 2)} ms, UDP ${fixed(oneUdpMs, 2)} ms`,
  );

  const redis = createRedis(need('REDIS_URL'), 'worker');
  onExit(() => redis.quit());
  // Holding the schedule lock keeps the workers from registering (and at once running) the other
  // schedules: only the sweep registered below runs.
  await redis.set(`${prefix}:lock:schedules`, 'bench', 'PX', 3_600_000);
  const queues = new Queues(redis, prefix);
  onExit(() => queues.close());
  onExit(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  const workers = Array.from({ length: WORKERS }, () => startProcess(WORKER, env, root));
  onExit(() => Promise.all(workers.map((w) => w.stop())));
  const swarm = queues.get('swarm');
  const sources = queues.get('sources');
  const ready = Date.now() + 30_000;
  while ((await swarm.getWorkersCount()) < WORKERS || (await sources.getWorkersCount()) < WORKERS) {
    const dead = workers.find((w) => w.child.exitCode !== null);
    if (dead) throw new Error(`a worker exited at start:\n${dead.output()}`);
    if (Date.now() > ready) throw new Error('the workers did not connect within 30 s');
    await sleep(100);
  }

  const cpuBefore = workers.map((w) => cpuSeconds(w.child.pid));
  const machineBefore = machineCpuSeconds();
  const started = Date.now();
  await sources.upsertJobScheduler(
    'sources.stats-sweep',
    { every: SWEEP_MS },
    { name: 'sources.stats-sweep', data: {}, opts: { ...DEFAULT_JOB_OPTIONS, attempts: 1 } },
  );
  let checked = 0;
  let finished;
  const progress = [];
  for (;;) {
    const { rows } = await client.query(
      'SELECT count(*)::int AS n FROM "MovieSource" WHERE "lastStatsCheck" IS NOT NULL',
    );
    checked = rows[0].n;
    progress.push({ at: Date.now() - started, checked });
    if (checked >= SOURCES) {
      finished = Date.now();
      break;
    }
    if (Date.now() - started > TIMEOUT_MS) break;
    if (workers.every((w) => w.child.exitCode !== null)) throw new Error('every worker exited');
    await sleep(50);
  }
  const wallS = ((finished ?? Date.now()) - started) / 1000;
  await sources.removeJobScheduler('sources.stats-sweep');
  const workerCpuS = workers.map((w, i) => cpuSeconds(w.child.pid) - cpuBefore[i]).reduce((x, y) => x + y, 0);
  const machineCpuS = machineCpuSeconds() - machineBefore;

  const scrapes = tracker.scrapes().slice(baselineScrapes);
  const by = (p) => scrapes.filter((s) => s.protocol === p);
  const mean = (list) => list.reduce((x, s) => x + s.hashes, 0) / (list.length || 1);
  const statsJobs = (await swarm.getJobs(['completed'], 0, -1)).filter((j) => j.name === 'sources.stats');
  const sweeps = (await sources.getJobs(['completed'], 0, -1)).filter(
    (j) => j.name === 'sources.stats-sweep',
  );
  const failedJobs = (await swarm.getJobCounts('failed')).failed;
  const attemptFailures = workers
    .map((w) => (w.output().match(/job failed/g) ?? []).length)
    .reduce((x, y) => x + y, 0);

  // What was stored, against what the tracker says.
  const stored = await client.query('SELECT "infoHashEnc", seeds, peers, "deadSince" FROM "MovieSource"');
  let wrong = 0;
  let dead = 0;
  for (const r of stored.rows) {
    const want = expected.get(cipher.decryptText(r.infoHashEnc));
    if (!want || want.complete !== r.seeds || want.incomplete !== r.peers) wrong++;
    if ((r.deadSince !== null) !== (r.seeds === 0)) wrong++;
    if (r.seeds === 0) dead++;
  }
  const waits = await client.query(
    `SELECT min(extract(epoch FROM "nextStatsCheckAt" - "lastStatsCheck")) AS lo,
            max(extract(epoch FROM "nextStatsCheckAt" - "lastStatsCheck")) AS hi
     FROM "MovieSource" WHERE "lastStatsCheck" IS NOT NULL`,
  );

  const at = (fraction) => progress.find((p) => p.checked >= fraction * SOURCES)?.at;
  log(
    `checked ${thousands(checked)} of ${thousands(SOURCES)}: 25% at ${fixed(at(0.25) / 1000, 2)} s, ` +
      `50% at ${fixed(at(0.5) / 1000, 2)} s, 100% at ${fixed(wallS, 2)} s`,
  );
  if (!finished || failedJobs || attemptFailures || wrong) {
    const lines = workers
      .map((w) => w.output())
      .join('')
      .split('\n')
      .filter(Boolean);
    log(`worker output (last 10 of ${lines.length} lines):\n${lines.slice(-10).join('\n')}`);
  }

  console.log('');
  printTable([
    ['', 'figure'],
    ['sources', thousands(SOURCES)],
    [
      'wall time, s (sweep scheduled → every source checked)',
      `${fixed(wallS, 2)}${finished ? '' : ' (timeout)'}`,
    ],
    ['sources checked per second', thousands(checked / wallS)],
    ['sweep interval, s (sweeps run)', `${SWEEP_MS / 1000} (${sweeps.length})`],
    ['sources.stats jobs completed', String(statsJobs.length)],
    ['scrape requests made (all)', thousands(scrapes.length)],
    ['  HTTP requests, hashes per request (mean)', `${by('http').length}, ${fixed(mean(by('http')))}`],
    ['  UDP requests, hashes per request (mean)', `${by('udp').length}, ${fixed(mean(by('udp')))}`],
    ['  largest UDP request, hashes', String(Math.max(0, ...by('udp').map((s) => s.hashes)))],
    ['stored counts that differ from the tracker', String(wrong)],
    ['sources without seeds (deadSince set)', thousands(dead)],
    ['next check after, min–max', `${fixed(waits.rows[0].lo / 60)}–${fixed(waits.rows[0].hi / 60)} min`],
    ['job attempts failed / jobs failed for good', `${attemptFailures} / ${failedJobs}`],
    ['CPU s: workers', fixed(workerCpuS)],
    [`CPUs busy, whole machine (of ${cpus().length})`, fixed(machineCpuS / wallS, 2)],
    ['baseline: one HTTP scrape of 200 hashes, ms', fixed(httpMs, 2)],
    ['baseline: one UDP scrape of 74 hashes, ms', fixed(udpMs, 2)],
    [
      `baseline: ${batches} HTTP + ${batches * udpPerBatch} UDP scrapes one after another, s`,
      fixed(baselineS, 2),
    ],
    ['baseline: one request per hash (HTTP + UDP), extrapolated, s', fixed(unbatchedS, 1)],
    [`goal: wall time ≤ ${GOAL_S} s`, verdict(Boolean(finished) && wallS <= GOAL_S)],
    ['counts stored as the tracker gave them', verdict(wrong === 0)],
  ]);
  const sweepsNeeded = Math.ceil(SOURCES / SWEEP_LIMIT);
  if (SWEEP_MS < DEFAULT_SWEEP_S * 1000 && sweepsNeeded > 1)
    console.log(
      `\n  note: a sweep hands out at most ${thousands(SWEEP_LIMIT)} sources, so ${thousands(SOURCES)} due at ` +
        `once take ${sweepsNeeded} sweeps: at the default STATS_SWEEP_INTERVAL (${DEFAULT_SWEEP_S} s) at least ` +
        `${(sweepsNeeded - 1) * DEFAULT_SWEEP_S} s (BENCH_SWEEP_INTERVAL=${DEFAULT_SWEEP_S} measures it).`,
    );
  console.log('');
  if (!finished) throw new Error('not every source was checked within BENCH_TIMEOUT');
});

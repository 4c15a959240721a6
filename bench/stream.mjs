// Streaming: a 200 MB file from a local seeder through API + streamer, beside a bare WebTorrent floor and peerflix.
//
// One seeder process (testkit's, WebTorrent 3 on loopback) and the tracker stand-in serve every
// torrent: the main one (BENCH_SIZE_MB of generated content, 1 MiB pieces) and BENCH_STREAMS smaller
// ones (BENCH_STREAM_SIZE_MB each, different content) for the concurrency part. Targets, each a
// process of its own, each leecher cold (nothing of the torrent on disk) for every measurement:
//   proxy    the built API and streamer: POST /api/v1/movies/:id/stream (the user pressing play), then
//            GET the streamUrl it answers, through the API's /stream proxy (no STREAM_PUBLIC_URL);
//   direct   the same POST, then the same token straight from the streamer (STREAM_PUBLIC_URL set);
//   floor    bench/lib/floor-server.mjs: a bare WebTorrent 3 client with the streamer's options behind
//            a node:http server, adding the torrent on the first GET (its "play");
//   peerflix peerflix 0.39 from npm as its CLI runs it (--no-dht, --port, no player), one process per
//            leecher; GET as soon as its server listens (its torrent was added at spawn, so its first
//            byte is counted from "listening": the figure it is held to is a generous one).
// The running streamer and floor are made cold between measurements (DELETE /internal/storage/:id,
// POST /reset: the torrent removed with its files); peerflix gets a new process and folder.
// Measured per target, median of BENCH_RUNS runs (each run interleaves the targets):
//   first byte: from play to the first body byte (for proxy/direct: POST + GET; "GET only" apart);
//   MB/s:       the whole file, GET start to last byte, on a cold leecher;
//   seek:       a cold leecher asked for the start (first byte, then dropped as a player does), then
//               Range: bytes=<middle>- : time to that answer's first byte;
// then BENCH_STREAMS different torrents streamed at once through a freshly started streamer (the
// stream URLs as the API answers them) and through a fresh floor: total MB/s and the peak RSS of the
// serving process (VmRSS sampled every 100 ms). CPU seconds of the serving processes are reported to
// show what bounds each target on this machine.
// Goals (the issue): first byte ≤ 1.2× the floor and ≤ peerflix; throughput ≥ 90% of the floor and
// ≥ peerflix; seek ≤ 150 ms; streamer RSS ≤ 400 MB with 10 streams.
//
// Environment: BENCH_SIZE_MB (200), BENCH_RUNS (5), BENCH_STREAMS (10), BENCH_STREAM_SIZE_MB (50),
// BENCH_PIECE_KB (1024), BENCH_TARGETS ("proxy,direct,floor,peerflix"), BENCH_TIMEOUT (120 s for
// one request), BENCH_STREAMER_NODE_OPTIONS (given to the streamer, e.g. a profiling hook); to
// compare the floor's options: BENCH_FLOOR_UTP=true (uTP first; the streamer's own is TORRENT_UTP), BENCH_FLOOR_CACHE_SLOTS (WebTorrent's
// storeCacheSlots, default 20).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Cipher, parseKeyring } from '../packages/secrets/dist/index.js';
import {
  createTestDatabase,
  freePort,
  makeTestTorrent,
  startProcess,
  startSeeder,
  startTrackerStandIn,
  testEnv,
  waitFor,
} from '../packages/testkit/dist/index.js';
import {
  API,
  cpuSeconds,
  fixed,
  log,
  onExit,
  printTable,
  root,
  runBench,
  sleep,
  STREAMER,
  verdict,
} from './lib/common.mjs';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_SIZE_MB ?? 200) * MiB;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 10);
const STREAM_SIZE = Number(process.env.BENCH_STREAM_SIZE_MB ?? 50) * MiB;
const PIECE = Number(process.env.BENCH_PIECE_KB ?? 1024) * 1024;
const TARGETS = (process.env.BENCH_TARGETS ?? 'proxy,direct,floor,peerflix').split(',').map((t) => t.trim());
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT ?? 120) * 1000;
const PEERFLIX = join(root, 'node_modules/peerflix/app.js');
const MAIN_TMDB = 910_000;
const MB = 1e6;
const { AbortSignal } = globalThis;

const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const spread = (values) => {
  const v = values.filter(Number.isFinite);
  return v.length ? `${fixed(Math.min(...v), 0)}–${fixed(Math.max(...v), 0)}` : '–';
};

/** VmRSS of a process in bytes, from /proc; NaN where there is none. */
function rssBytes(pid) {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Samples a process's RSS every 100 ms until stopped; stop() gives the peak. */
function sampleRss(pid) {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    const now = rssBytes(pid);
    if (now > peak || !Number.isFinite(peak)) peak = now;
  }, 100);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/**
 * One GET, timed with performance.now(): when it was sent, its first body byte, its end. stopAfter
 * drops the connection once that many bytes came (a player moving on); otherwise the whole body must
 * arrive. A fresh connection each time (no keep-alive agent).
 */
function timedGet(url, { range, stopAfter = Infinity, timeoutMs = TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    let firstByteAt;
    let bytes = 0;
    let expected = NaN;
    let settled = false;
    const settle = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (err) reject(err);
      else resolve({ sentAt, firstByteAt, endAt: performance.now(), bytes });
    };
    const timer = setTimeout(
      () =>
        settle(new Error(`GET ${url} (${range ?? 'whole'}): no end within ${timeoutMs} ms, ${bytes} bytes`)),
      timeoutMs,
    );
    const req = http.get(url, { agent: false, headers: range ? { range } : {} }, (res) => {
      if (res.statusCode !== 200 && res.statusCode !== 206) {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          settle(new Error(`GET ${url} answered ${res.statusCode}: ${body.slice(0, 300)}`)),
        );
        return;
      }
      expected = Number(res.headers['content-length']);
      res.on('data', (chunk) => {
        firstByteAt ??= performance.now();
        bytes += chunk.length;
        if (bytes >= stopAfter) settle();
      });
      res.on('end', () => {
        if (Number.isFinite(expected) && bytes !== expected)
          settle(new Error(`GET ${url}: ${bytes} of ${expected} bytes before the end`));
        else settle();
      });
      res.on('error', (err) => settle(err));
      res.on('close', () => {
        if (bytes < Math.min(stopAfter, expected)) settle(new Error(`GET ${url}: cut after ${bytes} bytes`));
      });
    });
    req.on('error', (err) => settle(err));
  });
}

async function json(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** A process that must be ready before a deadline; its output says why not. */
async function ready(proc, check, what, timeoutMs = 30_000) {
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error('it exited');
      return check();
    },
    { timeoutMs, intervalMs: 20 },
  ).catch((err) => {
    throw new Error(`${what} did not get ready: ${err.message}\n${proc.output().slice(-3000)}`);
  });
}

/** Writes the bench's movies, each with one READY source holding its .torrent, straight into the database. */
async function insertMovies(url, cipher, torrents) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ids = [];
    for (const [i, t] of torrents.entries()) {
      const { rows } = await client.query(
        `INSERT INTO "Movie" ("tmdbId", "title", "runtime", "syncedAt", "sourceSearchedAt", "nextSourceSearchAt", "updatedAt")
         VALUES ($1, $2, 100, now(), now(), now() + interval '30 days', now()) RETURNING id`,
        [MAIN_TMDB + i, `Stream Bench ${i}`],
      );
      const magnet = `magnet:?xt=urn:btih:${t.infoHash}`;
      await client.query(
        `INSERT INTO "MovieSource" ("movieId", "provider", "hashLookup", "infoHashEnc", "magnetEnc", "torrentFileEnc",
           "quality", "codec", "type", "sizeBytes", "seeds", "peers", "lastStatsCheck", "metadataStatus",
           "pieceLength", "fileCount", "videoFileIndex", "videoFileName", "videoFileSize", "updatedAt")
         VALUES ($1, 'yts', $2, $3, $4, $5, '1080p', 'x264', 'web', $6, 50, 5, now(), 'READY', $7, 1, 0, 'movie.mp4', $6, now())`,
        [
          rows[0].id,
          cipher.lookup(t.infoHash),
          cipher.encrypt(t.infoHash),
          cipher.encrypt(magnet),
          cipher.encrypt(t.torrentFile),
          t.length,
          t.pieceLength,
        ],
      );
      ids.push(MAIN_TMDB + i);
    }
    return ids;
  } finally {
    await client.end();
  }
}

/** The API and the streamer, the streamer restartable with a fresh STORAGE_DIR. */
async function startCinenest({ dbUrl, work, announce, keys }) {
  const [apiPort, streamerPort] = [await freePort(), await freePort()];
  const apiBase = `http://127.0.0.1:${apiPort}`;
  const streamerBase = `http://127.0.0.1:${streamerPort}`;
  const secret = randomBytes(48).toString('base64url');
  const env = testEnv(dbUrl, {
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    PORT: String(apiPort),
    PUBLIC_URL: apiBase,
    STREAMER_PORT: String(streamerPort),
    STREAMER_URL: streamerBase,
    STREAMER_SECRET: secret,
    STREAM_SOURCE_TIMEOUT: '60',
    TRACKERS: announce,
    TORRENT_DHT: 'false',
    TORRENT_PORT: '0',
    MAX_ACTIVE_TORRENTS: String(Math.max(20, STREAMS + 2)),
    TORRENT_IDLE_TIMEOUT: '3600',
    RATE_LIMIT_PER_MINUTE: '100000000',
    ACCESS_TOKEN_TTL: '3600',
    SOURCE_ENCRYPTION_KEYS: keys,
  });
  const api = startProcess(API, env, root);
  onExit(() => api.stop());
  let streamer;
  let storageNo = 0;
  const startStreamer = async () => {
    const storage = join(work, `streamer-${storageNo++}`);
    mkdirSync(storage, { recursive: true });
    streamer = startProcess(
      STREAMER,
      {
        ...env,
        STORAGE_DIR: storage,
        ...(process.env.BENCH_STREAMER_NODE_OPTIONS
          ? { NODE_OPTIONS: process.env.BENCH_STREAMER_NODE_OPTIONS }
          : {}),
      },
      root,
    );
    const mine = streamer;
    onExit(() => mine.stop());
    await ready(streamer, async () => (await fetch(`${streamerBase}/health/live`)).ok, 'the streamer');
  };
  await startStreamer();
  await ready(api, async () => (await fetch(`${apiBase}/health/ready`)).ok, 'the API');

  const credentials = { email: 'bench@example.com', password: 'correct horse battery staple' };
  const post = (body) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await json(`${apiBase}/api/v1/auth/setup`, post({ ...credentials, displayName: 'Bench' }));
  const { accessToken } = await json(`${apiBase}/api/v1/auth/login`, post(credentials));
  const internal = { authorization: `Bearer ${secret}` };

  return {
    apiBase,
    streamerBase,
    get streamer() {
      return streamer;
    },
    api,
    /** The user pressing play: the stream URL the API answers. */
    play: async (tmdbId) => {
      const res = await json(`${apiBase}/api/v1/movies/${tmdbId}/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: '{}',
      });
      if (typeof res?.streamUrl !== 'string') throw new Error(`no streamUrl: ${JSON.stringify(res)}`);
      return res.streamUrl;
    },
    direct: (streamUrl) => streamUrl.replace(apiBase, streamerBase),
    /** Every stored torrent removed with its files: the next play starts cold. */
    reset: async () => {
      const report = await json(`${streamerBase}/internal/storage`, { headers: internal });
      for (const t of report.torrents)
        await json(`${streamerBase}/internal/storage/${t.id}`, { method: 'DELETE', headers: internal });
    },
    restartStreamer: async (db) => {
      await streamer.stop();
      await db.query('DELETE FROM "Storage"');
      await startStreamer();
    },
  };
}

async function startFloor({ work, torrentPaths, announce }) {
  const port = await freePort();
  const dir = join(work, `floor-${port}`);
  const floor = startProcess(
    join(root, 'bench/lib/floor-server.mjs'),
    {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      FLOOR_DIR: dir,
      FLOOR_TORRENTS: JSON.stringify(torrentPaths),
      FLOOR_ANNOUNCE: announce,
      ...(process.env.BENCH_FLOOR_CACHE_SLOTS
        ? { FLOOR_STORE_CACHE_SLOTS: process.env.BENCH_FLOOR_CACHE_SLOTS }
        : {}),
      ...(process.env.BENCH_FLOOR_UTP ? { FLOOR_UTP: process.env.BENCH_FLOOR_UTP } : {}),
    },
    root,
  );
  onExit(() => floor.stop());
  await ready(floor, () => floor.output().includes('listening'), 'the floor server', 15_000);
  const base = `http://127.0.0.1:${port}`;
  return {
    proc: floor,
    url: (i) => `${base}/t/${i}`,
    reset: async () => {
      const res = await fetch(`${base}/reset`, { method: 'POST', signal: AbortSignal.timeout(30_000) });
      if (res.status !== 204) throw new Error(`floor reset answered ${res.status}`);
    },
    stop: () => floor.stop(),
  };
}

/** peerflix as its CLI runs it, on a new folder; resolves once its HTTP server listens. */
async function startPeerflix(torrentPath, work) {
  const [port, peerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(work, 'peerflix-'));
  const spawnedAt = performance.now();
  const child = spawn(
    process.execPath,
    [
      PEERFLIX,
      torrentPath,
      '--port',
      String(port),
      '--hostname',
      '127.0.0.1',
      '--path',
      dir,
      '--peer-port',
      String(peerPort),
      '--no-dht',
      '--quiet',
    ],
    { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (out += b));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  onExit(stop);
  const proc = { child, output: () => out };
  try {
    await ready(proc, () => out.includes('server is listening'), 'peerflix', 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}/0`,
    spawnedAt,
    listeningAt: performance.now(),
    pid: child.pid,
    stop,
  };
}

/**
 * A session on a cold leecher of the main torrent for one target: opening it presses play and gives
 * the URL, the clock's origin and the serving processes' pids; `end()` removes the leecher's torrent
 * and files, so that nothing keeps downloading behind the next target's measurement.
 */
function sessions({ cinenest, floor, work, mainPath }) {
  return {
    proxy: async () => {
      await cinenest.reset();
      const t0 = performance.now();
      const url = await cinenest.play(MAIN_TMDB);
      return { url, t0, pids: [cinenest.streamer.child.pid, cinenest.api.child.pid], end: cinenest.reset };
    },
    direct: async () => {
      await cinenest.reset();
      const t0 = performance.now();
      const url = cinenest.direct(await cinenest.play(MAIN_TMDB));
      return { url, t0, pids: [cinenest.streamer.child.pid], end: cinenest.reset };
    },
    floor: async () => {
      await floor.reset();
      return { url: floor.url(0), t0: performance.now(), pids: [floor.proc.child.pid], end: floor.reset };
    },
    peerflix: async () => {
      const p = await startPeerflix(mainPath, work);
      return { url: p.url, t0: p.listeningAt, spawnedAt: p.spawnedAt, pids: [p.pid], end: p.stop };
    },
  };
}

async function measureWhole(open) {
  const s = await open();
  try {
    const cpu0 = s.pids.map(cpuSeconds);
    const r = await timedGet(s.url);
    if (r.bytes !== SIZE) throw new Error(`got ${r.bytes} of ${SIZE} bytes`);
    const cpu = s.pids.map(cpuSeconds).reduce((n, c, i) => n + c - cpu0[i], 0);
    return {
      firstByte: r.firstByteAt - s.t0,
      getOnly: r.firstByteAt - r.sentAt,
      fromSpawn: s.spawnedAt === undefined ? NaN : r.firstByteAt - s.spawnedAt,
      mbps: SIZE / MB / ((r.endAt - r.sentAt) / 1000),
      cpu,
    };
  } finally {
    await s.end();
  }
}

async function measureSeek(open) {
  const s = await open();
  try {
    await timedGet(s.url, { range: 'bytes=0-', stopAfter: 1 });
    const mid = Math.floor(SIZE / 2);
    const r = await timedGet(s.url, { range: `bytes=${mid}-`, stopAfter: 1 });
    return r.firstByteAt - r.sentAt;
  } finally {
    await s.end();
  }
}

/** Every torrent at once; total MB/s from the first request to the last byte, and the peak RSS. */
async function concurrent(pid, openers) {
  const rssBefore = rssBytes(pid);
  let peak = NaN;
  const cpu0 = cpuSeconds(pid);
  const peakRss = sampleRss(pid);
  const started = performance.now();
  const results = await Promise.all(
    openers.map(async (open) => {
      const t0 = performance.now();
      const url = await open();
      const r = await timedGet(url);
      return { bytes: r.bytes, firstByte: r.firstByteAt - t0 };
    }),
  ).finally(() => (peak = peakRss()));
  const seconds = (performance.now() - started) / 1000;
  const bytes = results.reduce((n, r) => n + r.bytes, 0);
  return {
    mbps: bytes / MB / seconds,
    seconds,
    firstByte: median(results.map((r) => r.firstByte)),
    rssBefore,
    peak,
    cpu: cpuSeconds(pid) - cpu0,
  };
}

await runBench(async () => {
  const work = mkdtempSync(join(tmpdir(), 'cinenest-stream-bench-'));
  onExit(() => rmSync(work, { recursive: true, force: true }));
  const tracker = await startTrackerStandIn();
  onExit(() => tracker.close());
  const announceList = [tracker.udpAnnounce, tracker.httpAnnounce];

  let started = Date.now();
  const made = [
    await makeTestTorrent({
      files: [{ path: 'movie.mp4', size: SIZE }],
      pieceLength: PIECE,
      announce: announceList,
      seed: 'stream-bench-main',
    }),
  ];
  for (let i = 0; i < STREAMS; i++)
    made.push(
      await makeTestTorrent({
        files: [{ path: 'movie.mp4', size: STREAM_SIZE }],
        pieceLength: PIECE,
        announce: announceList,
        seed: `stream-bench-${i}`,
      }),
    );
  log(
    `generated 1 × ${fixed(SIZE / MiB, 0)} MiB + ${STREAMS} × ${fixed(STREAM_SIZE / MiB, 0)} MiB torrents ` +
      `(${PIECE / 1024} KiB pieces) in ${fixed((Date.now() - started) / 1000)} s`,
  );
  started = Date.now();
  const seeder = await startSeeder({
    torrents: made,
    announce: announceList,
    dir: join(work, 'seeder'),
    timeoutMs: 300_000,
  });
  onExit(() => seeder.stop());
  // Only what the leechers need is kept: the content buffers go.
  const torrents = made.map((t) => ({
    infoHash: t.infoHash,
    torrentFile: t.torrentFile,
    length: t.length,
    pieceLength: t.pieceLength,
  }));
  made.length = 0;
  log(
    `seeder ready at ${seeder.peerAddress} (tcp${seeder.utp ? ', utp' : ''}) in ${fixed((Date.now() - started) / 1000)} s`,
  );
  mkdirSync(join(work, 'torrents'));
  const torrentPaths = torrents.map((t, i) => {
    const path = join(work, 'torrents', `${i}.torrent`);
    writeFileSync(path, t.torrentFile);
    return path;
  });

  const db = await createTestDatabase();
  onExit(() => db.drop());
  const pgClient = new pg.Client({ connectionString: db.url });
  await pgClient.connect();
  onExit(() => pgClient.end());

  const wantCinenest = TARGETS.includes('proxy') || TARGETS.includes('direct') || STREAMS > 0;
  let cinenest;
  if (wantCinenest) {
    // The rows are written with the key ring the API and the streamer get.
    const keys = `b1:${randomBytes(32).toString('base64')}`;
    await insertMovies(db.url, new Cipher(parseKeyring(keys)), torrents);
    cinenest = await startCinenest({ dbUrl: db.url, work, announce: tracker.udpAnnounce, keys });
  }
  const floor = await startFloor({ work, torrentPaths, announce: tracker.udpAnnounce });
  const open = sessions({ cinenest, floor, work, mainPath: torrentPaths[0] });
  if (TARGETS.includes('peerflix')) {
    // A failed start says why at once (a missing install, Node refusing it), before the runs.
    const p = await startPeerflix(torrentPaths[0], work).catch((err) => {
      throw new Error(`peerflix does not start: ${err.message}`);
    });
    await p.stop();
  }

  // Part 1: one cold leecher at a time, the targets interleaved in each run.
  const results = Object.fromEntries(TARGETS.map((t) => [t, { whole: [], seek: [], errors: [] }]));
  for (let run = 1; run <= RUNS; run++) {
    for (const target of TARGETS) {
      if (!open[target]) throw new Error(`unknown target ${target}`);
      try {
        results[target].whole.push(await measureWhole(open[target]));
        results[target].seek.push(await measureSeek(open[target]));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        results[target].errors.push(message);
        log(`${target}, run ${run} failed: ${message.split('\n')[0]}`);
      }
    }
    const last = (t) => results[t].whole.at(-1);
    log(
      `run ${run}/${RUNS}: ` +
        TARGETS.map(
          (t) =>
            `${t} ${fixed(last(t)?.firstByte, 0)} ms, ${fixed(last(t)?.mbps, 0)} MB/s, seek ${fixed(results[t].seek.at(-1), 0)} ms`,
        ).join(' · '),
    );
  }

  // Part 2: every small torrent at once, through a fresh streamer and a fresh floor.
  const many = [];
  if (STREAMS > 0) {
    const ids = torrents.slice(1).map((_, i) => MAIN_TMDB + 1 + i);
    await cinenest.restartStreamer(pgClient);
    await sleep(1000);
    log(`${STREAMS} streams at once through the streamer (stream URLs as the API answers them)…`);
    const viaStreamer = await concurrent(
      cinenest.streamer.child.pid,
      ids.map((id) => () => cinenest.play(id)),
    );
    many.push({ label: 'API + streamer', ...viaStreamer });
    await floor.stop();
    const fresh = await startFloor({ work, torrentPaths, announce: tracker.udpAnnounce });
    await sleep(1000);
    log(`${STREAMS} streams at once through the floor…`);
    const viaFloor = await concurrent(
      fresh.proc.child.pid,
      ids.map((_, i) => async () => fresh.url(i + 1)),
    );
    many.push({ label: 'floor', ...viaFloor });
  }

  // Figures.
  const fig = (t) => {
    const r = results[t];
    return {
      firstByte: median(r.whole.map((w) => w.firstByte)),
      getOnly: median(r.whole.map((w) => w.getOnly)),
      fromSpawn: median(r.whole.map((w) => w.fromSpawn)),
      mbps: median(r.whole.map((w) => w.mbps)),
      seek: median(r.seek),
      cpu: median(r.whole.map((w) => w.cpu)),
      runs: r.whole.length,
    };
  };
  const floorFig = TARGETS.includes('floor') ? fig('floor') : undefined;
  const peerflixFig = TARGETS.includes('peerflix') ? fig('peerflix') : undefined;
  const labels = {
    proxy: 'API + streamer (proxy)',
    direct: 'API + streamer (direct)',
    floor: 'floor: node:http + WebTorrent',
    peerflix: 'peerflix 0.39',
  };
  process.stdout.write(
    `\n  Cold leecher, ${fixed(SIZE / MiB, 0)} MiB file, ${PIECE / 1024} KiB pieces; medians of the runs (min–max)\n`,
  );
  const rows = [
    [
      'target',
      'runs',
      'first byte ms',
      '(min–max)',
      'GET only ms',
      'MB/s',
      '(min–max)',
      'seek ms',
      '(min–max)',
      'CPU s',
    ],
  ];
  for (const t of TARGETS) {
    const f = fig(t);
    const r = results[t];
    rows.push([
      labels[t] ?? t,
      f.runs,
      fixed(f.firstByte, 0),
      spread(r.whole.map((w) => w.firstByte)),
      fixed(f.getOnly, 0),
      fixed(f.mbps, 1),
      spread(r.whole.map((w) => w.mbps)),
      fixed(f.seek, 0),
      spread(r.seek),
      fixed(f.cpu, 1),
    ]);
  }
  printTable(rows);
  if (peerflixFig)
    process.stdout.write(
      `  peerflix's first byte counts from its server listening; from its spawn: ${fixed(peerflixFig.fromSpawn, 0)} ms.\n`,
    );
  process.stdout.write(
    '  CPU s: the serving processes (streamer + API for the proxy) during one whole-file GET.\n',
  );

  if (many.length) {
    process.stdout.write(
      `\n  ${STREAMS} different torrents at once (${fixed(STREAM_SIZE / MiB, 0)} MiB each), fresh process\n`,
    );
    const manyRows = [
      ['through', 'total MB/s', 'wall s', 'first byte p50 ms', 'RSS idle MB', 'RSS peak MB', 'CPU s'],
    ];
    for (const m of many)
      manyRows.push([
        m.label,
        fixed(m.mbps, 1),
        fixed(m.seconds, 1),
        fixed(m.firstByte, 0),
        fixed(m.rssBefore / MB, 0),
        fixed(m.peak / MB, 0),
        fixed(m.cpu, 1),
      ]);
    printTable(manyRows);
  }

  // Verdicts: the default deployment (proxy) and, beside it, the direct URL.
  const goals = [['goal', 'target', 'figure', 'bound', 'verdict']];
  for (const t of ['proxy', 'direct'].filter((x) => TARGETS.includes(x))) {
    const f = fig(t);
    if (floorFig)
      goals.push([
        'first byte ≤ 1.2× floor',
        t,
        `${fixed(f.firstByte, 0)} ms`,
        `${fixed(1.2 * floorFig.firstByte, 0)} ms`,
        verdict(f.firstByte <= 1.2 * floorFig.firstByte),
      ]);
    if (peerflixFig)
      goals.push([
        'first byte ≤ peerflix',
        t,
        `${fixed(f.firstByte, 0)} ms`,
        `${fixed(peerflixFig.firstByte, 0)} ms`,
        verdict(f.firstByte <= peerflixFig.firstByte),
      ]);
    if (floorFig)
      goals.push([
        'throughput ≥ 90% floor',
        t,
        `${fixed(f.mbps, 1)} MB/s`,
        `${fixed(0.9 * floorFig.mbps, 1)} MB/s`,
        verdict(f.mbps >= 0.9 * floorFig.mbps),
      ]);
    if (peerflixFig)
      goals.push([
        'throughput ≥ peerflix',
        t,
        `${fixed(f.mbps, 1)} MB/s`,
        `${fixed(peerflixFig.mbps, 1)} MB/s`,
        verdict(f.mbps >= peerflixFig.mbps),
      ]);
    goals.push(['seek ≤ 150 ms', t, `${fixed(f.seek, 0)} ms`, '150 ms', verdict(f.seek <= 150)]);
  }
  const viaStreamer = many.find((m) => m.label === 'API + streamer');
  if (viaStreamer)
    goals.push([
      `RSS ≤ 400 MB, ${STREAMS} streams`,
      'streamer',
      `${fixed(viaStreamer.peak / MB, 0)} MB`,
      '400 MB',
      verdict(viaStreamer.peak <= 400 * MB),
    ]);
  process.stdout.write('\n');
  printTable(goals);
  const failed = TARGETS.filter((t) => results[t].errors.length);
  for (const t of failed)
    process.stdout.write(
      `  ${t}: ${results[t].errors.length} failed run(s): ${results[t].errors[0].split('\n')[0]}\n`,
    );
});

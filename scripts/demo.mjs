#!/usr/bin/env node
// `npm run demo`: installs what is missing, builds, starts Postgres (embedded, data kept under
// .data/demo) and Redis, migrates, and runs api + worker + streamer. Without a TMDB token it also
// runs the offline stand-ins: TMDB, YTS, a tracker and a seeder of a real demo video, so a movie
// plays end to end. It creates a demo administrator once. Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, ensureDependencies } from './lib/deps.mjs';
import { preferPort } from './lib/ports.mjs';
import { startProcesses, waitForHttp } from './lib/processes.mjs';
import { cleanup, cleanupOnSignals, onCleanup, root, step } from './lib/util.mjs';

ensureDependencies();
const { startStack } = await import('./lib/stack.mjs');

/** Where the demo keeps its database, media and login; DEMO_DIR runs a second, separate demo. */
const demoDir = process.env.DEMO_DIR ?? join(root, '.data/demo');
const shown = (path) => (path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path);
/** How many of the stand-in's most popular movies the demo video is listed for. */
const DEMO_MOVIES = 12;
const DEMO_EMAIL = 'demo@cinenest.local';
/** Whether the demo database was there before this run. */
let hadDatabase = false;

/** The stand-in's popular movies (as the worker reads them) that the YTS stand-in knows, most popular first. */
async function popularMoviesOnYts(tmdb, yts, count) {
  const found = [];
  for (let page = 1; found.length < count && page <= 10; page++) {
    const res = await fetch(`${tmdb.url}/movie/popular?page=${page}`, {
      headers: { Authorization: `Bearer ${tmdb.token}` },
    });
    if (!res.ok) throw new Error(`the TMDB stand-in answered ${res.status} for its popular list`);
    const { results } = await res.json();
    if (!results?.length) break;
    for (const { id } of results) {
      const movie = tmdb.catalog.movie(id);
      const listed = movie?.imdbId && yts.catalog.byImdb(movie.imdbId);
      if (listed && found.length < count)
        found.push({ tmdbId: id, imdbId: movie.imdbId, title: listed.title, year: listed.year });
    }
  }
  return found;
}

/**
 * The offline swarm: the tracker stand-in, the demo video (made once into <demo dir>/media), one
 * torrent of it per demo movie (the same file; each its own info-hash), listed by the YTS stand-in
 * as that movie's 720p source, and a seeder process seeding them all.
 */
async function startDemoSwarm(testkit, tmdb, yts) {
  const { makeDemoVideo, makeFileTorrent, startSeeder, startTrackerStandIn, torrentVariant } = testkit;
  const tracker = await startTrackerStandIn();
  onCleanup(() => tracker.close());
  const trackers = [tracker.udpAnnounce, tracker.httpAnnounce];
  const video = await makeDemoVideo(join(demoDir, 'media'), { log: step });
  const base = await makeFileTorrent(video, { announce: trackers });
  const movies = await popularMoviesOnYts(tmdb, yts, DEMO_MOVIES);
  const torrents = [];
  for (const movie of movies) {
    // The same file behind every movie, each its own torrent (info-hash), stable from run to run.
    const torrent = await torrentVariant(base, `cinenest-demo:${movie.tmdbId}`);
    yts.setTorrents(movie.imdbId, [
      {
        hash: torrent.infoHash.toUpperCase(),
        size_bytes: torrent.length,
        quality: '720p',
        type: 'web',
        video_codec: 'x264',
        bit_depth: '8',
        audio_channels: '2.0',
        seeds: 1,
        peers: 0,
      },
    ]);
    yts.setTorrentFile(torrent.infoHash, torrent.torrentFile);
    torrents.push(torrent);
    movie.infoHash = torrent.infoHash;
  }
  const started = Date.now();
  const seeder = await startSeeder({
    torrents,
    announce: trackers,
    dir: join(demoDir, 'seeder'),
    timeoutMs: 60_000,
  });
  let stopping = false;
  onCleanup(async () => {
    stopping = true;
    await seeder.stop();
  });
  void seeder.exited.then((code) => {
    // Ctrl-C reaches the seeder too: it leaves the swarm and exits 0.
    if (!stopping && code !== 0)
      process.stderr.write(
        `\nthe demo seeder exited (${code}); demo movies will not play.\n${seeder.output()}\n`,
      );
  });
  step(
    `tracker stand-in at ${trackers.join(', ')}; seeder at ${seeder.peerAddress} seeding the demo video ` +
      `for ${movies.length} movies (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return { trackers, movies, video, stale: staleSources(movies) };
}

/**
 * Whether a database of an earlier demo may hold other sources for the demo movies (found before
 * this demo video was listed for them, or for another build of it): the worker searches a movie
 * again only after SOURCE_RESEARCH_DAYS, so those movies would not play. Remembers this run's.
 */
function staleSources(movies) {
  const file = join(demoDir, 'demo-swarm.json');
  const now = Object.fromEntries(movies.map((m) => [m.tmdbId, m.infoHash]));
  const before = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).infoHashes ?? {}) : undefined;
  writeFileSync(file, JSON.stringify({ infoHashes: { ...before, ...now } }, null, 2));
  return hadDatabase && (!before || movies.some((m) => before[m.tmdbId] !== m.infoHash));
}

/** Creates the demo administrator once (POST /auth/setup works only while no user exists). */
async function ensureDemoLogin(apiUrl) {
  const file = join(demoDir, 'demo-login.json');
  let login;
  if (existsSync(file)) login = JSON.parse(readFileSync(file, 'utf8'));
  else {
    login = { email: DEMO_EMAIL, password: randomBytes(12).toString('base64url') };
    mkdirSync(demoDir, { recursive: true });
    writeFileSync(file, JSON.stringify(login, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const post = (path, body) =>
    fetch(`${apiUrl}/api/v1/auth/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const setup = await post('setup', { ...login, displayName: 'Demo admin' });
  if (setup.status === 201) return { ...login, state: 'created' };
  if (setup.status !== 409)
    throw new Error(`POST /api/v1/auth/setup answered ${setup.status}: ${await setup.text()}`);
  // Set up before: by an earlier demo (the saved login works) or by someone else.
  const signIn = await post('login', { email: login.email, password: login.password });
  return { ...login, state: signIn.ok ? 'exists' : 'other-user' };
}

let running;
cleanupOnSignals(async () => {
  step('stopping');
  await running?.stopAll();
});

try {
  build();
  hadDatabase = existsSync(join(demoDir, 'postgres/data/PG_VERSION'));
  const stack = await startStack({ dir: demoDir, persistent: true, database: 'cinenest' });
  const port = await preferPort(Number(process.env.PORT ?? 8080));
  const streamerPort = await preferPort(Number(process.env.STREAMER_PORT ?? 8090));
  const apiUrl = `http://localhost:${port}`;
  const upstreams = {};
  let swarm;
  if (!process.env.TMDB_API_TOKEN) {
    // No TMDB token: the offline stand-ins from packages/testkit serve a generated catalog, YTS
    // mirrors that know most of its movies, and a loopback swarm that plays the demo video.
    const testkit = await import('../packages/testkit/dist/index.js');
    const { startTmdbStandIn, startYtsMirrors, ytsMoviesFromTmdb } = testkit;
    const tmdb = await startTmdbStandIn({ movies: 500, shows: 80 });
    onCleanup(() => tmdb.close());
    upstreams.TMDB_API_URL = tmdb.url;
    upstreams.TMDB_API_TOKEN = tmdb.token;
    step(`no TMDB_API_TOKEN: using DEMO DATA from the TMDB stand-in at ${tmdb.url}`);
    if (!process.env.YTS_MIRRORS) {
      const yts = await startYtsMirrors({ count: 2, movies: ytsMoviesFromTmdb(tmdb.catalog) });
      onCleanup(() => yts.close());
      upstreams.YTS_MIRRORS = yts.urls.join(',');
      step(`and the YTS stand-in mirrors at ${yts.urls.join(', ')}`);
      swarm = await startDemoSwarm(testkit, tmdb, yts);
      // The stand-in tracker first: the streamer and the stats jobs find the seeder through it.
      upstreams.TRACKERS = [...swarm.trackers, ...(process.env.TRACKERS ? [process.env.TRACKERS] : [])].join(
        ',',
      );
    }
  }
  if (!process.env.VPN_CHECK_URL && !process.env.DISABLE_VPN_CHECK) {
    upstreams.DISABLE_VPN_CHECK = 'true';
    step('no VPN_CHECK_URL: the VPN check is off for the demo (tracker and peer traffic goes out directly)');
  }
  const env = {
    ...upstreams,
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    PORT: String(port),
    STREAMER_PORT: String(streamerPort),
    PUBLIC_URL: process.env.PUBLIC_URL ?? apiUrl,
    DATA_DIR: process.env.DATA_DIR ?? join(root, '.data'),
    ...(upstreams.TRACKERS ? { TRACKERS: upstreams.TRACKERS } : {}),
  };
  step('starting api, worker and streamer');
  running = startProcesses(env, async (name, code) => {
    process.stderr.write(`\n${name} exited unexpectedly (code ${code}); stopping the demo.\n`);
    await running.stopAll();
    await cleanup();
    process.exit(1);
  });
  await waitForHttp(`${apiUrl}/health/ready`);
  await waitForHttp(`http://localhost:${streamerPort}/health/live`);
  const login = await ensureDemoLogin(apiUrl);
  process.stdout.write(banner({ apiUrl, streamerPort, upstreams, swarm, login }));
} catch (err) {
  process.stderr.write(`npm run demo: ${err instanceof Error ? err.message : String(err)}\n`);
  await running?.stopAll();
  await cleanup();
  process.exit(1);
}

function banner({ apiUrl, streamerPort, upstreams, swarm, login }) {
  const credentials = JSON.stringify({ email: login.email, password: login.password });
  const signIn =
    login.state === 'other-user'
      ? `  Cinenest was set up before with another administrator: sign in with that account.
  (The demo login saved in ${shown(demoDir)}/demo-login.json does not work here.)

    TOKEN=$(curl -s -X POST ${apiUrl}/api/v1/auth/login -H 'Content-Type: application/json' \\
         -d '{"email":"<your email>","password":"<your password>"}' \\
         | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
`
      : `  Demo login (${login.state === 'created' ? 'created now' : 'created by an earlier demo'}; kept in ${shown(demoDir)}/demo-login.json):

    email     ${login.email}
    password  ${login.password}

  Sign in and keep the access token:

    TOKEN=$(curl -s -X POST ${apiUrl}/api/v1/auth/login -H 'Content-Type: application/json' \\
         -d '${credentials}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
`;
  const movies = swarm?.movies ?? [];
  const play = movies.length
    ? `
  Press play. The demo video (a 60 s test pattern with a clock and a tone, H.264/AAC 720p) is seeded
  on this machine for these movies of the stand-in's popular list:

${movies.map((m) => `    ${String(m.tmdbId).padEnd(8)} ${m.title} (${m.year})`).join('\n')}

    curl -X POST ${apiUrl}/api/v1/movies/${movies[0].tmdbId}/stream -H "Authorization: Bearer $TOKEN" \\
         -H 'Content-Type: application/json' -d '{"quality":"auto"}'

  It answers {"streamUrl": ...}: open that URL in a browser or VLC. (A 202 means the worker is still
  syncing the movie or finding its sources: ask again in a few seconds. Its sources:
  curl ${apiUrl}/api/v1/movies/${movies[0].tmdbId}/sources -H "Authorization: Bearer $TOKEN")
${
  swarm.stale
    ? `
  Note: this demo database is older than the demo video's listing, so it may hold other (dead)
  sources for these movies, which the worker only searches again after days. For movies that play,
  stop the demo, delete ${shown(demoDir)}/postgres and start it again.
`
    : ''
}`
    : '';
  return `
  Cinenest is running.

    API       ${apiUrl}/api/v1        (health: ${apiUrl}/health/ready)
    Catalog   ${upstreams.TMDB_API_URL ? 'demo data (generated by the TMDB stand-in)' : 'TMDB'}
    Streamer  http://localhost:${streamerPort}${swarm ? `\n    Trackers  ${swarm.trackers.join(', ')} (stand-in)` : ''}

${signIn}
  Then browse:

    curl ${apiUrl}/api/v1/lists -H "Authorization: Bearer $TOKEN"
    curl '${apiUrl}/api/v1/search?q=amelie' -H "Authorization: Bearer $TOKEN"
${play}
  Data is kept in ${shown(demoDir)}. Press Ctrl-C to stop.
\n`;
}

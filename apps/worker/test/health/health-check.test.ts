import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ServiceState } from '@cinenest/db';
import { QUEUE_NAMES, vpnStateKey } from '@cinenest/queue';
import {
  freePort,
  startTrackerStandIn,
  startUnresponsiveTracker,
  waitFor,
  type TrackerStandIn,
  type UnresponsiveTracker,
} from '@cinenest/testkit';
import { MINUTE, startSourcesHarness, type SourcesHarness } from '../sources/support.js';

const DAY = 24 * 60 * MINUTE;
/** housekeeping.health-check's timeout per check (CHECK_TIMEOUT_MS). */
const CHECK_TIMEOUT_MS = 5000;

let h: SourcesHarness;
let streamer: Server;
let tracker: TrackerStandIn;
let silent: UnresponsiveTracker;
/** The ServiceCheck names of the three YTS stand-in mirrors, in order. */
let mirrors: string[];

/** A streamer's /health/live, as the real one answers it. */
async function startStreamerStandIn(): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/health/live' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  [streamer, tracker, silent] = await Promise.all([
    startStreamerStandIn(),
    startTrackerStandIn(),
    startUnresponsiveTracker(),
  ]);
  h = await startSourcesHarness({
    STREAMER_URL: `http://127.0.0.1:${(streamer.address() as AddressInfo).port}`,
    TRACKERS: [tracker.udpAnnounce, tracker.httpAnnounce].join(','),
    HEALTH_CHECK_INTERVAL: '60',
  });
  mirrors = h.yts.urls.map((url) => `yts:${new URL(url).host}`);
});

afterAll(async () => {
  await h?.close();
  streamer?.closeAllConnections();
  await new Promise((resolve) => streamer?.close(resolve));
  await Promise.all([tracker?.close(), silent?.close()]);
});

beforeEach(async () => {
  await h.db.serviceCheck.deleteMany();
  await publishVpn('up');
});

afterEach(async () => {
  h.tmdbStandIn.fault('none');
  for (const m of h.yts.mirrors) m.mode('ok');
  await h.redis.del(`${h.prefix}:tmdb:pause`);
  await Promise.all(QUEUE_NAMES.map((q) => h.queues.get(q).obliterate({ force: true })));
  const breakers = await h.redis.keys(`${h.prefix}:yts:breaker:*`);
  if (breakers.length) await h.redis.del(...breakers);
});

const publishVpn = (state: string, detail: string | null = null) =>
  h.redis.set(
    vpnStateKey(h.prefix),
    JSON.stringify({ state, checkedAt: new Date().toISOString(), latencyMs: 8, detail }),
  );

type Row = {
  service: string;
  state: ServiceState;
  latencyMs: number | null;
  detail: string | null;
  checkedAt: Date;
};

/** Runs the health check once; the rows it wrote, by service. */
async function check(overrides: Parameters<SourcesHarness['run']>[2] = {}) {
  const before = new Date(Date.now() - 1);
  const result = (await h.run('housekeeping.health-check', {}, overrides)) as {
    states: Record<string, string>;
    trackers: string;
  };
  const rows = (await h.db.serviceCheck.findMany({ where: { checkedAt: { gte: before } } })) as Row[];
  return { result, rows, by: Object.fromEntries(rows.map((r) => [r.service, r])) as Record<string, Row> };
}

describe('housekeeping.health-check', () => {
  it('writes one row per service, all at one time, and asks the swarm worker to check the trackers', async () => {
    const { rows, by, result } = await check();
    expect(Object.keys(by).sort()).toEqual(
      ['postgres', 'queues', 'redis', 'streamer', 'tmdb', 'vpn', ...mirrors].sort(),
    );
    expect(rows).toHaveLength(Object.keys(by).length);
    expect(new Set(rows.map((r) => r.checkedAt.getTime())).size).toBe(1);
    for (const row of rows)
      expect({ service: row.service, state: row.state }).toEqual({
        service: row.service,
        state: ServiceState.UP,
      });
    for (const service of ['postgres', 'redis', 'tmdb', 'streamer', ...mirrors])
      expect(by[service]!.latencyMs).toEqual(expect.any(Number));
    expect(by.vpn).toMatchObject({ latencyMs: 8, detail: null });
    expect(by.queues!.detail).toMatch(/housekeeping 0 waiting, 0 delayed, 0 active, 0 failed/);
    // The trackers are the swarm worker's to check: asked for once, not twice while pending.
    expect(result.trackers).toBe('requested');
    const swarm = h.queues.get('swarm');
    expect(await (await swarm.getJob('tracker-health'))?.getState()).toBe('waiting');
    expect((await check()).result.trackers).toBe('pending');
    expect(await swarm.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('calls TMDB once a run, uncached: 5xx is down, 429 degraded, and no call while TMDB asks for a pause', async () => {
    const before = h.tmdbStandIn.requests();
    expect((await check()).by.tmdb!.state).toBe(ServiceState.UP);
    expect((await check()).by.tmdb!.state).toBe(ServiceState.UP);
    expect(
      h.tmdbStandIn
        .requestLog()
        .slice(before)
        .map((r) => r.path),
    ).toEqual(['/configuration', '/configuration']);

    h.tmdbStandIn.fault('server-error');
    const down = (await check()).by.tmdb!;
    expect(down).toMatchObject({
      state: ServiceState.DOWN,
      latencyMs: null,
      detail: expect.stringMatching(/^HTTP 50\d$/),
    });
    expect(h.tmdbStandIn.requests()).toBe(before + 3);

    h.tmdbStandIn.fault('rate-limit', { retryAfter: 30 });
    expect((await check()).by.tmdb).toMatchObject({
      state: ServiceState.DEGRADED,
      detail: 'rate-limited (429)',
    });
    // The 429's Retry-After paused every TMDB client: the next run does not call TMDB.
    h.tmdbStandIn.fault('none');
    const paused = (await check()).by.tmdb!;
    expect(paused).toMatchObject({ state: ServiceState.DEGRADED, latencyMs: null });
    expect(paused.detail).toMatch(/^rate-limited: TMDB asked for a pause, \d+ s left \(not called\)$/);
    expect(h.tmdbStandIn.requests()).toBe(before + 4);
  });

  it('TMDB refusing the token, or not answering, is down', async () => {
    const config = { ...h.config, TMDB_API_TOKEN: 'wrong-token' };
    expect((await check({ config })).by.tmdb).toMatchObject({
      state: ServiceState.DOWN,
      detail: 'TMDB refused the token (401)',
    });
    const closed = { ...h.config, TMDB_API_URL: 'http://127.0.0.1:9/3' };
    expect((await check({ config: closed })).by.tmdb).toMatchObject({
      state: ServiceState.DOWN,
      detail: 'connection refused',
    });
  });

  it('probes each YTS mirror on its own: down, HTML and broken JSON are down, slow is degraded', async () => {
    h.yts.mirrors[0]!.mode('down');
    h.yts.mirrors[1]!.mode('html');
    h.yts.mirrors[2]!.mode('garbage');
    let { by } = await check();
    expect(by[mirrors[0]!]).toMatchObject({
      state: ServiceState.DOWN,
      detail: 'connection refused',
      latencyMs: null,
    });
    expect(by[mirrors[1]!]).toMatchObject({
      state: ServiceState.DOWN,
      detail: expect.stringMatching(/not JSON/),
    });
    expect(by[mirrors[2]!]).toMatchObject({
      state: ServiceState.DOWN,
      detail: expect.stringMatching(/not JSON/),
    });

    h.yts.mirrors[0]!.mode('ok');
    h.yts.mirrors[1]!.mode('slow', { delayMs: 3000 });
    h.yts.mirrors[2]!.mode('status-error');
    ({ by } = await check());
    expect(by[mirrors[0]!]).toMatchObject({ state: ServiceState.UP, detail: null });
    expect(by[mirrors[1]!]).toMatchObject({
      state: ServiceState.DEGRADED,
      detail: expect.stringMatching(/^slow: \d+ ms$/),
    });
    expect(by[mirrors[1]!]!.latencyMs).toBeGreaterThanOrEqual(3000);
    expect(by[mirrors[2]!]).toMatchObject({
      state: ServiceState.DOWN,
      detail: expect.stringMatching(/^status "error"/),
    });
  });

  it('a mirror that answers again while the workers’ breaker still skips it is degraded', async () => {
    // A client whose breaker opens on the first failure: the search fails over to the second mirror.
    const client = h.ytsClient({ breaker: { failureThreshold: 1, openMs: 60_000 } });
    h.yts.mirrors[0]!.mode('error');
    const movie = h.yts.catalog.movies()[0]!;
    await client.moviesByImdb(movie.imdb_code);
    h.yts.mirrors[0]!.mode('ok');
    const { by } = await check();
    expect(by[mirrors[0]!]!.state).toBe(ServiceState.DEGRADED);
    expect(by[mirrors[0]!]!.detail).toMatch(
      /^circuit open \(1 failures, last: 503\), skipped for \d+ s more$/,
    );
    expect(by[mirrors[1]!]!.state).toBe(ServiceState.UP);
  });

  it('a streamer that is not running is down', async () => {
    // A port nothing listens on (fetch refuses to even try some, port 9 among them).
    const config = { ...h.config, STREAMER_URL: `http://127.0.0.1:${await freePort()}` };
    expect((await check({ config })).by.streamer).toMatchObject({
      state: ServiceState.DOWN,
      latencyMs: null,
      detail: 'connection refused',
    });
  });

  it('gives up on a service that does not answer after the timeout: down, and the run goes on', async () => {
    const hanging = createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const config = {
        ...h.config,
        STREAMER_URL: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`,
      };
      const started = Date.now();
      const { by } = await check({ config });
      expect(Date.now() - started).toBeLessThan(CHECK_TIMEOUT_MS + 1500);
      expect(by.streamer).toMatchObject({
        state: ServiceState.DOWN,
        latencyMs: null,
        detail: `no answer within ${CHECK_TIMEOUT_MS} ms`,
      });
      expect(by.postgres!.state).toBe(ServiceState.UP);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  it('reports the VPN as published, and never asks for a tracker check while it is closed', async () => {
    const scrapes = tracker.scrapes().length;
    await publishVpn('down', 'HTTP 503');
    let { by, result } = await check();
    expect(by.vpn).toMatchObject({ state: ServiceState.DOWN, detail: 'HTTP 503' });
    expect(by.trackers).toMatchObject({
      state: ServiceState.DOWN,
      latencyMs: null,
      detail: 'not checked: the VPN is down (trackers are reached only through it)',
    });
    expect(result.trackers).toBe('not checked');

    await h.redis.del(vpnStateKey(h.prefix));
    ({ by } = await check());
    expect(by.vpn).toMatchObject({ state: ServiceState.DEGRADED, detail: 'unknown: no recent check' });
    expect(by.trackers).toMatchObject({
      state: ServiceState.DOWN,
      detail: expect.stringMatching(/VPN is unknown/),
    });

    await publishVpn('disabled', 'DISABLE_VPN_CHECK=true');
    ({ by, result } = await check());
    expect(by.vpn).toMatchObject({ state: ServiceState.UP, detail: 'not checked (DISABLE_VPN_CHECK=true)' });
    expect(result.trackers).toBe('requested');
    expect(await h.queues.get('swarm').getJobCounts('waiting')).toEqual({ waiting: 1 });
    expect(tracker.scrapes()).toHaveLength(scrapes);
  });

  it('a tracker check left waiting on the swarm queue for 3 intervals is recorded down', async () => {
    await h.queues
      .get('swarm')
      .add('swarm.tracker-health', {}, { jobId: 'tracker-health', timestamp: Date.now() - 5 * MINUTE });
    const { by, result } = await check();
    expect(by.trackers).toMatchObject({ state: ServiceState.DOWN });
    expect(by.trackers!.detail).toMatch(
      /^not checked: the tracker check has waited 5 min on the swarm queue/,
    );
    expect(result.trackers).toBe('not checked');
  });

  it('a queue whose next job waits with nothing running is stuck; one failing often is degraded', async () => {
    const catalog = h.queues.get('catalog');
    await catalog.add('catalog.search', { query: 'stuck' }, { timestamp: Date.now() - 20 * MINUTE });
    let { by } = await check();
    expect(by.queues!.state).toBe(ServiceState.DEGRADED);
    expect(by.queues!.detail).toMatch(/^catalog stuck: its next job has waited 20 min with none running; /);
    expect(by.queues!.detail).toMatch(/catalog 1 waiting, 0 delayed, 0 active, 0 failed/);
    await catalog.obliterate({ force: true });

    // Jobs of no known name fail for good at once in the worker's processor.
    const housekeeping = h.queues.get('housekeeping');
    await housekeeping.addBulk(
      Array.from({ length: 10 }, (_, i) => ({ name: `no.such-job-${i}`, data: {} })),
    );
    const worker = h.worker({ queue: 'housekeeping' });
    await waitFor(async () => (await housekeeping.getJobCounts('failed')).failed === 10);
    await worker.close();
    ({ by } = await check());
    expect(by.queues!.state).toBe(ServiceState.DEGRADED);
    expect(by.queues!.detail).toMatch(/housekeeping failing: 10 jobs failed within the hour/);
    expect(by.queues!.detail).toMatch(/housekeeping 0 waiting, 0 delayed, 0 active, 10 failed/);
  });
});

describe('swarm.tracker-health', () => {
  it('runs on the swarm worker only while its VPN gate is open, and writes the trackers row', async () => {
    await check();
    const swarm = h.queues.get('swarm');
    let open = false;
    const worker = h.worker({ queue: 'swarm', vpn: { isOpen: () => open } });
    // Closed: the job is put back, no tracker hears from us.
    const scrapes = tracker.scrapes().length;
    await waitFor(async () => (await swarm.getJobCounts('delayed')).delayed === 1);
    expect(tracker.scrapes()).toHaveLength(scrapes);
    open = true;
    await swarm.promoteJobs();
    await waitFor(async () => (await h.db.serviceCheck.count({ where: { service: 'trackers' } })) === 1, {
      timeoutMs: 20_000,
    });
    await worker.close();
    const row = await h.db.serviceCheck.findFirstOrThrow({ where: { service: 'trackers' } });
    expect(row).toMatchObject({ state: ServiceState.UP, detail: '2 of 2 trackers answered' });
    expect(row.latencyMs).toEqual(expect.any(Number));
    expect(
      tracker
        .scrapes()
        .slice(scrapes)
        .map((s) => [s.protocol, s.hashes])
        .sort(),
    ).toEqual([
      ['http', 1],
      ['udp', 1],
    ]);
    // Done and gone: the next health check asks again.
    expect(await swarm.getJob('tracker-health')).toBeUndefined();
    expect((await check()).result.trackers).toBe('requested');
  }, 30_000);

  it('is degraded when some trackers answer, down when none does', async () => {
    const some = { ...h.config, TRACKERS: [tracker.udpAnnounce, silent.udpAnnounce] };
    expect(await h.run('swarm.tracker-health', {}, { config: some })).toMatchObject({
      state: ServiceState.DEGRADED,
      detail: expect.stringMatching(
        /^1 of 2 trackers answered; not answering: udp:\/\/127\.0\.0\.1:\d+\/announce \(no answer within 5000 ms\)$/,
      ),
    });
    const none = { ...h.config, TRACKERS: [silent.udpAnnounce, silent.httpAnnounce] };
    expect(await h.run('swarm.tracker-health', {}, { config: none })).toMatchObject({
      state: ServiceState.DOWN,
      latencyMs: expect.any(Number),
    });
    const rows = await h.db.serviceCheck.findMany({ where: { service: 'trackers' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.state, r.latencyMs === null])).toEqual([
      [ServiceState.DEGRADED, false],
      [ServiceState.DOWN, true],
    ]);
  }, 20_000);
});

describe('housekeeping.purge-expired', () => {
  it('deletes health checks older than 8 days and keeps the rest', async () => {
    const at = (ago: number) => new Date(Date.now() - ago);
    await h.db.serviceCheck.createMany({
      data: [
        { service: 'tmdb', state: ServiceState.UP, checkedAt: at(9 * DAY) },
        { service: 'tmdb', state: ServiceState.DOWN, checkedAt: at(8 * DAY + MINUTE) },
        { service: 'tmdb', state: ServiceState.UP, checkedAt: at(7 * DAY) },
        { service: 'queues', state: ServiceState.UP, checkedAt: at(MINUTE) },
      ],
    });
    expect(await h.run('housekeeping.purge-expired', {})).toMatchObject({ serviceChecks: 2 });
    const left = await h.db.serviceCheck.findMany({ orderBy: { checkedAt: 'asc' } });
    expect(left.map((r) => r.service)).toEqual(['tmdb', 'queues']);
  });
});

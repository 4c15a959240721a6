import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ServiceState } from '@cinenest/db';
import { vpnStateKey } from '@cinenest/queue';
import { startTestApp, type TestApp } from './support.js';

let t: TestApp;
beforeAll(async () => {
  // Two mirrors, one with a port: the status page names each by its host.
  t = await startTestApp({
    YTS_MIRRORS: 'http://yts-a.test/api/v2,http://yts-b.test:8443/api/v2',
    HEALTH_CHECK_INTERVAL: '60',
  });
});
afterAll(async () => t.close());
beforeEach(async () => {
  await t.db.serviceCheck.deleteMany();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Every service housekeeping.health-check writes rows for, with this app's mirrors. */
const CHECKED = ['tmdb', 'yts:yts-a.test', 'yts:yts-b.test:8443', 'trackers', 'streamer', 'queues'];

const publish = (state: string, detail: string | null = null) =>
  t.redis.set(
    vpnStateKey(t.config.REDIS_PREFIX),
    JSON.stringify({ state, checkedAt: new Date().toISOString(), latencyMs: 12, detail }),
  );

interface Row {
  service: string;
  state: ServiceState;
  /** How long ago (default: now). */
  ago?: number;
  latencyMs?: number | null;
  detail?: string | null;
}

const seed = (rows: Row[]) =>
  t.db.serviceCheck.createMany({
    data: rows.map((r) => ({
      service: r.service,
      state: r.state,
      latencyMs: r.latencyMs === undefined ? 42 : r.latencyMs,
      detail: r.detail ?? null,
      checkedAt: new Date(Date.now() - (r.ago ?? 0)),
    })),
  });

/** A fresh UP check of every checked service, as after a run where everything answered. */
const allUp = () => seed(CHECKED.map((service) => ({ service, state: ServiceState.UP })));

const status = async (auth?: Record<string, string>) => {
  const req = t.http().get('/api/v1/status');
  const res = await (auth ? req.set(auth) : req);
  expect(res.status).toBe(200);
  return res.body;
};

describe('GET /api/v1/status', () => {
  it('tells everyone only up/degraded/down, with the VPN as the workers last saw it', async () => {
    await publish('up');
    await allUp();
    expect(await status()).toEqual({
      status: 'up',
      services: {
        postgres: 'up',
        redis: 'up',
        tmdb: 'up',
        yts: 'up',
        trackers: 'up',
        vpn: 'up',
        streamer: 'up',
        queues: 'up',
      },
    });

    await publish('down', 'HTTP 503');
    const down = await status();
    expect(down).toEqual({
      status: 'degraded',
      services: expect.objectContaining({ postgres: 'up', redis: 'up', tmdb: 'up', vpn: 'down' }),
    });
    expect(JSON.stringify(down)).not.toContain('503');
  });

  it('says degraded when no worker has checked the VPN recently', async () => {
    await allUp();
    await t.redis.del(vpnStateKey(t.config.REDIS_PREFIX));
    const body = await status();
    expect(body).toMatchObject({ status: 'degraded', services: { vpn: 'degraded', tmdb: 'up' } });
  });

  it('answers before any health check ran: Postgres and Redis live, the rest degraded', async () => {
    await publish('up');
    const body = await status();
    expect(body).toEqual({
      status: 'degraded',
      services: {
        postgres: 'up',
        redis: 'up',
        tmdb: 'degraded',
        yts: 'degraded',
        trackers: 'degraded',
        vpn: 'up',
        streamer: 'degraded',
        queues: 'degraded',
      },
    });
    const admin = await t.signedIn('ADMIN');
    const { detail } = await status(admin.auth);
    expect(detail.tmdb).toMatchObject({ state: 'degraded', stale: true, checkedAt: null, uptime24h: null });
    expect(detail.tmdb.detail).toMatch(/not checked yet/);
  });

  it('takes each service from its latest check, and a check older than 3 intervals as degraded', async () => {
    await publish('up');
    await allUp();
    await seed([
      // Older rows do not count: the latest one says.
      { service: 'streamer', state: ServiceState.UP, ago: 10 * MINUTE },
      { service: 'tmdb', state: ServiceState.DOWN, ago: MINUTE, detail: 'HTTP 500' },
    ]);
    await t.db.serviceCheck.deleteMany({ where: { service: { in: ['queues', 'trackers'] } } });
    await seed([
      // HEALTH_CHECK_INTERVAL is 60 s: 4 minutes without a check is stale, even for a DOWN one.
      { service: 'queues', state: ServiceState.UP, ago: 4 * MINUTE },
      {
        service: 'trackers',
        state: ServiceState.DOWN,
        ago: 2 * MINUTE,
        detail: 'not checked: the VPN is down',
      },
    ]);
    const body = await status();
    expect(body.services).toMatchObject({
      tmdb: 'up',
      streamer: 'up',
      queues: 'degraded',
      trackers: 'down',
    });
    expect(body.status).toBe('degraded');
    const admin = await t.signedIn('ADMIN');
    const { detail } = await status(admin.auth);
    expect(detail.queues).toMatchObject({ state: 'degraded', stale: true });
    expect(detail.queues.detail).toMatch(/^stale: no check since .*, which said up/);
    expect(detail.trackers).toMatchObject({
      state: 'down',
      stale: false,
      detail: 'not checked: the VPN is down',
    });
  });

  it('YTS is up when every mirror is, degraded when some answer, down when none does', async () => {
    await publish('up');
    await allUp();
    expect((await status()).services.yts).toBe('up');

    await seed([{ service: 'yts:yts-b.test:8443', state: ServiceState.DOWN, detail: 'connection refused' }]);
    expect((await status()).services.yts).toBe('degraded');

    await seed([{ service: 'yts:yts-a.test', state: ServiceState.DEGRADED, detail: 'slow: 3000 ms' }]);
    expect((await status()).services.yts).toBe('degraded');

    await seed([{ service: 'yts:yts-a.test', state: ServiceState.DOWN, detail: 'HTTP 503' }]);
    expect((await status()).services.yts).toBe('down');

    // A mirror no longer configured is left out, however its last check went.
    await seed([{ service: 'yts:retired.test', state: ServiceState.UP }]);
    const admin = await t.signedIn('ADMIN');
    const { detail } = await status(admin.auth);
    expect(Object.keys(detail.yts.mirrors).sort()).toEqual(['yts-a.test', 'yts-b.test:8443']);
    expect(detail.yts).toMatchObject({
      state: 'down',
      mirrors: {
        'yts-a.test': { state: 'down', detail: 'HTTP 503', latencyMs: 42 },
        'yts-b.test:8443': { state: 'down', detail: 'connection refused' },
      },
    });
  });

  it('shows administrators the detail, and plain users the public view', async () => {
    await publish('down', 'timed out');
    await allUp();
    await seed([
      { service: 'tmdb', state: ServiceState.DEGRADED, latencyMs: 77, detail: 'rate-limited (429)' },
    ]);
    const admin = await t.signedIn('ADMIN');
    const detailed = await status(admin.auth);
    expect(detailed.detail.vpn).toMatchObject({ state: 'down', detail: 'timed out', latencyMs: 12 });
    expect(detailed.detail.postgres.latencyMs).toEqual(expect.any(Number));
    expect(detailed.detail.tmdb).toMatchObject({
      state: 'degraded',
      stale: false,
      latencyMs: 77,
      detail: 'rate-limited (429)',
      checkedAt: expect.any(String),
      uptime24h: expect.any(Number),
      uptime7d: expect.any(Number),
      history: expect.any(Array),
    });

    const user = await t.signedIn('USER');
    for (const plain of [await status(user.auth), await status()]) {
      expect(Object.keys(plain).sort()).toEqual(['services', 'status']);
      expect(
        Object.values(plain.services).every((s) => ['up', 'degraded', 'down'].includes(s as string)),
      ).toBe(true);
      const text = JSON.stringify(plain);
      for (const hidden of ['429', 'timed out', 'latencyMs', 'uptime', 'yts-a.test', 'history'])
        expect(text).not.toContain(hidden);
    }
  });

  it('gives administrators uptime over 24 h and 7 d, DEGRADED counting half, and the last state changes', async () => {
    await publish('up');
    // Within 24 h, oldest first: UP ×3, DOWN, DEGRADED, UP ×3 = (6 + 0.5) / 8.
    const day: Array<[ServiceState, string | null]> = [
      [ServiceState.UP, null],
      [ServiceState.UP, null],
      [ServiceState.UP, null],
      [ServiceState.DOWN, 'HTTP 500'],
      [ServiceState.DEGRADED, 'rate-limited (429)'],
      [ServiceState.UP, null],
      [ServiceState.UP, null],
      [ServiceState.UP, null],
    ];
    await seed([
      // Outside 7 days: not counted.
      { service: 'tmdb', state: ServiceState.DOWN, ago: 8 * DAY },
      // 2–3 days ago: two DOWN, so over 7 days (6 + 0.5) / 10.
      { service: 'tmdb', state: ServiceState.DOWN, ago: 3 * DAY, detail: 'connection refused' },
      { service: 'tmdb', state: ServiceState.DOWN, ago: 2 * DAY, detail: 'connection refused' },
      ...day.map(([state, detail], i) => ({
        service: 'tmdb',
        state,
        detail,
        ago: (day.length - i) * HOUR,
      })),
      // A service checked only UP: 100 %, one "change" (the first check in the window).
      { service: 'streamer', state: ServiceState.UP, ago: 2 * HOUR },
      { service: 'streamer', state: ServiceState.UP, ago: HOUR },
    ]);
    const admin = await t.signedIn('ADMIN');
    const { detail } = await status(admin.auth);
    expect(detail.tmdb.uptime24h).toBe(81.25);
    expect(detail.tmdb.uptime7d).toBe(65);
    expect(detail.streamer).toMatchObject({ uptime24h: 100, uptime7d: 100 });
    expect(detail.streamer.history).toEqual([
      { state: 'up', from: null, at: expect.any(String), detail: null },
    ]);
    // Latest first, at most 5: UP (from DEGRADED), DEGRADED (from DOWN), DOWN (from UP), UP (from DOWN), DOWN.
    expect(detail.tmdb.history.map((c: { state: string; from: string | null }) => [c.from, c.state])).toEqual(
      [
        ['degraded', 'up'],
        ['down', 'degraded'],
        ['up', 'down'],
        ['down', 'up'],
        [null, 'down'],
      ],
    );
    expect(detail.tmdb.history[1]).toMatchObject({ detail: 'rate-limited (429)' });
    const times = detail.tmdb.history.map((c: { at: string }) => Date.parse(c.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // Never checked: no uptime, no history.
    expect(detail.trackers).toMatchObject({ uptime24h: null, uptime7d: null, history: [] });
  });
});

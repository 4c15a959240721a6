import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@cinenest/config';
import { createDb } from '@cinenest/db';
import { createLogger } from '@cinenest/logger';
import { createRedis, Queues } from '@cinenest/queue';
import { testEnv, waitFor } from '@cinenest/testkit';
import request from 'supertest';
import { createApp } from '../src/app.js';
import { startTestApp, type TestApp } from './support.js';

/** Nothing listens on port 1 of the loopback: connections are refused at once. */
const CLOSED_REDIS = 'redis://127.0.0.1:1';
const CLOSED_POSTGRES = 'postgresql://cinenest:nothing@127.0.0.1:1/cinenest';

/** An API wired by hand, as main.ts does, with some of its dependencies pointing nowhere. */
function buildApp(databaseUrl: string, overrides: Record<string, string>) {
  // The same signing secrets as the healthy app, so its tokens work here too.
  const { JWT_ACCESS_SECRET, JWT_REFRESH_SECRET } = t.config;
  const config = loadConfig(testEnv(databaseUrl, { JWT_ACCESS_SECRET, JWT_REFRESH_SECRET, ...overrides }));
  const logger = createLogger({ service: 'api-test', silent: true });
  const db = createDb(config.DATABASE_URL, { poolSize: 2 });
  // ioredis keeps a 2 s timer after disconnecting a socket that never connected; keep it short so Jest exits.
  const redis = createRedis(config.REDIS_URL, 'request', { disconnectTimeout: 50 });
  redis.on('error', () => {}); // a refused connection is what this test is about
  const queues = new Queues(redis, config.REDIS_PREFIX);
  const { app } = createApp({ config, db, redis, queues, logger });
  return {
    config,
    http: () => request(app),
    close: async () => {
      await queues.close();
      redis.disconnect();
      await db.$disconnect();
    },
  };
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('with everything up', () => {
  it('GET /health/live is 200', async () => {
    const res = await t.http().get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /health/ready is 200 with postgres and redis up', async () => {
    const res = await t.http().get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });
  });
});

describe('with Redis unreachable', () => {
  let down: ReturnType<typeof buildApp>;
  beforeAll(() => {
    down = buildApp(t.config.DATABASE_URL, { REDIS_URL: CLOSED_REDIS });
  });
  afterAll(async () => down.close());

  it('ready answers 503 naming redis, soon; live still answers 200', async () => {
    const res = await down.http().get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: { code: 'not_ready', message: expect.stringContaining('redis') },
      checks: { postgres: 'up', redis: 'down' },
    });
    expect(res.body.error.message).not.toContain('postgres');
    expect((await down.http().get('/health/live')).status).toBe(200);
  }, 15_000);

  it('the general rate limit fails open: signed-in requests still work', async () => {
    const s = await t.signedIn();
    const res = await down.http().get('/api/v1/auth/me').set(s.auth);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(s.user.id);
  }, 15_000);

  it('the sign-in limit fails closed: login answers 503 JSON rather than going unlimited', async () => {
    const s = await t.signedIn();
    const res = await down
      .http()
      .post('/api/v1/auth/login')
      .send({ email: s.user.email, password: s.password });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: { code: 'service_unavailable', message: expect.stringMatching(/redis/i) },
    });
  }, 15_000);
});

describe('with Postgres unreachable', () => {
  let down: ReturnType<typeof buildApp>;
  beforeAll(() => {
    down = buildApp(CLOSED_POSTGRES, {});
  });
  afterAll(async () => down.close());

  it('ready answers 503 naming postgres, soon', async () => {
    const res = await down.http().get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: { code: 'not_ready', message: expect.stringContaining('postgres') },
      checks: { postgres: 'down', redis: 'up' },
    });
    expect(res.body.error.message).not.toContain('redis');
    expect((await down.http().get('/health/live')).status).toBe(200);
  }, 15_000);

  it('a route that needs the database answers 503 JSON, not 500', async () => {
    const res = await down
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'a@home.test', password: 'whatever' });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { code: 'service_unavailable', message: expect.any(String) } });
    expect(res.headers['retry-after']).toBeTruthy();
  }, 15_000);
});

/** A loopback port with nothing listening on it (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Opens `port` as a plain TCP relay to the real Redis: "Redis comes up" at that address. */
async function relayRedis(port: number): Promise<{ close: () => Promise<void> }> {
  const target = new URL(process.env.REDIS_URL!);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('with Redis down at start-up and back later', () => {
  let late: ReturnType<typeof buildApp>;
  let relay: Awaited<ReturnType<typeof relayRedis>> | undefined;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    late = buildApp(t.config.DATABASE_URL, {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      RATE_LIMIT_PER_MINUTE: '5',
    });
  });
  afterAll(async () => {
    await late.close();
    await relay?.close();
    const keys = await t.redis.keys(`${late.config.REDIS_PREFIX}:*`);
    if (keys.length) await t.redis.del(...keys);
  });

  it('rate limits work again without a restart: sign-in recovers, the general limit counts again', async () => {
    const s = await t.signedIn();
    const before = await late
      .http()
      .post('/api/v1/auth/login')
      .send({ email: s.user.email, password: s.password });
    expect(before.status).toBe(503);

    relay = await relayRedis(port);
    await waitFor(async () => (await late.http().get('/health/ready')).status === 200, { timeoutMs: 10_000 });

    const login = await late
      .http()
      .post('/api/v1/auth/login')
      .send({ email: s.user.email, password: s.password });
    expect(login.status).toBe(200);
    const auth = { Authorization: `Bearer ${login.body.accessToken}` };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await late.http().get('/api/v1/auth/me').set(auth)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  }, 20_000);
});

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, type Db } from '@cinenest/db';
import { createRedis } from '@cinenest/queue';
import {
  createTestDatabase,
  freePort,
  startProcess,
  testEnv,
  waitFor,
  type RunningProcess,
} from '@cinenest/testkit';
import bcrypt from 'bcryptjs';

const API = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
const prefixes: string[] = [];
const started: RunningProcess[] = [];

async function startApi(overrides: Record<string, string> = {}) {
  const port = await freePort();
  const env = testEnv(database.url, { PORT: String(port), ...overrides });
  prefixes.push(env.REDIS_PREFIX!);
  const api = startProcess(API, env);
  started.push(api);
  return { api, env, url: `http://127.0.0.1:${port}` };
}

/** Resolves once the process answers /health/live, or fails with its output. */
async function untilLive(api: RunningProcess, url: string) {
  await waitFor(async () => {
    if (api.child.exitCode !== null) throw new Error(`exited early:\n${api.output()}`);
    return (await fetch(`${url}/health/live`)).ok;
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n${api.output()}`);
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 2 });
});

afterAll(async () => {
  for (const p of started) await p.stop('SIGKILL');
  const redis = createRedis(process.env.REDIS_URL!, 'request');
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
  await db.$disconnect();
  await database.drop();
});

describe('the API process', () => {
  it('answers /health/live and /health/ready with 200', async () => {
    const { api, url } = await startApi();
    await untilLive(api, url);
    const live = await fetch(`${url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });
    expect(await api.stop()).toBe(0);
  });

  it('answers a login in flight when SIGTERM arrives, then exits 0 within 10 s', async () => {
    const email = 'slow-hash@home.test';
    const password = 'a password worth hashing';
    // Cost 12, as in production: the login takes long enough to be in flight when the signal comes.
    await db.user.create({ data: { email, passwordHash: await bcrypt.hash(password, 12) } });
    const { api, url } = await startApi({ LOG_LEVEL: 'http' });
    await untilLive(api, url);

    const login = fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    await new Promise((r) => setTimeout(r, 30));
    api.child.kill('SIGTERM');

    const res = await login;
    expect(res.status).toBe(200);
    // The answer tells the client not to reuse the connection, so the process need not wait for it to idle out.
    expect(res.headers.get('connection')).toBe('close');
    const body = (await res.json()) as { accessToken: string; user: { email: string } };
    expect(body.user.email).toBe(email);
    expect(body.accessToken.split('.')).toHaveLength(3);
    expect(await api.exitWithin(10_000)).toBe(0);

    // The signal really came while the login was being answered: "stopping" is logged before its access-log line.
    const out = api.output();
    const stopping = out.indexOf('stopping');
    const loginLine = out.search(/"path":"\/api\/v1\/auth\/login"/);
    expect(stopping).toBeGreaterThan(-1);
    expect(loginLine).toBeGreaterThan(stopping);
    expect(await db.session.count({ where: { user: { email } } })).toBe(1);
  }, 20_000);

  it('refuses new connections once stopping', async () => {
    const { api, url } = await startApi();
    await untilLive(api, url);
    expect(await api.stop()).toBe(0);
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });

  it('in production without JWT secrets nor DATABASE_URL, exits non-zero naming all three at once', async () => {
    const env = testEnv('postgresql://unused@127.0.0.1/unused', {
      NODE_ENV: 'production',
      PORT: String(await freePort()),
    });
    for (const key of ['DATABASE_URL', 'JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET', 'BCRYPT_COST'])
      delete env[key];
    const api = startProcess(API, env);
    started.push(api);
    const code = await api.exitWithin(10_000);
    expect(typeof code).toBe('number');
    expect(code).not.toBe(0);
    const out = api.output();
    expect(out).toMatch(/JWT_ACCESS_SECRET/);
    expect(out).toMatch(/JWT_REFRESH_SECRET/);
    expect(out).toMatch(/DATABASE_URL/);
    expect(out).not.toMatch(/^\s+at /m); // a list of problems, not a stack trace
  });
});

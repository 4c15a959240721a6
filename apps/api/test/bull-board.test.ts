import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRedis, QUEUE_NAMES } from '@cinenest/queue';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ACCESS_COOKIE } from '../src/auth/cookies.js';
import { startTestApp, type TestApp } from './support.js';

/** Low, so the test can show that polling is not counted and that actions are. */
const LIMIT = 20;
const BOARD = '/admin/queues';
const PASSWORD = 'correct horse battery';
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let t: TestApp;
let workerRedis: Redis;
let worker: Worker;
let adminCookie: string;
let adminId: string;
let userCookie: string;

/** Signs in through the API like a browser and returns the access cookie it was given, as sent back. */
async function cookieLogin(role: 'USER' | 'ADMIN') {
  const email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2)}@board.test`;
  const user = await t.createUser(email, PASSWORD, role);
  const res = await t.http().post('/api/v1/auth/login').send({ email, password: PASSWORD });
  expect(res.status).toBe(200);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const access = setCookie.find((c) => c.startsWith(`${ACCESS_COOKIE}=`));
  expect(access).toMatch(/HttpOnly/i);
  expect(access).toMatch(/SameSite=Strict/i);
  return { cookie: access!.split(';')[0]!, id: user.id };
}

/** A job that failed once on the housekeeping queue, as a worker would have left it. */
async function failedJob(): Promise<Job> {
  const queue = t.deps.queues.get('housekeeping');
  await queue.add('housekeeping.purge-expired', {}, { attempts: 1 });
  const token = `test-${Math.random()}`;
  const job = await worker.getNextJob(token, { block: false });
  if (!job) throw new Error('no job to fail');
  await job.moveToFailed(new Error('boom'), token, false);
  expect(await job.getState()).toBe('failed');
  return job;
}

/** Makes a finished job look a minute old: the board's clean spares jobs younger than 5 s. */
async function backdate(job: Job) {
  const queue = t.deps.queues.get('housekeeping');
  const then = Date.now() - 60_000;
  await t.redis.zadd(queue.toKey('failed'), then, job.id!);
  await t.redis.hset(queue.toKey(job.id!), 'finishedOn', String(then));
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const asCookie = (cookie: string) => ({ Cookie: cookie });

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: String(LIMIT) });
  workerRedis = createRedis(t.config.REDIS_URL, 'worker');
  worker = new Worker('housekeeping', null, {
    connection: workerRedis,
    prefix: t.config.REDIS_PREFIX,
    autorun: false,
  });
  ({ cookie: adminCookie, id: adminId } = await cookieLogin('ADMIN'));
  ({ cookie: userCookie } = await cookieLogin('USER'));
});
afterAll(async () => {
  await worker.close();
  await workerRedis.quit();
  await t.close();
});

describe('who may open the board', () => {
  const paths = [BOARD, `${BOARD}/`, `${BOARD}/api/queues`, `${BOARD}/queue/catalog`];

  it('anonymous: 401 JSON for the page, its API and its assets', async () => {
    for (const path of [...paths, `${BOARD}/static/images/logo.svg`]) {
      const res = await t.http().get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
    const stale = await t
      .http()
      .get(`${BOARD}/api/queues`)
      .set(asCookie(`${ACCESS_COOKIE}=not.a.token`));
    expect(stale.status).toBe(401);
  });

  it('anonymous browser navigation: 401 with a short HTML page that offers to renew the session', async () => {
    const res = await t.http().get(BOARD).set('Accept', HTML);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('Sign in required');
    expect(res.text).toContain('/api/v1/auth/login');
    expect(res.text).toContain(`<script src="${BOARD}/_session/renew.js"></script>`);
    const script = await t.http().get(`${BOARD}/_session/renew.js`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.text).toContain("fetch('/api/v1/auth/refresh'");
  });

  it('a signed-in USER: 403, by cookie or by Bearer token', async () => {
    const viewer = await t.signedIn('USER');
    for (const path of paths) {
      for (const headers of [asCookie(userCookie), viewer.auth]) {
        const res = await t.http().get(path).set(headers);
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
        expect(res.body.error.code).toBe('forbidden');
      }
    }
    const page = await t.http().get(BOARD).set(asCookie(userCookie)).set('Accept', HTML);
    expect(page.status).toBe(403);
    expect(page.text).toContain('Administrators only');
  });

  it('an ADMIN with the login cookie: the page, its assets, and every queue in the API', async () => {
    const page = await t.http().get(BOARD).set(asCookie(adminCookie)).set('Accept', HTML);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain(`<base href="${BOARD}/" />`);
    expect(page.text).toContain('Cinenest queues');
    expect(page.headers['x-powered-by']).toBeUndefined();

    const script = page.text.match(/src="(static\/js\/main\.[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await t.http().get(`${BOARD}/${script}`).set(asCookie(adminCookie));
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);

    const api = await t.http().get(`${BOARD}/api/queues`).set(asCookie(adminCookie));
    expect(api.status).toBe(200);
    const names = (api.body.queues as { name: string }[]).map((q) => q.name);
    expect(names.sort()).toEqual([...QUEUE_NAMES].sort());
  });

  it('the board gets its own CSP; the API keeps helmet’s', async () => {
    const page = await t.http().get(BOARD).set(asCookie(adminCookie));
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).not.toContain('unsafe-eval');
    const api = await t.http().get('/health/live');
    expect(api.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    expect(api.headers['content-security-policy']).not.toBe(csp);
  });
});

describe('actions through the board', () => {
  it('an ADMIN retries a failed job: it is waiting again, and the action is audited', async () => {
    const job = await failedJob();
    const res = await t
      .http()
      .put(`${BOARD}/api/queues/housekeeping/${job.id}/retry`)
      .set(asCookie(adminCookie))
      .set('Sec-Fetch-Site', 'same-origin');
    expect(res.status).toBe(204);
    expect(await job.getState()).toBe('waiting');

    const rows = await eventually(
      () => t.db.auditLog.findMany({ where: { type: 'queues.action', actorId: adminId } }),
      (r) => r.some((row) => (row.meta as { path?: string }).path?.endsWith(`/${job.id}/retry`)),
    );
    const row = rows.find((r) => (r.meta as { path?: string }).path?.endsWith(`/${job.id}/retry`));
    expect(row).toMatchObject({
      actorId: adminId,
      ip: expect.any(String),
      meta: { method: 'PUT', path: `/api/queues/housekeeping/${job.id}/retry`, status: 204 },
    });
    await t.deps.queues.get('housekeeping').remove(job.id!);
  });

  it('an ADMIN cleans the failed jobs of a queue, and removes one job', async () => {
    const queue = t.deps.queues.get('housekeeping');
    const [a, b] = [await failedJob(), await failedJob()];
    await backdate(a);
    await backdate(b);
    expect(await queue.getFailedCount()).toBe(2);
    const clean = await t
      .http()
      .put(`${BOARD}/api/queues/housekeeping/clean/failed`)
      .set(asCookie(adminCookie));
    expect(clean.status).toBe(200);
    expect(await queue.getFailedCount()).toBe(0);

    const c = await failedJob();
    const remove = await t
      .http()
      .put(`${BOARD}/api/queues/housekeeping/${c.id}/clean`)
      .set(asCookie(adminCookie));
    expect(remove.status).toBe(204);
    expect(await queue.getJob(c.id!)).toBeFalsy();
  });

  it('a USER cannot retry (403) and the job stays failed', async () => {
    const job = await failedJob();
    const res = await t
      .http()
      .put(`${BOARD}/api/queues/housekeeping/${job.id}/retry`)
      .set(asCookie(userCookie));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await job.getState()).toBe('failed');
    const anonymous = await t.http().put(`${BOARD}/api/queues/housekeeping/${job.id}/retry`);
    expect(anonymous.status).toBe(401);
    expect(await job.getState()).toBe('failed');
    await job.remove();
  });

  it('an action a browser marks as coming from another origin is refused, even with the admin cookie', async () => {
    const job = await failedJob();
    for (const site of ['cross-site', 'same-site']) {
      const res = await t
        .http()
        .put(`${BOARD}/api/queues/housekeeping/${job.id}/retry`)
        .set(asCookie(adminCookie))
        .set('Sec-Fetch-Site', site);
      expect({ site, status: res.status }).toEqual({ site, status: 403 });
    }
    expect(await job.getState()).toBe('failed');
    await job.remove();
  });
});

describe('the general rate limit', () => {
  it('does not count the board’s reads (its polling); it counts its actions with the admin’s other requests', async () => {
    const admin = await cookieLogin('ADMIN');
    // Polling three times the per-minute limit: every answer is 200 ...
    for (let i = 0; i < LIMIT * 3; i++) {
      const res = await t.http().get(`${BOARD}/api/queues`).set(asCookie(admin.cookie));
      expect({ i, status: res.status }).toEqual({ i, status: 200 });
    }
    // ... and the admin's budget for the rest of the API is untouched.
    const me = await t.http().get('/api/v1/auth/me').set(asCookie(admin.cookie));
    expect(me.status).toBe(200);
    expect(Number(/remaining=(\d+)/.exec(String(me.headers['ratelimit']))?.[1])).toBe(LIMIT - 1);

    // Actions are counted: the budget runs out and the next action answers 429.
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const res = await t
        .http()
        .put(`${BOARD}/api/queues/housekeeping/no-such-job/retry`)
        .set(asCookie(admin.cookie));
      statuses.push(res.status);
    }
    expect(statuses.slice(0, LIMIT - 1).every((s) => s === 404)).toBe(true);
    expect(statuses[LIMIT - 1]).toBe(429);
    // Reads still work while the actions are limited.
    expect((await t.http().get(`${BOARD}/api/queues`).set(asCookie(admin.cookie))).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startReplica, startTestApp, type TestApp } from './support.js';

const LIMIT = 5;

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startTestApp({ RATE_LIMIT_LOGIN_PER_MINUTE: String(LIMIT) });
  // A second API replica: same database, same Redis prefix, separate Express app and Redis client.
  b = await startReplica(a, { RATE_LIMIT_LOGIN_PER_MINUTE: String(LIMIT) });
});
afterAll(async () => {
  await b.close();
  await a.close();
});

const attempt = (app: TestApp, email: string, password = 'wrong password') =>
  app.http().post('/api/v1/auth/login').send({ email, password });

function expectRateLimited(res: { status: number; body: unknown; headers: Record<string, string> }) {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('sign-in attempts', () => {
  it(`allows ${LIMIT} a minute per IP and email; the next answers 429 with Retry-After`, async () => {
    const email = 'target@home.test';
    for (let i = 0; i < LIMIT; i++) expect((await attempt(a, email)).status).toBe(401);
    const limited = await attempt(a, email);
    expectRateLimited(limited);
    expect(limited.headers['x-request-id']).toBeTruthy();
    // Even the right password is refused now; the limit is not only for failures.
    await a.createUser('target@home.test', 'the right password');
    expectRateLimited(await attempt(a, email, 'the right password'));
    // The same address spelled differently is the same key.
    expectRateLimited(await attempt(a, ' TARGET@home.test '));
  });

  it('another email from the same IP still gets through', async () => {
    await a.createUser('bystander@home.test', 'bystander password');
    expect((await attempt(a, 'bystander@home.test', 'bystander password')).status).toBe(200);
    expect((await attempt(a, 'someone-else@home.test')).status).toBe(401);
  });

  it('writes a rate_limit.hit audit row naming the limiter', async () => {
    const hits = await a.db.auditLog.findMany({ where: { type: 'rate_limit.hit' } });
    expect(hits.length).toBeGreaterThanOrEqual(3);
    expect(hits[0]).toMatchObject({
      ip: expect.any(String),
      meta: { limiter: 'login', path: '/api/v1/auth/login' },
    });
  });

  it('holds across two replicas: attempts split between them still meet the limit', async () => {
    const email = 'split@home.test';
    await a.createUser(email, 'split password');
    // Both replicas serve the same users (one database) ...
    expect((await attempt(b, email, 'split password')).status).toBe(200);
    // ... and count in the same place (one Redis): 1 (above) + 4 more, alternating, is the limit.
    for (let i = 0; i < LIMIT - 1; i++) expect((await attempt(i % 2 ? b : a, email)).status).toBe(401);
    expectRateLimited(await attempt(a, email));
    expectRateLimited(await attempt(b, email, 'split password'));
  });

  it('concurrent attempts across both replicas let exactly the limit through', async () => {
    const email = 'burst@home.test';
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(i % 2 ? b : a, email)));
    const statuses = all.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - LIMIT);
  });
});

describe('the general per-user limit', () => {
  let g: TestApp;
  beforeAll(async () => {
    g = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => g.close());

  it('answers 429 on the 4th request in a minute, per user, and audits it', async () => {
    const one = await g.signedIn('USER');
    for (let i = 0; i < 3; i++)
      expect((await g.http().get('/api/v1/auth/me').set(one.auth)).status).toBe(200);
    expectRateLimited(await g.http().get('/api/v1/auth/me').set(one.auth));
    expectRateLimited(await g.http().get('/api/v1/auth/sessions').set(one.auth));

    // Counted per user, not per IP: another user from the same address is unaffected.
    const two = await g.signedIn('USER');
    expect((await g.http().get('/api/v1/auth/me').set(two.auth)).status).toBe(200);

    const hits = await g.db.auditLog.findMany({ where: { type: 'rate_limit.hit' } });
    expect(hits).toHaveLength(2);
    expect(hits[0]).toMatchObject({
      userId: one.user.id,
      ip: expect.any(String),
      meta: { limiter: 'general' },
    });
  });

  it('health probes are not counted', async () => {
    for (let i = 0; i < 5; i++) expect((await g.http().get('/health/live')).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response, Test } from 'supertest';
import { startTestApp, type TestApp } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let t: TestApp;
let small: TestApp;
let cors: TestApp;
beforeAll(async () => {
  [t, small, cors] = await Promise.all([
    startTestApp(),
    startTestApp({ BODY_LIMIT: '1kb' }),
    startTestApp({ CORS_ORIGINS: 'https://tv.example' }),
  ]);
});
afterAll(async () => Promise.all([t, small, cors].map((app) => app.close())));

/** Every error answers JSON `{"error":{"code","message"}}` (and `fields` for validation). */
function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String) }),
  });
  expect(Object.keys(res.body)).toEqual(['error']);
  const extra = Object.keys(res.body.error).filter((k) => k !== 'code' && k !== 'message');
  expect(extra.every((k) => k === 'fields')).toBe(true);
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

describe('request ids', () => {
  it('echoes a sane X-Request-Id', async () => {
    const res = await t.http().get('/health/live').set('X-Request-Id', 'tv-42.retry:3_a');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('tv-42.retry:3_a');
  });

  it('generates one when none is sent, a new one per request', async () => {
    const [one, two] = await Promise.all([t.http().get('/health/live'), t.http().get('/health/live')]);
    expect(one.headers['x-request-id']).toMatch(UUID);
    expect(two.headers['x-request-id']).toMatch(UUID);
    expect(one.headers['x-request-id']).not.toBe(two.headers['x-request-id']);
  });

  it('replaces an id that is not sane (spaces, markup, too long)', async () => {
    for (const bad of ['has spaces', '<script>', 'x'.repeat(129), 'semi;colon']) {
      const res = await t.http().get('/health/live').set('X-Request-Id', bad);
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
  });

  it('is on every response: success, 204, 400, 401, 404, 405, 413, preflight', async () => {
    const s = await t.signedIn();
    const responses = await Promise.all([
      t.http().get('/health/ready'),
      t.http().post('/api/v1/auth/logout').set(s.auth),
      t.http().post('/api/v1/auth/login').send({}),
      t.http().get('/api/v1/auth/me'),
      t.http().get('/nowhere'),
      t.http().put('/api/v1/auth/me'),
      small
        .http()
        .post('/api/v1/auth/login')
        .send({ email: 'a@b.test', password: 'x'.repeat(2000) }),
      cors
        .http()
        .options('/api/v1/auth/login')
        .set('Origin', 'https://tv.example')
        .set('Access-Control-Request-Method', 'POST'),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 204, 400, 401, 404, 405, 413, 204]);
    for (const res of responses) expect(res.headers['x-request-id']).toMatch(UUID);
  });
});

describe('bodies', () => {
  it('malformed JSON is 400 malformed_json', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.test",');
    expectError(res, 400, 'malformed_json');
  });

  it('a JSON scalar where an object is expected is refused', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('"just a string"');
    expectError(res, 400, 'malformed_json');
  });

  it('a body over BODY_LIMIT is 413 payload_too_large, before any route runs', async () => {
    const res = await small
      .http()
      .post('/api/v1/auth/setup')
      .send({ email: 'big@home.test', password: 'x'.repeat(2048) });
    expectError(res, 413, 'payload_too_large');
    expect(await small.db.user.count()).toBe(0);
    // Just under the limit is fine.
    const ok = await small
      .http()
      .post('/api/v1/auth/setup')
      .send({ email: 'fits@home.test', password: 'x'.repeat(100) });
    expect(ok.status).toBe(201);
  });

  it('unknown fields are 400, naming the field', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/setup')
      .send({ email: 'x@home.test', password: 'long enough', role: 'ADMIN' });
    expectError(res, 400, 'validation_failed');
    expect(res.body.error.fields).toEqual({ role: 'is not an accepted field' });
    expect(await t.db.user.count({ where: { email: 'x@home.test' } })).toBe(0);

    const login = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'x@home.test', password: 'pw', isAdmin: true });
    expectError(login, 400, 'validation_failed');
    expect(login.body.error.fields).toHaveProperty('isAdmin');
  });

  it('bad fields are named in fields', async () => {
    const res = await t.http().post('/api/v1/auth/login').send({ email: 42 });
    expectError(res, 400, 'validation_failed');
    expect(Object.keys(res.body.error.fields).sort()).toEqual(['email', 'password']);
    expect(res.body.error.fields.email).toEqual(expect.any(String));
  });
});

describe('routing', () => {
  it('an unknown route is 404 JSON not_found', async () => {
    for (const res of await Promise.all([
      t.http().get('/api/v1/nothing-here'),
      t.http().post('/api/v1/auth/nothing'),
      t.http().get('/'),
    ])) {
      expectError(res, 404, 'not_found');
    }
  });

  it('a known path with the wrong method is 405 with Allow', async () => {
    const login = await t.http().delete('/api/v1/auth/login');
    expectError(login, 405, 'method_not_allowed');
    expect(login.headers.allow).toBe('POST');

    const me = await t.http().post('/api/v1/auth/me');
    expectError(me, 405, 'method_not_allowed');
    expect(me.headers.allow!.split(', ').sort()).toEqual(['GET', 'HEAD']);

    const user = await t.http().get('/api/v1/users/5b0c4f0e-1e3e-4c47-9d5b-1f6f2d3a4b5c');
    expectError(user, 405, 'method_not_allowed');
    expect(user.headers.allow!.split(', ').sort()).toEqual(['DELETE', 'PATCH']);
  });

  it('HEAD on a GET route works', async () => {
    const res = await t.http().head('/health/live');
    expect(res.status).toBe(200);
  });
});

describe('security headers', () => {
  it('sets helmet headers and hides the framework', async () => {
    for (const res of [await t.http().get('/health/live'), await t.http().get('/nowhere')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    cors
      .http()
      .options('/api/v1/auth/login')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,authorization');

  it('allows a listed origin, with credentials', async () => {
    const res = await preflight('https://tv.example');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://tv.example');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
  });

  it('gives an unlisted origin nothing to go on', async () => {
    const res = await preflight('https://evil.example');
    // Without Access-Control-Allow-Origin the browser refuses the request (the cors package still
    // sends Access-Control-Allow-Credentials, which alone grants nothing).
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await cors.http().get('/health/live').set('Origin', 'https://evil.example');
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets a listed origin read the request id and rate-limit headers', async () => {
    const res = await cors.http().get('/health/live').set('Origin', 'https://tv.example');
    expect(res.headers['access-control-allow-origin']).toBe('https://tv.example');
    const exposed = res.headers['access-control-expose-headers']!.toLowerCase();
    for (const h of ['x-request-id', 'retry-after']) expect(exposed).toContain(h);
  });

  it('with no CORS_ORIGINS, no origin is allowed', async () => {
    const res = await t
      .http()
      .options('/api/v1/auth/login')
      .set('Origin', 'https://tv.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('error bodies', () => {
  it('every error has the shape {error:{code,message}} and no stack outside 500s', async () => {
    const admin = await t.signedIn('ADMIN');
    const user = await t.signedIn('USER');
    const cases: [Test, number, string][] = [
      [t.http().get('/api/v1/auth/me'), 401, 'unauthorized'],
      [t.http().get('/api/v1/auth/me').set('Authorization', 'Bearer not.a.jwt'), 401, 'invalid_token'],
      [t.http().get('/api/v1/auth/me').set('Authorization', 'Basic dXNlcjpwdw=='), 401, 'unauthorized'],
      [t.http().get('/api/v1/users').set(user.auth), 403, 'forbidden'],
      [
        t
          .http()
          .post('/api/v1/users')
          .set(admin.auth)
          .send({ email: user.user.email, password: 'long enough' }),
        409,
        'email_taken',
      ],
      [
        t.http().post('/api/v1/auth/login').send({ email: 'nobody@home.test', password: 'wrong' }),
        401,
        'invalid_credentials',
      ],
      [t.http().delete(`/api/v1/users/not-a-uuid`).set(admin.auth), 400, 'validation_failed'],
      [t.http().get('/api/v1/users?pageSize=101').set(admin.auth), 400, 'validation_failed'],
      [
        t.http().post('/api/v1/auth/setup').send({ email: 'late@home.test', password: 'long enough' }),
        409,
        'already_set_up',
      ],
    ];
    for (const [req, status, code] of cases) {
      const res = await req;
      expectError(res, status, code);
      expect(res.body.error).not.toHaveProperty('stack');
    }
  });
});

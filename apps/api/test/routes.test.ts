import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RegisteredRoute } from '../src/http/routes.js';
import { startTestApp, type TestApp } from './support.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const label = (r: RegisteredRoute) => `${r.method.toUpperCase()} ${r.path}`;

/** Calls a route from the table, with a random UUID for every `:param`. */
function call(r: RegisteredRoute, headers: Record<string, string> = {}, body: object = {}) {
  const path = r.path.replace(/:[A-Za-z]+/g, () => randomUUID());
  const req = t.http()[r.method](path).set(headers);
  return r.method === 'get' || r.method === 'delete' ? req : req.send(body);
}

/** Public on purpose. A new public route must be added here deliberately. */
const PUBLIC = [
  'GET /health/live',
  'GET /health/ready',
  'POST /api/v1/auth/setup',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/device',
  'POST /api/v1/auth/device/token',
  'GET /api/v1/status',
];

/** What exists today; the table may grow, never lose these. */
const EXPECTED: Pick<RegisteredRoute, 'method' | 'path' | 'access'>[] = [
  { method: 'get', path: '/health/live', access: 'public' },
  { method: 'get', path: '/health/ready', access: 'public' },
  { method: 'post', path: '/api/v1/auth/setup', access: 'public' },
  { method: 'post', path: '/api/v1/auth/login', access: 'public' },
  { method: 'post', path: '/api/v1/auth/refresh', access: 'public' },
  { method: 'post', path: '/api/v1/auth/logout', access: 'user' },
  { method: 'get', path: '/api/v1/auth/me', access: 'user' },
  { method: 'get', path: '/api/v1/auth/sessions', access: 'user' },
  { method: 'delete', path: '/api/v1/auth/sessions/:id', access: 'user' },
  { method: 'put', path: '/api/v1/auth/password', access: 'user' },
  { method: 'post', path: '/api/v1/auth/device', access: 'public' },
  { method: 'post', path: '/api/v1/auth/device/approve', access: 'user' },
  { method: 'post', path: '/api/v1/auth/device/deny', access: 'user' },
  { method: 'post', path: '/api/v1/auth/device/token', access: 'public' },
  { method: 'get', path: '/api/v1/users', access: 'admin' },
  { method: 'post', path: '/api/v1/users', access: 'admin' },
  { method: 'patch', path: '/api/v1/users/:id', access: 'admin' },
  { method: 'delete', path: '/api/v1/users/:id', access: 'admin' },
  { method: 'get', path: '/api/v1/admin/audit', access: 'admin' },
  { method: 'put', path: '/api/v1/progress/movies/:tmdbId', access: 'user' },
  { method: 'delete', path: '/api/v1/progress/movies/:tmdbId', access: 'user' },
  { method: 'get', path: '/api/v1/progress/continue-watching', access: 'user' },
  { method: 'get', path: '/api/v1/progress/watched', access: 'user' },
  { method: 'post', path: '/api/v1/movies/:tmdbId/stream', access: 'user' },
  { method: 'delete', path: '/api/v1/streams/:tokenId', access: 'user' },
  { method: 'get', path: '/api/v1/admin/storage', access: 'admin' },
  { method: 'delete', path: '/api/v1/admin/storage/:id', access: 'admin' },
];

describe('the route table', () => {
  it('has at least every route that exists today, each once, each described', () => {
    expect(t.routes.length).toBeGreaterThanOrEqual(EXPECTED.length);
    expect(t.routes).toEqual(expect.arrayContaining(EXPECTED.map((r) => expect.objectContaining(r))));
    const labels = t.routes.map(label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const r of t.routes) expect(r.summary.length).toBeGreaterThan(0);
  });

  it('public routes are exactly the allow-list', () => {
    expect(
      t.routes
        .filter((r) => r.access === 'public')
        .map(label)
        .sort(),
    ).toEqual([...PUBLIC].sort());
  });

  it('everything under /api/v1/admin and /api/v1/users is admin-only', () => {
    const adminish = t.routes.filter((r) => /^\/api\/v1\/(admin|users)(\/|$)/.test(r.path));
    expect(adminish.length).toBeGreaterThanOrEqual(5);
    for (const r of adminish)
      expect({ route: label(r), access: r.access }).toEqual({ route: label(r), access: 'admin' });
  });
});

describe('every protected route', () => {
  it('answers 401 without a token, and with a bad one', async () => {
    const forged = { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' };
    const protectedRoutes = t.routes.filter((r) => r.access !== 'public');
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(
      EXPECTED.filter((r) => r.access !== 'public').length,
    );
    for (const r of protectedRoutes) {
      for (const headers of [{}, forged]) {
        const res = await call(r, headers);
        expect({ route: label(r), status: res.status }).toEqual({ route: label(r), status: 401 });
        expect(res.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
      }
    }
  });

  it('an admin route answers 403 to a USER, and is reachable by an ADMIN', async () => {
    const user = await t.signedIn('USER');
    const admin = await t.signedIn('ADMIN');
    const adminRoutes = t.routes.filter((r) => r.access === 'admin');
    expect(adminRoutes.length).toBeGreaterThanOrEqual(EXPECTED.filter((r) => r.access === 'admin').length);
    for (const r of adminRoutes) {
      const asUser = await call(r, user.auth);
      expect({ route: label(r), status: asUser.status }).toEqual({ route: label(r), status: 403 });
      expect(asUser.body.error.code).toBe('forbidden');
      const asAdmin = await call(r, admin.auth);
      expect({ route: label(r), refused: [401, 403].includes(asAdmin.status) }).toEqual({
        route: label(r),
        refused: false,
      });
    }
    // The USER is still signed in: the 403s did not end the session.
    await t.http().get('/api/v1/auth/me').set(user.auth).expect(200);
  });

  it('a user route is reachable by a USER', async () => {
    const user = await t.signedIn('USER');
    // Logout ends the session, so it goes last.
    const last = (r: RegisteredRoute) => Number(r.path.endsWith('/logout'));
    const userRoutes = t.routes.filter((r) => r.access === 'user').sort((a, b) => last(a) - last(b));
    for (const r of userRoutes) {
      const res = await call(r, user.auth);
      expect({ route: label(r), refused: [401, 403].includes(res.status) }).toEqual({
        route: label(r),
        refused: false,
      });
    }
  });
});

describe('every public route', () => {
  it('treats a bad or stale token as no token', async () => {
    const stale = await t.signedIn('USER');
    await t.http().post('/api/v1/auth/logout').set(stale.auth).expect(204);
    const tokens = [
      { Authorization: 'Bearer not-a-token' },
      stale.auth,
      { Cookie: `cinenest_access=${stale.accessToken}` },
    ];
    // With an empty body nothing changes but a new device code. Device polls each get their own
    // unknown code, so the poll limit (per code) does not answer instead.
    const body = (r: RegisteredRoute) =>
      r.path.endsWith('/device/token') ? { deviceCode: randomUUID() } : {};
    for (const r of t.routes.filter((x) => x.access === 'public')) {
      const anonymous = await call(r, {}, body(r));
      for (const headers of tokens) {
        const res = await call(r, headers, body(r));
        expect({ route: label(r), status: res.status, code: res.body.error?.code }).toEqual({
          route: label(r),
          status: anonymous.status,
          code: anonymous.body.error?.code,
        });
      }
    }
  });
});

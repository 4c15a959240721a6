import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('first admin setup', () => {
  it('creates the first admin once; concurrent attempts make exactly one', async () => {
    const attempts = await Promise.all(
      ['a', 'b', 'c'].map((n) =>
        t
          .http()
          .post('/api/v1/auth/setup')
          .send({ email: `${n}@home.test`, password: 'longenough1' }),
      ),
    );
    const statuses = attempts.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
    const created = attempts.find((r) => r.status === 201)!;
    expect(created.body.user.role).toBe('ADMIN');
    expect(created.body.user).not.toHaveProperty('passwordHash');
    expect(attempts.find((r) => r.status === 409)!.body.error.code).toBe('already_set_up');
    expect(await t.db.user.count()).toBe(1);
    const again = await t
      .http()
      .post('/api/v1/auth/setup')
      .send({ email: 'late@home.test', password: 'longenough1' });
    expect(again.status).toBe(409);
  });

  it('names the bad fields', async () => {
    const res = await t.http().post('/api/v1/auth/setup').send({ email: 'not-an-email', password: 'short' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(Object.keys(res.body.error.fields).sort()).toEqual(['email', 'password']);
  });
});

describe('login', () => {
  it('answers tokens, the user, and httpOnly SameSite=Strict cookies', async () => {
    await t.createUser('viewer@home.test', 'viewer-password');
    const res = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'Viewer@Home.test ', password: 'viewer-password' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ expiresIn: 900, user: { email: 'viewer@home.test', role: 'USER' } });
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    expect(typeof res.body.refreshToken).toBe('string');
    const cookies = res.headers['set-cookie'] as unknown as string[];
    expect(cookies.find((c) => c.startsWith('cinenest_access='))).toMatch(/HttpOnly/);
    expect(cookies.find((c) => c.startsWith('cinenest_access='))).toMatch(/SameSite=Strict/);
    expect(cookies.find((c) => c.startsWith('cinenest_refresh='))).toMatch(
      /HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/,
    );
    const stored = await t.db.refreshToken.findMany();
    expect(stored.some((r) => r.tokenHash === res.body.refreshToken)).toBe(false);
  });

  it('stores passwords with bcrypt, never in plain text', async () => {
    const user = await t.db.user.findUniqueOrThrow({ where: { email: 'viewer@home.test' } });
    expect(user.passwordHash).toMatch(/^\$2[aby]\$/);
  });

  it('answers a wrong email and a wrong password the same way', async () => {
    const wrongPassword = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'viewer@home.test', password: 'nope-nope' });
    const wrongEmail = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'ghost@home.test', password: 'nope-nope' });
    expect(wrongPassword.status).toBe(401);
    expect(wrongEmail.status).toBe(401);
    expect(wrongPassword.body).toEqual(wrongEmail.body);
    const failures = await t.db.auditLog.findMany({ where: { type: 'auth.login_failed' } });
    expect(failures.map((f) => f.email).sort()).toEqual(['ghost@home.test', 'viewer@home.test']);
    expect(failures[0]!.ip).toBeTruthy();
  });

  it('works with the cookie alone, as a browser would', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'viewer@home.test', password: 'viewer-password' });
    const cookie = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const me = await t.http().get('/api/v1/auth/me').set('Cookie', cookie);
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe('viewer@home.test');
  });
});

describe('refresh tokens', () => {
  it('rotates on every use; presenting a rotated token revokes the whole family', async () => {
    const first = await t.signedIn();
    const second = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    const me = await t
      .http()
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${second.body.accessToken}`);
    expect(me.status).toBe(200);

    const replay = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    const newer = await t
      .http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: second.body.refreshToken });
    expect(newer.status).toBe(401);
    const meAfter = await t
      .http()
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${second.body.accessToken}`);
    expect(meAfter.status).toBe(401);
    const suspicious = await t.db.auditLog.findMany({
      where: { type: 'auth.refresh_reuse', userId: first.user.id },
    });
    expect(suspicious).toHaveLength(1);
    expect(suspicious[0]!.meta).toMatchObject({ suspicious: true });
  });

  it('takes the refresh token from the cookie too', async () => {
    const login = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'viewer@home.test', password: 'viewer-password' });
    const refreshCookie = (login.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('cinenest_refresh='),
    )!;
    const res = await t.http().post('/api/v1/auth/refresh').set('Cookie', refreshCookie.split(';')[0]!);
    expect(res.status).toBe(200);
  });

  it('rejects unknown tokens and an empty request', async () => {
    expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: 'made-up' })).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/refresh').send({})).status).toBe(401);
  });
});

describe('expiry', () => {
  let short: TestApp;
  beforeAll(async () => {
    short = await startTestApp({ ACCESS_TOKEN_TTL: '1', SESSION_MAX_AGE: '2' });
  });
  afterAll(async () => short.close());

  it('an access token stops working after its TTL, and the chain ends at the session max age', async () => {
    const s = await short.signedIn();
    expect((await short.http().get('/api/v1/auth/me').set(s.auth)).status).toBe(200);
    const refreshed = await short.http().post('/api/v1/auth/refresh').send({ refreshToken: s.refreshToken });
    expect(refreshed.status).toBe(200);
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await short.http().get('/api/v1/auth/me').set(s.auth);
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('token_expired');
    const tooOld = await short
      .http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: refreshed.body.refreshToken });
    expect(tooOld.status).toBe(401);
  });
});

describe('sessions, logout and password change', () => {
  it('lists my devices, signs one out, and logout ends the current one', async () => {
    const a = await t.signedIn('USER', 'devices@home.test');
    const b = await t.login('devices@home.test', a.password);
    const list = await t.http().get('/api/v1/auth/sessions').set(a.auth);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    const current = list.body.items.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({ ip: expect.any(String), lastUsedAt: expect.any(String) });

    const other = list.body.items.find((s: { current: boolean }) => !s.current);
    expect((await t.http().delete(`/api/v1/auth/sessions/${other.id}`).set(a.auth)).status).toBe(204);
    expect(
      (await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${b.accessToken}`)).status,
    ).toBe(401);
    expect((await t.http().delete(`/api/v1/auth/sessions/${other.id}`).set(a.auth)).status).toBe(404);
    expect((await t.http().delete('/api/v1/auth/sessions/not-a-uuid').set(a.auth)).status).toBe(400);

    expect((await t.http().post('/api/v1/auth/logout').set(a.auth)).status).toBe(204);
    expect((await t.http().get('/api/v1/auth/me').set(a.auth)).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: a.refreshToken })).status).toBe(
      401,
    );
  });

  it('changing my password signs my other devices out and keeps this one', async () => {
    const a = await t.signedIn('USER', 'changer@home.test');
    const b = await t.login('changer@home.test', a.password);
    const wrong = await t
      .http()
      .put('/api/v1/auth/password')
      .set(a.auth)
      .send({ currentPassword: 'bad', newPassword: 'a new password' });
    expect(wrong.status).toBe(401);
    const res = await t
      .http()
      .put('/api/v1/auth/password')
      .set(a.auth)
      .send({ currentPassword: a.password, newPassword: 'a new password' });
    expect(res.status).toBe(204);
    expect((await t.http().get('/api/v1/auth/me').set(a.auth)).status).toBe(200);
    expect(
      (await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${b.accessToken}`)).status,
    ).toBe(401);
    expect(
      (await t.http().post('/api/v1/auth/login').send({ email: 'changer@home.test', password: a.password }))
        .status,
    ).toBe(401);
    expect(
      (
        await t
          .http()
          .post('/api/v1/auth/login')
          .send({ email: 'changer@home.test', password: 'a new password' })
      ).status,
    ).toBe(200);
  });

  it('rejects a tampered or foreign-signed access token', async () => {
    const a = await t.signedIn();
    const [h, p] = a.accessToken.split('.');
    const tampered = `${h}.${p}.${'x'.repeat(43)}`;
    const res = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${tampered}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token');
  });
});

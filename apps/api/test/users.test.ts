import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support.js';

type SignedIn = Awaited<ReturnType<TestApp['signedIn']>>;

const UA = 'cinenest-tests/1.0';

let t: TestApp;
let admin: SignedIn;
let viewer: SignedIn;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.signedIn('ADMIN', 'boss@home.test');
  viewer = await t.signedIn('USER', 'viewer@home.test');
});
afterAll(async () => t.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

function createUser(body: Record<string, unknown>, as: SignedIn = admin) {
  return t.http().post('/api/v1/users').set(as.auth).set('User-Agent', UA).send(body);
}

describe('who may manage users', () => {
  it('a USER gets 403 on every user-management and audit endpoint; nothing changes', async () => {
    const id = admin.user.id;
    const attempts = [
      t.http().get('/api/v1/users'),
      t.http().post('/api/v1/users').send({ email: 'sneaky@home.test', password: 'long enough pw' }),
      t.http().patch(`/api/v1/users/${viewer.user.id}`).send({ role: 'ADMIN' }),
      t.http().patch(`/api/v1/users/${id}`).send({ active: false }),
      t.http().delete(`/api/v1/users/${id}`),
      t.http().get('/api/v1/admin/audit'),
    ];
    for (const req of attempts) expectError(await req.set(viewer.auth), 403, 'forbidden');
    expect(await t.db.user.count({ where: { email: 'sneaky@home.test' } })).toBe(0);
    expect((await t.db.user.findUniqueOrThrow({ where: { id: viewer.user.id } })).role).toBe('USER');
    expect((await t.db.user.findUniqueOrThrow({ where: { id } })).active).toBe(true);
  });

  it('without a token: 401', async () => {
    expectError(await t.http().get('/api/v1/users'), 401, 'unauthorized');
    expectError(await t.http().get('/api/v1/admin/audit'), 401, 'unauthorized');
  });
});

describe('creating users', () => {
  it('creates a user (201) who can sign in; the password is never returned', async () => {
    const res = await createUser({
      email: ' New.Person@Home.test ',
      password: 'a long password',
      displayName: 'New',
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.any(String),
      email: 'new.person@home.test',
      role: 'USER',
      displayName: 'New',
      active: true,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password/i);
    const login = await t.login('new.person@home.test', 'a long password');
    expect(login.user.id).toBe(res.body.user.id);
  });

  it('can create an admin', async () => {
    const res = await createUser({
      email: 'second-admin-candidate@home.test',
      password: 'a long password',
      role: 'ADMIN',
    });
    expect(res.status).toBe(201);
    expect(res.body.user.role).toBe('ADMIN');
    await t.http().delete(`/api/v1/users/${res.body.user.id}`).set(admin.auth).expect(204);
  });

  it('a taken email is 409 email_taken, whatever its case', async () => {
    await createUser({ email: 'twice@home.test', password: 'a long password' }).expect(201);
    expectError(
      await createUser({ email: 'twice@home.test', password: 'another password' }),
      409,
      'email_taken',
    );
    expectError(
      await createUser({ email: 'TWICE@home.test', password: 'another password' }),
      409,
      'email_taken',
    );
    expect(await t.db.user.count({ where: { email: 'twice@home.test' } })).toBe(1);
  });

  it('names the bad fields', async () => {
    const res = await createUser({ email: 'not-an-email', password: 'short' });
    expectError(res, 400, 'validation_failed');
    expect(Object.keys(res.body.error.fields).sort()).toEqual(['email', 'password']);

    const role = await createUser({ email: 'ok@home.test', password: 'a long password', role: 'ROOT' });
    expectError(role, 400, 'validation_failed');
    expect(Object.keys(role.body.error.fields)).toEqual(['role']);

    const missing = await createUser({});
    expectError(missing, 400, 'validation_failed');
    expect(Object.keys(missing.body.error.fields).sort()).toEqual(['email', 'password']);
    expect(await t.db.user.count({ where: { email: 'ok@home.test' } })).toBe(0);
  });
});

describe('listing users', () => {
  it('pages with page, pageSize and total', async () => {
    const total = await t.db.user.count();
    expect(total).toBeGreaterThanOrEqual(4);
    const first = await t.http().get('/api/v1/users?page=1&pageSize=2').set(admin.auth);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, pageSize: 2, total });
    expect(first.body.items).toHaveLength(2);
    const second = await t.http().get('/api/v1/users').query({ page: 2, pageSize: 2 }).set(admin.auth);
    expect(second.body).toMatchObject({ page: 2, pageSize: 2, total });
    const firstIds = first.body.items.map((u: { id: string }) => u.id);
    for (const u of second.body.items) expect(firstIds).not.toContain(u.id);
    for (const u of [...first.body.items, ...second.body.items]) expect(u).not.toHaveProperty('passwordHash');

    const all = await t.http().get('/api/v1/users?pageSize=100').set(admin.auth);
    expect(all.body.items).toHaveLength(total);
    expect(all.body.items[0].email).toBe('boss@home.test');
    const beyond = await t
      .http()
      .get(`/api/v1/users?page=${total + 1}&pageSize=1`)
      .set(admin.auth);
    expect(beyond.status).toBe(200);
    expect(beyond.body).toMatchObject({ items: [], total });
  });

  it('defaults to page 1 of 20', async () => {
    const res = await t.http().get('/api/v1/users').set(admin.auth);
    expect(res.body).toMatchObject({ page: 1, pageSize: 20 });
  });

  it('searches by email or display name', async () => {
    const res = await t.http().get('/api/v1/users').query({ q: 'NEW.PERSON' }).set(admin.auth);
    expect(res.body.total).toBe(1);
    expect(res.body.items[0].email).toBe('new.person@home.test');
  });

  it('rejects pageSize over 100 and other bad paging, naming the parameter', async () => {
    const big = await t.http().get('/api/v1/users?pageSize=101').set(admin.auth);
    expectError(big, 400, 'validation_failed');
    expect(Object.keys(big.body.error.fields)).toEqual(['pageSize']);
    for (const q of ['page=0', 'page=abc', 'pageSize=0', 'pageSize=2.5']) {
      const res = await t.http().get(`/api/v1/users?${q}`).set(admin.auth);
      expectError(res, 400, 'validation_failed');
      expect(Object.keys(res.body.error.fields)).toEqual([q.split('=')[0]]);
    }
    expectError(await t.http().get('/api/v1/users?sort=email').set(admin.auth), 400, 'validation_failed');
  });
});

describe('changing users', () => {
  it('changes role, display name, active and password', async () => {
    const created = await createUser({ email: 'changeme@home.test', password: 'first password' });
    const id = created.body.user.id as string;

    const promoted = await t
      .http()
      .patch(`/api/v1/users/${id}`)
      .set(admin.auth)
      .set('User-Agent', UA)
      .send({ role: 'ADMIN' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.user).toMatchObject({ id, role: 'ADMIN' });

    const named = await t
      .http()
      .patch(`/api/v1/users/${id}`)
      .set(admin.auth)
      .send({ displayName: 'Changed' });
    expect(named.body.user).toMatchObject({ displayName: 'Changed', role: 'ADMIN' });
    const unnamed = await t.http().patch(`/api/v1/users/${id}`).set(admin.auth).send({ displayName: null });
    expect(unnamed.body.user.displayName).toBeNull();

    const demoted = await t
      .http()
      .patch(`/api/v1/users/${id}`)
      .set(admin.auth)
      .set('User-Agent', UA)
      .send({ role: 'USER' });
    expect(demoted.body.user.role).toBe('USER');

    const off = await t.http().patch(`/api/v1/users/${id}`).set(admin.auth).send({ active: false });
    expect(off.body.user.active).toBe(false);
    expectError(
      await t
        .http()
        .post('/api/v1/auth/login')
        .send({ email: 'changeme@home.test', password: 'first password' }),
      401,
      'invalid_credentials',
    );
    const on = await t.http().patch(`/api/v1/users/${id}`).set(admin.auth).send({ active: true });
    expect(on.body.user.active).toBe(true);

    await t
      .http()
      .patch(`/api/v1/users/${id}`)
      .set(admin.auth)
      .send({ password: 'second password' })
      .expect(200);
    expectError(
      await t
        .http()
        .post('/api/v1/auth/login')
        .send({ email: 'changeme@home.test', password: 'first password' }),
      401,
      'invalid_credentials',
    );
    await t.login('changeme@home.test', 'second password');

    const changes = await t.db.auditLog.findMany({
      where: { userId: id, type: 'user.role_changed' },
      orderBy: { createdAt: 'asc' },
    });
    expect(changes.map((c) => c.meta)).toEqual([
      { from: 'USER', to: 'ADMIN' },
      { from: 'ADMIN', to: 'USER' },
    ]);
    expect(changes.every((c) => c.actorId === admin.user.id)).toBe(true);
  });

  it('rejects an empty change, unknown fields, a short password, a bad id; 404 for a missing user', async () => {
    const id = viewer.user.id;
    expectError(
      await t.http().patch(`/api/v1/users/${id}`).set(admin.auth).send({}),
      400,
      'validation_failed',
    );
    const unknown = await t
      .http()
      .patch(`/api/v1/users/${id}`)
      .set(admin.auth)
      .send({ role: 'USER', isRoot: true });
    expectError(unknown, 400, 'validation_failed');
    expect(JSON.stringify(unknown.body.error)).toContain('isRoot');
    const short = await t.http().patch(`/api/v1/users/${id}`).set(admin.auth).send({ password: 'short' });
    expectError(short, 400, 'validation_failed');
    expect(Object.keys(short.body.error.fields)).toEqual(['password']);
    const badId = await t.http().patch('/api/v1/users/not-a-uuid').set(admin.auth).send({ role: 'USER' });
    expectError(badId, 400, 'validation_failed');
    expect(Object.keys(badId.body.error.fields)).toEqual(['id']);
    expectError(
      await t.http().patch(`/api/v1/users/${randomUUID()}`).set(admin.auth).send({ role: 'USER' }),
      404,
      'not_found',
    );
    expectError(await t.http().delete(`/api/v1/users/${randomUUID()}`).set(admin.auth), 404, 'not_found');
  });

  it('deactivating a user ends their access at once: access and refresh tokens, and sign-in', async () => {
    const u = await t.signedIn('USER');
    await t.http().get('/api/v1/auth/me').set(u.auth).expect(200);
    await t.http().patch(`/api/v1/users/${u.user.id}`).set(admin.auth).send({ active: false }).expect(200);
    const me = await t.http().get('/api/v1/auth/me').set(u.auth);
    expect(me.status).toBe(401);
    expect(['session_revoked', 'account_inactive']).toContain(me.body.error.code);
    expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: u.refreshToken })).status).toBe(
      401,
    );
    expect(
      (await t.http().post('/api/v1/auth/login').send({ email: u.user.email, password: u.password })).status,
    ).toBe(401);

    // Reactivated, the old tokens stay dead; a new sign-in works.
    await t.http().patch(`/api/v1/users/${u.user.id}`).set(admin.auth).send({ active: true }).expect(200);
    expect((await t.http().get('/api/v1/auth/me').set(u.auth)).status).toBe(401);
    const again = await t.login(u.user.email, u.password);
    await t.http().get('/api/v1/auth/me').set(bearer(again.accessToken)).expect(200);
  });

  it('an admin password reset signs the user out everywhere', async () => {
    const u = await t.signedIn('USER');
    const other = await t.login(u.user.email, u.password);
    await t
      .http()
      .patch(`/api/v1/users/${u.user.id}`)
      .set(admin.auth)
      .send({ password: 'reset by admin' })
      .expect(200);
    for (const token of [u.accessToken, other.accessToken]) {
      expectError(await t.http().get('/api/v1/auth/me').set(bearer(token)), 401, 'session_revoked');
    }
    for (const refreshToken of [u.refreshToken, other.refreshToken]) {
      expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken })).status).toBe(401);
    }
    const live = await t.db.session.count({ where: { userId: u.user.id, revokedAt: null } });
    expect(live).toBe(0);
    await t.login(u.user.email, 'reset by admin');
  });

  it('after a password reset the user signs in again from the same browser, old cookies and all', async () => {
    const u = await t.signedIn('USER');
    const browser = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: u.user.email, password: u.password });
    const cookies = (browser.headers['set-cookie'] as unknown as string[])
      .map((c) => c.split(';')[0])
      .join('; ');
    await t
      .http()
      .patch(`/api/v1/users/${u.user.id}`)
      .set(admin.auth)
      .send({ password: 'reset by admin' })
      .expect(200);
    expect((await t.http().get('/api/v1/auth/me').set('Cookie', cookies)).status).toBe(401);
    // The stale access cookie is still sent with the sign-in: it must not stand in the way.
    const again = await t
      .http()
      .post('/api/v1/auth/login')
      .set('Cookie', cookies)
      .send({ email: u.user.email, password: 'reset by admin' });
    expect(again.status).toBe(200);
    // A deleted user's leftover cookie does not block someone else signing in on that browser either.
    await t.http().delete(`/api/v1/users/${u.user.id}`).set(admin.auth).expect(204);
    const other = await t
      .http()
      .post('/api/v1/auth/login')
      .set('Cookie', cookies)
      .send({ email: 'viewer@home.test', password: viewer.password });
    expect(other.status).toBe(200);
  });

  it('a role change takes effect on the next request', async () => {
    const u = await t.signedIn('USER');
    expectError(await t.http().get('/api/v1/users').set(u.auth), 403, 'forbidden');
    await t.http().patch(`/api/v1/users/${u.user.id}`).set(admin.auth).send({ role: 'ADMIN' }).expect(200);
    await t.http().get('/api/v1/users').set(u.auth).expect(200);
    await t.http().patch(`/api/v1/users/${u.user.id}`).set(admin.auth).send({ role: 'USER' }).expect(200);
    expectError(await t.http().get('/api/v1/users').set(u.auth), 403, 'forbidden');
  });
});

describe('deleting users', () => {
  it('deletes (204); their tokens answer 401 and they cannot sign in', async () => {
    const u = await t.signedIn('USER', 'leaving@home.test');
    const res = await t.http().delete(`/api/v1/users/${u.user.id}`).set(admin.auth).set('User-Agent', UA);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await t.http().get('/api/v1/auth/me').set(u.auth), 401, 'session_revoked');
    expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: u.refreshToken })).status).toBe(
      401,
    );
    expect(
      (await t.http().post('/api/v1/auth/login').send({ email: 'leaving@home.test', password: u.password }))
        .status,
    ).toBe(401);
    expect(await t.db.user.count({ where: { id: u.user.id } })).toBe(0);
    expectError(await t.http().delete(`/api/v1/users/${u.user.id}`).set(admin.auth), 404, 'not_found');
  });
});

describe('the last active admin', () => {
  let solo: TestApp;
  let only: SignedIn;
  beforeAll(async () => {
    solo = await startTestApp();
    only = await solo.signedIn('ADMIN', 'only@home.test');
  });
  afterAll(async () => solo.close());

  const patch = (as: SignedIn, id: string, body: object) =>
    solo.http().patch(`/api/v1/users/${id}`).set(as.auth).send(body);

  it('cannot be demoted, deactivated or deleted, even by themselves', async () => {
    expectError(await patch(only, only.user.id, { role: 'USER' }), 409, 'last_admin');
    expectError(await patch(only, only.user.id, { active: false }), 409, 'last_admin');
    expectError(await solo.http().delete(`/api/v1/users/${only.user.id}`).set(only.auth), 409, 'last_admin');
    const still = await solo.db.user.findUniqueOrThrow({ where: { id: only.user.id } });
    expect(still).toMatchObject({ role: 'ADMIN', active: true });
    // Harmless changes to the last admin are fine.
    expect(
      (await patch(only, only.user.id, { displayName: 'Only', role: 'ADMIN', active: true })).status,
    ).toBe(200);
  });

  it('an inactive admin does not count as another admin', async () => {
    const dormant = await solo.createUser('dormant@home.test', 'a long password', 'ADMIN');
    await solo.db.user.update({ where: { id: dormant.id }, data: { active: false } });
    expectError(await patch(only, only.user.id, { role: 'USER' }), 409, 'last_admin');
    await solo.http().delete(`/api/v1/users/${dormant.id}`).set(only.auth).expect(204);
  });

  it('can once a second active admin exists', async () => {
    const second = await solo.signedIn('ADMIN', 'second@home.test');
    const third = await solo.signedIn('ADMIN', 'third@home.test');
    await patch(only, second.user.id, { role: 'USER' }).expect(200);
    await patch(only, third.user.id, { active: false }).expect(200);
    expectError(await patch(only, only.user.id, { role: 'USER' }), 409, 'last_admin');

    await patch(only, second.user.id, { role: 'ADMIN' }).expect(200);
    // The first admin steps down; the second takes over and then removes them.
    await patch(only, only.user.id, { role: 'USER' }).expect(200);
    expectError(await solo.http().get('/api/v1/users').set(only.auth), 403, 'forbidden');
    await solo.http().delete(`/api/v1/users/${only.user.id}`).set(second.auth).expect(204);
    expectError(
      await solo.http().delete(`/api/v1/users/${second.user.id}`).set(second.auth),
      409,
      'last_admin',
    );
    expect(await solo.db.user.count({ where: { role: 'ADMIN', active: true } })).toBe(1);
  });

  it('two admins demoting each other at the same moment leave one admin', async () => {
    const a = await solo.signedIn('ADMIN');
    const b = await solo.signedIn('ADMIN');
    // Make a and b the only active admins.
    await solo.db.user.updateMany({
      where: { role: 'ADMIN', id: { notIn: [a.user.id, b.user.id] } },
      data: { role: 'USER' },
    });
    const [ab, ba] = await Promise.all([
      patch(a, b.user.id, { role: 'USER' }),
      patch(b, a.user.id, { role: 'USER' }),
    ]);
    // One wins; the other is refused: last_admin, or 403 when it was already demoted as it arrived.
    const statuses = [ab.status, ba.status];
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409 || s === 403)).toBe(true);
    expect(await solo.db.user.count({ where: { role: 'ADMIN', active: true } })).toBe(1);

    const survivor = ab.status === 200 ? a : b;
    const c = await solo.signedIn('ADMIN');
    const [x, y] = await Promise.all([
      solo.http().delete(`/api/v1/users/${c.user.id}`).set(survivor.auth),
      solo.http().patch(`/api/v1/users/${survivor.user.id}`).set(c.auth).send({ active: false }),
    ]);
    // One wins; the other is refused with last_admin, or 401 when its caller was already gone.
    expect([x.status === 204, y.status === 200].filter(Boolean)).toHaveLength(1);
    expect(
      [x.status, y.status].filter((s) => s !== 204 && s !== 200).every((s) => s === 409 || s === 401),
    ).toBe(true);
    expect(await solo.db.user.count({ where: { role: 'ADMIN', active: true } })).toBe(1);
  });
});

describe('the audit log', () => {
  let subjectId: string;

  beforeAll(async () => {
    // A sign-in, a failed one, and a user created, promoted and deleted, all with a User-Agent.
    await t
      .http()
      .post('/api/v1/auth/login')
      .set('User-Agent', UA)
      .send({ email: 'viewer@home.test', password: viewer.password })
      .expect(200);
    await t
      .http()
      .post('/api/v1/auth/login')
      .set('User-Agent', UA)
      .send({ email: 'viewer@home.test', password: 'wrong one' })
      .expect(401);
    const created = await createUser({ email: 'audited@home.test', password: 'a long password' }).expect(201);
    subjectId = created.body.user.id;
    await t
      .http()
      .patch(`/api/v1/users/${subjectId}`)
      .set(admin.auth)
      .set('User-Agent', UA)
      .send({ role: 'ADMIN' })
      .expect(200);
    await t.http().delete(`/api/v1/users/${subjectId}`).set(admin.auth).set('User-Agent', UA).expect(204);
  });

  const audit = (query: Record<string, string | number> = {}) =>
    t.http().get('/api/v1/admin/audit').query(query).set(admin.auth);

  it('lists events newest first, with paging', async () => {
    const res = await audit({ pageSize: 100 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, pageSize: 100, total: await t.db.auditLog.count() });
    const times = res.body.items.map((e: { createdAt: string }) => Date.parse(e.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(res.body.items[0]).toMatchObject({ type: 'user.deleted', userId: subjectId });

    const page = await audit({ page: 2, pageSize: 3 });
    expect(page.body.items).toHaveLength(3);
    expect(page.body.total).toBe(res.body.total);
    expectError(await audit({ pageSize: 101 }), 400, 'validation_failed');
  });

  it('has login, login_failed, user.created, user.role_changed and user.deleted entries with ip and user agent', async () => {
    const res = await audit({ pageSize: 100 });
    const ours = res.body.items.filter((e: { userAgent: string | null }) => e.userAgent === UA);
    for (const type of [
      'auth.login',
      'auth.login_failed',
      'user.created',
      'user.role_changed',
      'user.deleted',
    ]) {
      const entry = ours.find((e: { type: string }) => e.type === type);
      expect(entry).toMatchObject({ type, ip: expect.stringMatching(/127\.0\.0\.1|::1/), userAgent: UA });
    }
    const failed = ours.find((e: { type: string }) => e.type === 'auth.login_failed');
    expect(failed).toMatchObject({ email: 'viewer@home.test', meta: { reason: 'wrong_password' } });
    const deleted = ours.find((e: { type: string }) => e.type === 'user.deleted');
    expect(deleted).toMatchObject({ userId: subjectId, actorId: admin.user.id, email: 'audited@home.test' });
  });

  it('filters by type', async () => {
    const res = await audit({ type: 'user.role_changed', pageSize: 100 });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((e: { type: string }) => e.type === 'user.role_changed')).toBe(true);
    expect(res.body.total).toBe(await t.db.auditLog.count({ where: { type: 'user.role_changed' } }));
  });

  it('filters by user, as subject or actor, even after the user is deleted', async () => {
    const res = await audit({ userId: subjectId });
    expect(res.status).toBe(200);
    const types = res.body.items.map((e: { type: string }) => e.type);
    // user.updated and user.role_changed come from one request and may share a timestamp.
    expect(types[0]).toBe('user.deleted');
    expect(types.at(-1)).toBe('user.created');
    expect([...types].sort()).toEqual(['user.created', 'user.deleted', 'user.role_changed', 'user.updated']);
    const byAdmin = await audit({ userId: admin.user.id, pageSize: 100 });
    expect(byAdmin.body.items.length).toBeGreaterThan(0);
    for (const e of byAdmin.body.items) expect([e.userId, e.actorId]).toContain(admin.user.id);
    const both = await audit({ userId: subjectId, type: 'user.created' });
    expect(both.body.items).toHaveLength(1);
  });

  it('rejects an unknown type or a malformed user id, naming the parameter', async () => {
    const type = await audit({ type: 'user.exploded' });
    expectError(type, 400, 'validation_failed');
    expect(Object.keys(type.body.error.fields)).toEqual(['type']);
    const user = await audit({ userId: 'me' });
    expectError(user, 400, 'validation_failed');
    expect(Object.keys(user.body.error.fields)).toEqual(['userId']);
  });
});

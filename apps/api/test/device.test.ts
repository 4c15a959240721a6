import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startReplica, startTestApp, type TestApp } from './support.js';

/** The alphabet of device-codes.ts: consonants only, no look-alikes. */
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A little more than DEVICE_CODE_INTERVAL=1, so the next poll is allowed. */
const waitInterval = () => sleep(1100);

interface DeviceStart {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  interval: number;
  expiresIn: number;
}

/** How people type the code on the website: lower case, with a dash in the middle. */
const typed = (userCode: string) => `${userCode.slice(0, 4)}-${userCode.slice(4)}`.toLowerCase();

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ DEVICE_CODE_INTERVAL: '1' });
});
afterAll(async () => t.close());

async function start(
  app: TestApp = t,
  body: object = { deviceName: 'Living room TV' },
): Promise<DeviceStart> {
  const res = await app.http().post('/api/v1/auth/device').send(body);
  expect(res.status).toBe(200);
  return res.body as DeviceStart;
}

const poll = (deviceCode: string, app: TestApp = t) =>
  app.http().post('/api/v1/auth/device/token').send({ deviceCode });

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
}

describe('starting a TV sign-in', () => {
  it('answers a device code, a short user code, where to enter it, the interval and the lifetime', async () => {
    const s = await start();
    expect(s.deviceCode.length).toBeGreaterThanOrEqual(32);
    expect(s.userCode).toMatch(USER_CODE);
    expect(s.verificationUri).toBe(new URL('/activate', t.config.PUBLIC_URL).toString());
    expect(s.verificationUriComplete).toBe(`${s.verificationUri}?code=${s.userCode}`);
    expect(s.interval).toBe(1);
    expect(s.expiresIn).toBe(t.config.DEVICE_CODE_TTL);

    const row = await t.db.deviceCode.findUniqueOrThrow({ where: { userCode: s.userCode } });
    expect(row.status).toBe('PENDING');
    expect(row.deviceName).toBe('Living room TV');
    expect(row.deviceCodeHash).not.toBe(s.deviceCode);
  });

  it('works without a body, and every code is different and from the alphabet', async () => {
    const res = await t.http().post('/api/v1/auth/device');
    expect(res.status).toBe(200);
    const codes = await Promise.all(Array.from({ length: 10 }, () => start(t, {})));
    const all = [res.body as DeviceStart, ...codes];
    for (const s of all) expect(s.userCode).toMatch(USER_CODE);
    expect(new Set(all.map((s) => s.userCode)).size).toBe(all.length);
    expect(new Set(all.map((s) => s.deviceCode)).size).toBe(all.length);
  });

  it('rejects unknown fields', async () => {
    const res = await t.http().post('/api/v1/auth/device').send({ deviceName: 'TV', scope: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });
});

describe('polling and approving', () => {
  it('pending, slow down, then approved: tokens exactly once, and they work', async () => {
    const s = await start();
    expectError(await poll(s.deviceCode), 400, 'authorization_pending');
    expectError(await poll(s.deviceCode), 400, 'slow_down');

    const viewer = await t.signedIn('USER');
    const approve = await t
      .http()
      .post('/api/v1/auth/device/approve')
      .set(viewer.auth)
      .send({ userCode: typed(s.userCode) });
    expect(approve.status).toBe(200);
    expect(approve.body).toEqual({ approved: true });

    await waitInterval();
    const granted = await poll(s.deviceCode);
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: t.config.ACCESS_TOKEN_TTL,
      user: { id: viewer.user.id, email: viewer.user.email, role: 'USER' },
    });
    expect(granted.body.user).not.toHaveProperty('passwordHash');

    const me = await t
      .http()
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${granted.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(viewer.user.id);
    expect(me.body.sessionId).not.toBe(
      (await t.http().get('/api/v1/auth/me').set(viewer.auth)).body.sessionId,
    );

    // The TV's session is its own device, named by the TV, with a refresh token that works.
    const session = await t.db.session.findUniqueOrThrow({ where: { id: me.body.sessionId } });
    expect(session.deviceName).toBe('Living room TV');
    const refreshed = await t
      .http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: granted.body.refreshToken });
    expect(refreshed.status).toBe(200);

    await waitInterval();
    expectError(await poll(s.deviceCode), 400, 'invalid_grant');

    const audits = await t.db.auditLog.findMany({
      where: { userId: viewer.user.id, type: { startsWith: 'device.' } },
    });
    expect(audits.map((a) => a.type).sort()).toEqual(['device.approved', 'device.signed_in']);
  });

  it('accepts the code in any case, with spaces or a dash', async () => {
    const viewer = await t.signedIn('USER');
    for (const variant of [
      (c: string) => c.toLowerCase(),
      (c: string) => `${c.slice(0, 4)} ${c.slice(4)}`,
      (c: string) => c,
    ]) {
      const s = await start();
      const res = await t
        .http()
        .post('/api/v1/auth/device/approve')
        .set(viewer.auth)
        .send({ userCode: variant(s.userCode) });
      expect(res.status).toBe(200);
      const row = await t.db.deviceCode.findUniqueOrThrow({ where: { userCode: s.userCode } });
      expect(row).toMatchObject({ status: 'APPROVED', userId: viewer.user.id });
    }
  });

  it('two concurrent polls after approval give exactly one set of tokens', async () => {
    const s = await start();
    const viewer = await t.signedIn('USER');
    await t
      .http()
      .post('/api/v1/auth/device/approve')
      .set(viewer.auth)
      .send({ userCode: s.userCode })
      .expect(200);
    const polls = await Promise.all([poll(s.deviceCode), poll(s.deviceCode)]);
    const statuses = polls.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400]);
    const refused = polls.find((r) => r.status === 400)!;
    expect(['slow_down', 'invalid_grant']).toContain(refused.body.error.code);
    expect(await t.db.session.count({ where: { userId: viewer.user.id } })).toBe(2);
  });

  it('exactly once even when the polls reach two replicas whose poll limits do not meet', async () => {
    // Separate Redis prefixes: the slow-down limiter cannot save us, only the database claim can.
    const other = await startReplica(t, {
      DEVICE_CODE_INTERVAL: '1',
      REDIS_PREFIX: `${t.config.REDIS_PREFIX}b`,
    });
    try {
      const viewer = await t.signedIn('USER');
      for (let round = 0; round < 3; round++) {
        const s = await start();
        await t
          .http()
          .post('/api/v1/auth/device/approve')
          .set(viewer.auth)
          .send({ userCode: s.userCode })
          .expect(200);
        const polls = await Promise.all([poll(s.deviceCode, t), poll(s.deviceCode, other)]);
        expect(polls.map((r) => r.status).sort()).toEqual([200, 400]);
        expect(polls.find((r) => r.status === 400)!.body.error.code).toBe('invalid_grant');
      }
      const signedIn = await t.db.auditLog.count({
        where: { userId: viewer.user.id, type: 'device.signed_in' },
      });
      expect(signedIn).toBe(3);
      expect(await t.db.session.count({ where: { userId: viewer.user.id } })).toBe(4);
    } finally {
      await other.close();
      const keys = await t.redis.keys(`${t.config.REDIS_PREFIX}b:*`);
      if (keys.length) await t.redis.del(...keys);
    }
  });

  it('a denied code answers access_denied, and cannot be approved afterwards', async () => {
    const s = await start();
    const viewer = await t.signedIn('USER');
    const deny = await t
      .http()
      .post('/api/v1/auth/device/deny')
      .set(viewer.auth)
      .send({ userCode: typed(s.userCode) });
    expect(deny.status).toBe(200);
    expect(deny.body).toEqual({ approved: false });
    expectError(await poll(s.deviceCode), 400, 'access_denied');
    const late = await t
      .http()
      .post('/api/v1/auth/device/approve')
      .set(viewer.auth)
      .send({ userCode: s.userCode });
    expectError(late, 404, 'not_found');
    await waitInterval();
    expectError(await poll(s.deviceCode), 400, 'access_denied');
    expect(await t.db.auditLog.count({ where: { userId: viewer.user.id, type: 'device.denied' } })).toBe(1);
  });

  it('an approved code whose user was deactivated before the poll gives no tokens', async () => {
    const s = await start();
    const viewer = await t.signedIn('USER');
    await t
      .http()
      .post('/api/v1/auth/device/approve')
      .set(viewer.auth)
      .send({ userCode: s.userCode })
      .expect(200);
    await t.db.user.update({ where: { id: viewer.user.id }, data: { active: false } });
    expectError(await poll(s.deviceCode), 400, 'access_denied');
  });

  it('an unknown device code is invalid_grant', async () => {
    expectError(await poll('not-a-real-device-code'), 400, 'invalid_grant');
  });

  it('approving or denying an unknown code is 404; without a token 401', async () => {
    const viewer = await t.signedIn('USER');
    for (const action of ['approve', 'deny']) {
      const unknown = await t
        .http()
        .post(`/api/v1/auth/device/${action}`)
        .set(viewer.auth)
        .send({ userCode: 'BBBB-BBBB' });
      expectError(unknown, 404, 'not_found');
    }
    const s = await start();
    const anonymous = await t.http().post('/api/v1/auth/device/approve').send({ userCode: s.userCode });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toEqual({ code: 'unauthorized', message: expect.any(String) });
    const forged = await t
      .http()
      .post('/api/v1/auth/device/approve')
      .set('Authorization', 'Bearer nope')
      .send({ userCode: s.userCode });
    expect(forged.status).toBe(401);
    expect((await t.db.deviceCode.findUniqueOrThrow({ where: { userCode: s.userCode } })).status).toBe(
      'PENDING',
    );
    expectError(await poll(s.deviceCode), 400, 'authorization_pending');
  });

  it('a code belongs to one polling device: another device code is not slowed down by it', async () => {
    const a = await start();
    const b = await start();
    expectError(await poll(a.deviceCode), 400, 'authorization_pending');
    expectError(await poll(b.deviceCode), 400, 'authorization_pending');
    expectError(await poll(a.deviceCode), 400, 'slow_down');
  });
});

describe('expiry', () => {
  let short: TestApp;
  beforeAll(async () => {
    short = await startTestApp({ DEVICE_CODE_INTERVAL: '1', DEVICE_CODE_TTL: '1' });
  });
  afterAll(async () => short.close());

  it('an expired code answers expired_token and can no longer be approved', async () => {
    const s = await start(short);
    expect(s.expiresIn).toBe(1);
    expectError(await poll(s.deviceCode, short), 400, 'authorization_pending');
    await sleep(1200);
    expectError(await poll(s.deviceCode, short), 400, 'expired_token');
    const viewer = await short.signedIn('USER');
    const approve = await short
      .http()
      .post('/api/v1/auth/device/approve')
      .set(viewer.auth)
      .send({ userCode: s.userCode });
    expectError(approve, 404, 'not_found');
  });

  it('an approved code that expires before the TV polls gives no tokens', async () => {
    const s = await start(short);
    const viewer = await short.signedIn('USER');
    await short
      .http()
      .post('/api/v1/auth/device/approve')
      .set(viewer.auth)
      .send({ userCode: s.userCode })
      .expect(200);
    await sleep(1200);
    expectError(await poll(s.deviceCode, short), 400, 'expired_token');
    expect(await short.db.session.count({ where: { userId: viewer.user.id } })).toBe(1);
  });
});

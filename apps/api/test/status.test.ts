import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { vpnStateKey } from '@cinenest/queue';
import { startTestApp, type TestApp } from './support.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const publish = (state: string, detail: string | null = null) =>
  t.redis.set(
    vpnStateKey(t.config.REDIS_PREFIX),
    JSON.stringify({ state, checkedAt: new Date().toISOString(), latencyMs: 12, detail }),
  );

describe('GET /api/v1/status', () => {
  it('tells everyone only up/degraded/down, with the VPN as the workers last saw it', async () => {
    await publish('up');
    const up = await t.http().get('/api/v1/status');
    expect(up.status).toBe(200);
    expect(up.body).toEqual({ status: 'up', services: { postgres: 'up', redis: 'up', vpn: 'up' } });

    await publish('down', 'HTTP 503');
    const down = await t.http().get('/api/v1/status');
    expect(down.body).toEqual({ status: 'degraded', services: { postgres: 'up', redis: 'up', vpn: 'down' } });
    expect(JSON.stringify(down.body)).not.toContain('503');
  });

  it('says degraded when no worker has checked the VPN recently', async () => {
    await t.redis.del(vpnStateKey(t.config.REDIS_PREFIX));
    const res = await t.http().get('/api/v1/status');
    expect(res.body).toMatchObject({ status: 'degraded', services: { vpn: 'degraded' } });
  });

  it('shows administrators the detail, and plain users the public view', async () => {
    await publish('down', 'timed out');
    const admin = await t.signedIn('ADMIN');
    const detailed = await t.http().get('/api/v1/status').set(admin.auth);
    expect(detailed.body.detail.vpn).toMatchObject({ state: 'down', detail: 'timed out', latencyMs: 12 });
    expect(detailed.body.detail.postgres.latencyMs).toEqual(expect.any(Number));
    const user = await t.signedIn('USER');
    const plain = await t.http().get('/api/v1/status').set(user.auth);
    expect(plain.body).not.toHaveProperty('detail');
  });
});

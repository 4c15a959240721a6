import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@cinenest/logger';
import { startVpnCheckStandIn, waitFor, type VpnCheckStandIn } from '@cinenest/testkit';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis, readVpnState, VpnGate } from '../src/index.js';

const logger = createLogger({ service: 'test', silent: true });
let redis: Redis;
let check: VpnCheckStandIn;
const prefix = `t${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  redis = createRedis(process.env.REDIS_URL!, 'request');
  check = await startVpnCheckStandIn(true);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await check.close();
});

describe('VpnGate', () => {
  it('opens while the check passes, closes as soon as it fails, and reopens when it passes again', async () => {
    const gate = new VpnGate({
      url: check.url,
      disabled: false,
      intervalMs: 100,
      redis,
      keyPrefix: prefix,
      logger,
    });
    const changes: string[] = [];
    gate.onChange((s) => changes.push(s));
    expect(gate.isOpen()).toBe(false); // closed until a first check passed
    await gate.start();
    try {
      expect(gate.state).toBe('up');
      expect((await readVpnState(redis, prefix)).state).toBe('up');
      check.setProtected(false);
      await waitFor(() => gate.state === 'down', { timeoutMs: 5000, intervalMs: 20 });
      expect(gate.isOpen()).toBe(false);
      expect((await readVpnState(redis, prefix)).state).toBe('down');
      check.setProtected(true);
      await waitFor(() => gate.isOpen(), { timeoutMs: 5000, intervalMs: 20 });
      expect(changes).toEqual(['up', 'down', 'up']);
    } finally {
      gate.stop();
    }
  });

  it('treats an unreachable check as down, naming why', async () => {
    const gate = new VpnGate({
      url: 'http://127.0.0.1:9/health',
      disabled: false,
      intervalMs: 1000,
      redis,
      keyPrefix: `${prefix}b`,
      logger,
    });
    const report = await gate.check();
    expect(report.state).toBe('down');
    expect(report.detail).toBeTruthy();
    expect(gate.isOpen()).toBe(false);
  });

  it('stays closed without a check URL unless the check is disabled', async () => {
    const closed = new VpnGate({
      url: null,
      disabled: false,
      intervalMs: 1000,
      redis,
      keyPrefix: `${prefix}c`,
      logger,
    });
    await closed.start();
    expect(closed.isOpen()).toBe(false);
    expect(closed.state).toBe('down');
    const open = new VpnGate({
      url: null,
      disabled: true,
      intervalMs: 1000,
      redis,
      keyPrefix: `${prefix}d`,
      logger,
    });
    await open.start();
    try {
      expect(open.isOpen()).toBe(true);
      expect((await readVpnState(redis, `${prefix}d`)).state).toBe('disabled');
      // With nothing to check, the state is still published again before it expires.
      await redis.del(`${prefix}d:vpn:state`);
      await waitFor(async () => (await readVpnState(redis, `${prefix}d`)).state === 'disabled', {
        timeoutMs: 3000,
      });
    } finally {
      open.stop();
      closed.stop();
    }
  });
});

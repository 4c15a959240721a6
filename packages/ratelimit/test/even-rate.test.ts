import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { EvenRateLimit } from '../src/even-rate.js';

describe('EvenRateLimit', () => {
  it('never lets more than rate + 1 requests into any sliding second, across two limiters sharing a key', async () => {
    const redis = new Redis(process.env.REDIS_URL!);
    const key = `t${randomBytes(4).toString('hex')}:rate`;
    try {
      const a = new EvenRateLimit(redis, key, 20);
      const b = new EvenRateLimit(redis, key, 20);
      const times: number[] = [];
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).acquire().then(() => times.push(Date.now()))),
      );
      times.sort((x, y) => x - y);
      let peak = 0;
      for (let lo = 0, hi = 0; hi < times.length; hi++) {
        while (times[lo]! <= times[hi]! - 1000) lo++;
        peak = Math.max(peak, hi - lo + 1);
      }
      // Spaced 50 ms apart: 30 requests span about 1.45 s, and no second holds more than 21.
      expect(peak).toBeLessThanOrEqual(21);
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(1300);
    } finally {
      await redis.del(key);
      await redis.quit();
    }
  });

  it('refuses a rate that is not a positive whole number', () => {
    expect(() => new EvenRateLimit({} as Redis, 'k', 0)).toThrow(RangeError);
    expect(() => new EvenRateLimit({} as Redis, 'k', 2.5)).toThrow(RangeError);
  });
});

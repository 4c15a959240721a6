import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One YTS budget for every process and every mirror: `ratePerSecond` points per second in Redis
 * (`<prefix>:yts:rate`). Every HTTP attempt (failovers and probes included) takes a point; a caller
 * over budget waits for the next window, it is never dropped.
 */
export class SharedRateLimit {
  private readonly limiter: RateLimiterRedis;
  readonly key: string;

  constructor(redis: Redis, keyPrefix: string, ratePerSecond: number) {
    if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1)
      throw new RangeError('ratePerSecond must be a positive integer');
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:yts`,
      points: ratePerSecond,
      duration: 1,
    });
    this.key = `${keyPrefix}:yts:rate`;
  }

  /** Resolves once this process may send one request; the milliseconds it waited. */
  async acquire(): Promise<number> {
    const started = Date.now();
    for (;;) {
      try {
        await this.limiter.consume('rate', 1);
        return Date.now() - started;
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        // A little jitter so waiting callers do not all hit Redis in the same millisecond.
        await sleep(Math.max(1, err.msBeforeNext) + Math.floor(Math.random() * 20));
      }
    }
  }
}

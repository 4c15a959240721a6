import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Sets the pause only when it ends later than the one already set.
const EXTEND_PAUSE = `local left = redis.call('pttl', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('set', KEYS[1], '1', 'PX', ARGV[1]) end
return 1`;

/**
 * One TMDB budget for every process: `ratePerSecond` points per second in Redis
 * (`<prefix>:tmdb:rate`). A caller over budget waits for the next window, it is never dropped.
 * A 429 from TMDB pauses every process for its Retry-After (`<prefix>:tmdb:pause`).
 */
export class SharedRateLimit {
  private readonly limiter: RateLimiterRedis;
  readonly key: string;
  readonly pauseKey: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    ratePerSecond: number,
  ) {
    if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1)
      throw new RangeError('ratePerSecond must be a positive integer');
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:tmdb`,
      points: ratePerSecond,
      duration: 1,
    });
    this.key = `${keyPrefix}:tmdb:rate`;
    this.pauseKey = `${keyPrefix}:tmdb:pause`;
  }

  /** Resolves once this process may send one request; the milliseconds it waited. */
  async acquire(): Promise<number> {
    const started = Date.now();
    for (;;) {
      const paused = await this.redis.pttl(this.pauseKey);
      if (paused > 0) {
        await sleep(paused + Math.floor(Math.random() * 50));
        continue;
      }
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

  /** Holds every process back for ms (TMDB's Retry-After). */
  async pause(ms: number): Promise<void> {
    if (ms > 0) await this.redis.eval(EXTEND_PAUSE, 1, this.pauseKey, String(Math.ceil(ms)));
  }
}

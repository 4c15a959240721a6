import { EvenRateLimit } from '@cinenest/ratelimit';
import type { Redis } from 'ioredis';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Sets the pause only when it ends later than the one already set.
const EXTEND_PAUSE = `local left = redis.call('pttl', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('set', KEYS[1], '1', 'PX', ARGV[1]) end
return 1`;

/**
 * One TMDB budget for every process: requests spaced evenly at `ratePerSecond` through Redis
 * (`<prefix>:tmdb:rate`). A caller over budget waits its turn, it is never dropped.
 * A 429 from TMDB pauses every process for its Retry-After (`<prefix>:tmdb:pause`).
 */
export class SharedRateLimit {
  private readonly even: EvenRateLimit;
  readonly key: string;
  readonly pauseKey: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    ratePerSecond: number,
  ) {
    this.key = `${keyPrefix}:tmdb:rate`;
    this.even = new EvenRateLimit(redis, this.key, ratePerSecond);
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
      await this.even.acquire();
      return Date.now() - started;
    }
  }

  /** Holds every process back for ms (TMDB's Retry-After). */
  async pause(ms: number): Promise<void> {
    if (ms > 0) await this.redis.eval(EXTEND_PAUSE, 1, this.pauseKey, String(Math.ceil(ms)));
  }
}

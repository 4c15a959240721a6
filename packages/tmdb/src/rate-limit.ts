import type { Redis } from 'ioredis';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Sets the pause only when it ends later than the one already set.
const EXTEND_PAUSE = `local left = redis.call('pttl', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('set', KEYS[1], '1', 'PX', ARGV[1]) end
return 1`;

/*
 * Generic cell rate algorithm (GCRA) on Redis's clock: requests are spaced 1000/rate ms apart across
 * every process, so no sliding second ever holds more than rate + 1 of them. (A fixed one-second
 * window lets up to twice the rate through around a window's edge, which TMDB answers with 429s.)
 * Returns 0 when the caller may go now, else how many ms to wait before asking again.
 */
const GCRA = `local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('get', KEYS[1])) or now
if tat < now then tat = now end
if tat - now > 0 then return math.max(1, math.ceil(tat - now)) end
local next = tat + interval
redis.call('set', KEYS[1], tostring(next), 'PX', math.ceil(next - now) + 1000)
return 0`;

/**
 * One TMDB budget for every process: requests spaced evenly at `ratePerSecond` through Redis
 * (`<prefix>:tmdb:rate`). A caller over budget waits its turn, it is never dropped.
 * A 429 from TMDB pauses every process for its Retry-After (`<prefix>:tmdb:pause`).
 */
export class SharedRateLimit {
  private readonly intervalMs: number;
  readonly key: string;
  readonly pauseKey: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    ratePerSecond: number,
  ) {
    if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1)
      throw new RangeError('ratePerSecond must be a positive integer');
    this.intervalMs = 1000 / ratePerSecond;
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
      const waitMs = Number(await this.redis.eval(GCRA, 1, this.key, String(this.intervalMs)));
      if (waitMs === 0) return Date.now() - started;
      // Waiters spread over the next few slots, so they do not all ask Redis in the same millisecond.
      await sleep(waitMs + Math.floor(Math.random() * Math.max(2, this.intervalMs)));
    }
  }

  /** Holds every process back for ms (TMDB's Retry-After). */
  async pause(ms: number): Promise<void> {
    if (ms > 0) await this.redis.eval(EXTEND_PAUSE, 1, this.pauseKey, String(Math.ceil(ms)));
  }
}

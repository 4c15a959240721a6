import type { Redis } from 'ioredis';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/*
 * Generic cell rate algorithm (GCRA) on Redis's clock: requests are spaced 1000/rate ms apart across
 * every process sharing the key, so no sliding second ever holds more than rate + 1 of them. (A fixed
 * one-second window, as rate-limiter-flexible counts, lets up to twice the rate through around a
 * window's edge, and upstreams answer that with 429s.) Returns 0 when the caller may go now, else how
 * many ms to wait before asking again.
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

/** One request budget shared by every process through Redis: evenly spaced, never dropped, only waited for. */
export class EvenRateLimit {
  private readonly intervalMs: number;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    ratePerSecond: number,
  ) {
    if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1)
      throw new RangeError('ratePerSecond must be a positive integer');
    this.intervalMs = 1000 / ratePerSecond;
  }

  /** Resolves when this caller may send one request now; the milliseconds it waited. */
  async acquire(): Promise<number> {
    const started = Date.now();
    for (;;) {
      const waitMs = Number(await this.redis.eval(GCRA, 1, this.key, String(this.intervalMs)));
      if (waitMs === 0) return Date.now() - started;
      // Waiters spread over the next few slots, so they do not all ask Redis in the same millisecond.
      await sleep(waitMs + Math.floor(Math.random() * Math.max(2, this.intervalMs)));
    }
  }
}

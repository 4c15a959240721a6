export interface RateLimitOptions {
  /** Requests served per second; more within any 1 s sliding window are answered 429. */
  perSecond: number;
  /**
   * How many requests over perSecond a window may hold before the stand-in refuses (default 5% of
   * perSecond, at least 1). A client whose own limiter works sees a few requests land a little late
   * or early (the network, its event loop), so a window can hold slightly more than perSecond although
   * the client sent perSecond a second; the margin absorbs that without hiding a limiter that is off.
   */
  burst?: number;
  /** The window, default 1000 ms. */
  windowMs?: number;
}

/**
 * TMDB's rate limit, enforced: a request is refused (429, Retry-After) when perSecond + burst requests
 * were already served within the last windowMs. Refused requests do not count, so a client that backs
 * off is served again as soon as the window has room.
 */
export class SlidingWindowLimit {
  readonly perSecond: number;
  readonly burst: number;
  readonly windowMs: number;
  /** Times (ms) of the requests served within the window, oldest first; a ring buffer of `allowed` slots. */
  private readonly served: Float64Array;
  private head = 0;
  private size = 0;
  private refusedCount = 0;

  constructor(options: RateLimitOptions) {
    const { perSecond } = options;
    if (!Number.isInteger(perSecond) || perSecond < 1)
      throw new RangeError('rateLimit.perSecond must be a positive integer');
    const burst = options.burst ?? Math.max(1, Math.ceil(perSecond * 0.05));
    if (!Number.isInteger(burst) || burst < 0)
      throw new RangeError('rateLimit.burst must be a non-negative integer');
    this.perSecond = perSecond;
    this.burst = burst;
    this.windowMs = options.windowMs ?? 1000;
    this.served = new Float64Array(perSecond + burst);
  }

  /** The most requests one window may hold. */
  get allowed(): number {
    return this.served.length;
  }

  /** Undefined when the request may be served (and it is counted), else the seconds to send as Retry-After. */
  take(now: number): number | undefined {
    while (this.size > 0 && this.served[this.head]! <= now - this.windowMs) {
      this.head = (this.head + 1) % this.served.length;
      this.size--;
    }
    if (this.size >= this.served.length) {
      this.refusedCount++;
      const wait = this.served[this.head]! + this.windowMs - now;
      return Math.max(1, Math.ceil(wait / 1000));
    }
    this.served[(this.head + this.size) % this.served.length] = now;
    this.size++;
    return undefined;
  }

  /** How many requests were refused so far. */
  refused(): number {
    return this.refusedCount;
  }
}

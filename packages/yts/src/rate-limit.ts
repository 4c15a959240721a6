import { EvenRateLimit } from '@cinenest/ratelimit';
import type { Redis } from 'ioredis';

/**
 * One YTS budget for every process and every mirror: requests spaced evenly at `ratePerSecond`
 * through Redis (`<prefix>:yts:rate`). Every HTTP attempt (failovers and probes included) takes a
 * turn; a caller over budget waits, it is never dropped.
 */
export class SharedRateLimit extends EvenRateLimit {
  constructor(redis: Redis, keyPrefix: string, ratePerSecond: number) {
    super(redis, `${keyPrefix}:yts:rate`, ratePerSecond);
  }
}

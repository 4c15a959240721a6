import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TmdbParams } from './types.js';

/** A cached answer: the body, or the fact that TMDB said 404. */
export type CacheEntry = { data: unknown } | { notFound: true };

/**
 * TMDB answers in Redis, shared by every process: `<prefix>:tmdb:cache:<sha1 of path and sorted params>`.
 * Only successes and 404s are stored; errors never are.
 */
export class ResponseCache {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  key(path: string, params: TmdbParams): string {
    const query = Object.entries(params)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .sort()
      .join('&');
    const digest = createHash('sha1').update(`${path}?${query}`).digest('hex');
    return `${this.keyPrefix}:tmdb:cache:${digest}`;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const raw = await this.redis.get(key);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as CacheEntry;
    } catch {
      return undefined;
    }
  }

  async set(key: string, entry: CacheEntry, ttlSeconds: number): Promise<void> {
    if (ttlSeconds > 0) await this.redis.set(key, JSON.stringify(entry), 'EX', Math.ceil(ttlSeconds));
  }
}

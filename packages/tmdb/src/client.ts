import type { Logger } from '@cinenest/logger';
import axios, { type AxiosResponse } from 'axios';
import type { Redis } from 'ioredis';
import { ResponseCache, type CacheEntry } from './cache.js';
import {
  TmdbAuthError,
  TmdbError,
  TmdbNotFoundError,
  TmdbRequestError,
  TmdbUnavailableError,
} from './errors.js';
import { createTransport, type Transport } from './http.js';
import { SharedRateLimit } from './rate-limit.js';
import { isRetryable, outcomeOf, retryAfterOf } from './retry.js';
import type {
  MediaKind,
  MovieListName,
  TmdbChange,
  TmdbConfiguration,
  TmdbDiscoverParams,
  TmdbFindResult,
  TmdbGenreList,
  TmdbMovieDetails,
  TmdbMovieSummary,
  TmdbMultiResult,
  TmdbPaged,
  TmdbParams,
  TmdbResponseEvent,
  TmdbSeason,
  TmdbStats,
  TmdbTvDetails,
  TmdbTvSummary,
  TvListName,
} from './types.js';

export interface TmdbClientOptions {
  /** https://api.themoviedb.org/3, or a stand-in's URL. */
  baseUrl: string;
  /** The API read access token (sent as Bearer). */
  token: string;
  /** Holds the shared rate limit and the response cache. */
  redis: Redis;
  keyPrefix: string;
  /** Requests per second across every process sharing keyPrefix (default 40). */
  ratePerSecond?: number;
  /** How long details, genres and configuration stay cached (default 86400). */
  cacheTtlSeconds?: number;
  /** Lists, discover and search (default 600, at most cacheTtlSeconds). */
  listTtlSeconds?: number;
  /** A 404 is remembered this long (default 3600, at most cacheTtlSeconds). */
  notFoundTtlSeconds?: number;
  /** Per attempt (default 10000). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 6). */
  maxRetries?: number;
  /** First backoff step (default 500 ms), doubling per retry up to retryMaxDelayMs (default 30000). */
  retryBaseMs?: number;
  retryMaxDelayMs?: number;
  /** A longer Retry-After is not waited for: the call fails at once (default 60000). */
  maxRetryAfterMs?: number;
  logger?: Logger;
  /** Called after every HTTP attempt (retries included), e.g. for metrics. */
  onResponse?: (event: TmdbResponseEvent) => void;
}

export interface TmdbRequestOptions {
  /** Skip the cached answer (the new one is cached): for titles the changes feed named. */
  fresh?: boolean;
}

const DETAIL_APPENDS = {
  movie: 'translations,images,external_ids,videos',
  tv: 'external_ids,translations,images,videos',
};

/** Images and videos in the asked language, plus English and language-less ones (TMDB filters by language). */
function mediaLanguages(language?: string): TmdbParams {
  if (!language) return {};
  const iso = language.split('-')[0]!.toLowerCase();
  const langs = [...new Set([iso, 'en'])];
  return { include_image_language: [...langs, 'null'].join(','), include_video_language: langs.join(',') };
}

const clean = (params: TmdbParams): TmdbParams =>
  Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));

const tmdbCodeOf = (response?: AxiosResponse): number | undefined => {
  const code = (response?.data as { status_code?: unknown } | undefined)?.status_code;
  return typeof code === 'number' ? code : undefined;
};

/**
 * TMDB v3 over HTTP: a Redis cache in front, one Redis rate limit behind, retries in between.
 * A cached answer costs neither a request nor a rate point; every attempt (retries included) costs one.
 */
export class TmdbClient {
  private readonly transport: Transport;
  private readonly cache: ResponseCache;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly counters: TmdbStats = { requests: 0, byStatus: {}, cacheHits: 0, retries: 0 };
  private readonly ttl: { details: number; lists: number; notFound: number };
  private readonly logger?: Logger;

  constructor(options: TmdbClientOptions) {
    const cacheTtl = options.cacheTtlSeconds ?? 86_400;
    this.ttl = {
      details: cacheTtl,
      lists: Math.min(cacheTtl, options.listTtlSeconds ?? 600),
      notFound: Math.min(cacheTtl, options.notFoundTtlSeconds ?? 3600),
    };
    this.logger = options.logger;
    this.cache = new ResponseCache(options.redis, options.keyPrefix);
    this.transport = createTransport({
      baseUrl: options.baseUrl,
      token: options.token,
      timeoutMs: options.timeoutMs ?? 10_000,
      policy: {
        maxRetries: options.maxRetries ?? 6,
        baseMs: options.retryBaseMs ?? 500,
        maxDelayMs: options.retryMaxDelayMs ?? 30_000,
        maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      },
      limit: new SharedRateLimit(options.redis, options.keyPrefix, options.ratePerSecond ?? 40),
      onAttempt: (event) => {
        this.counters.requests++;
        this.counters.byStatus[event.status] = (this.counters.byStatus[event.status] ?? 0) + 1;
        options.onResponse?.(event);
      },
      onRetry: (retryNumber, error, delayMs) => {
        this.counters.retries++;
        this.logger?.debug('tmdb retry', {
          path: error.config?.url,
          outcome: outcomeOf(error),
          retryNumber,
          delayMs,
        });
      },
    });
  }

  configuration(): Promise<TmdbConfiguration> {
    return this.get('/configuration', {}, this.ttl.details);
  }

  genres(kind: MediaKind, language?: string): Promise<TmdbGenreList> {
    return this.get(`/genre/${kind}/list`, { language }, this.ttl.details);
  }

  /** Details with translations, images, external_ids and videos appended. */
  movie(id: number, language?: string, options?: TmdbRequestOptions): Promise<TmdbMovieDetails> {
    const params = { language, append_to_response: DETAIL_APPENDS.movie, ...mediaLanguages(language) };
    return this.get(`/movie/${id}`, params, this.ttl.details, options);
  }

  /** Details with external_ids, translations, images and videos appended. */
  tv(id: number, language?: string, options?: TmdbRequestOptions): Promise<TmdbTvDetails> {
    const params = { language, append_to_response: DETAIL_APPENDS.tv, ...mediaLanguages(language) };
    return this.get(`/tv/${id}`, params, this.ttl.details, options);
  }

  season(tvId: number, n: number, language?: string, options?: TmdbRequestOptions): Promise<TmdbSeason> {
    return this.get(`/tv/${tvId}/season/${n}`, { language }, this.ttl.details, options);
  }

  /** A curated list; 'trending' is /trending/{kind}/week. TMDB serves pages 1..500. */
  list(
    kind: 'movie',
    list: MovieListName,
    page?: number,
    language?: string,
  ): Promise<TmdbPaged<TmdbMovieSummary>>;
  list(kind: 'tv', list: TvListName, page?: number, language?: string): Promise<TmdbPaged<TmdbTvSummary>>;
  list(
    kind: MediaKind,
    list: MovieListName | TvListName,
    page = 1,
    language?: string,
  ): Promise<TmdbPaged<unknown>> {
    const path = list === 'trending' ? `/trending/${kind}/week` : `/${kind}/${list}`;
    return this.get(path, { page, language }, this.ttl.lists);
  }

  discover(kind: 'movie', params: TmdbDiscoverParams, page?: number): Promise<TmdbPaged<TmdbMovieSummary>>;
  discover(kind: 'tv', params: TmdbDiscoverParams, page?: number): Promise<TmdbPaged<TmdbTvSummary>>;
  discover(kind: MediaKind, params: TmdbDiscoverParams, page = 1): Promise<TmdbPaged<unknown>> {
    return this.get(`/discover/${kind}`, { ...params, page }, this.ttl.lists);
  }

  search(
    kind: 'movie',
    query: string,
    page?: number,
    language?: string,
  ): Promise<TmdbPaged<TmdbMovieSummary>>;
  search(kind: 'tv', query: string, page?: number, language?: string): Promise<TmdbPaged<TmdbTvSummary>>;
  search(kind: 'multi', query: string, page?: number, language?: string): Promise<TmdbPaged<TmdbMultiResult>>;
  search(kind: MediaKind | 'multi', query: string, page = 1, language?: string): Promise<TmdbPaged<unknown>> {
    return this.get(`/search/${kind}`, { query, page, language, include_adult: false }, this.ttl.lists);
  }

  /** Ids changed between two YYYY-MM-DD dates (at most 14 days apart); never cached. */
  changes(kind: MediaKind, startDate: string, endDate: string, page = 1): Promise<TmdbPaged<TmdbChange>> {
    return this.get(`/${kind}/changes`, { start_date: startDate, end_date: endDate, page }, 0);
  }

  findByImdb(imdbId: string): Promise<TmdbFindResult> {
    return this.get(`/find/${encodeURIComponent(imdbId)}`, { external_source: 'imdb_id' }, this.ttl.details);
  }

  /** HTTP attempts by outcome, cache hits and retries, since this client was made. */
  stats(): TmdbStats {
    return { ...this.counters, byStatus: { ...this.counters.byStatus } };
  }

  /** Closes idle keep-alive sockets. The Redis connection belongs to the caller. */
  close(): void {
    this.transport.close();
  }

  private get<T>(
    path: string,
    params: TmdbParams,
    ttlSeconds: number,
    options: TmdbRequestOptions = {},
  ): Promise<T> {
    const query = clean(params);
    const key = this.cache.key(path, query);
    const flightKey = options.fresh ? `${key}:fresh` : key;
    const running = this.inflight.get(flightKey);
    if (running) return running as Promise<T>;
    const call = this.load<T>(path, query, key, ttlSeconds, options.fresh === true).finally(() =>
      this.inflight.delete(flightKey),
    );
    this.inflight.set(flightKey, call);
    return call;
  }

  private async load<T>(
    path: string,
    params: TmdbParams,
    key: string,
    ttlSeconds: number,
    fresh: boolean,
  ): Promise<T> {
    if (ttlSeconds > 0 && !fresh) {
      const hit = await this.cache.get(key).catch((err: unknown) => {
        this.logger?.warn('tmdb cache read failed', { path, err: String(err) });
        return undefined;
      });
      if (hit) {
        this.counters.cacheHits++;
        if ('notFound' in hit)
          throw new TmdbNotFoundError(`TMDB has nothing at ${path}`, { path, httpStatus: 404, tmdbCode: 34 });
        return hit.data as T;
      }
    }
    try {
      const response = await this.transport.http.get<T>(path, { params });
      await this.store(key, { data: response.data }, ttlSeconds);
      return response.data;
    } catch (err) {
      const error = this.toError(path, err);
      if (error instanceof TmdbNotFoundError)
        await this.store(key, { notFound: true }, Math.min(ttlSeconds, this.ttl.notFound));
      if (error instanceof TmdbUnavailableError)
        this.logger?.warn('tmdb unavailable', { path, error: error.message });
      throw error;
    }
  }

  private async store(key: string, entry: CacheEntry, ttlSeconds: number): Promise<void> {
    await this.cache.set(key, entry, ttlSeconds).catch((err: unknown) => {
      this.logger?.warn('tmdb cache write failed', { err: String(err) });
    });
  }

  private toError(path: string, err: unknown): TmdbError {
    if (!axios.isAxiosError(err)) {
      return new TmdbUnavailableError(`TMDB request to ${path} could not be made: ${String(err)}`, {
        path,
        attempts: 0,
        cause: err,
      });
    }
    const status = err.response?.status;
    const details = { path, httpStatus: status, tmdbCode: tmdbCodeOf(err.response), cause: err };
    const attempts = (err.config?.['axios-retry']?.retryCount ?? 0) + 1;
    if (status === 404) return new TmdbNotFoundError(`TMDB has nothing at ${path}`, details);
    if (status === 401)
      return new TmdbAuthError(`TMDB refused the token (${path})`, { ...details, attempts });
    if (isRetryable(err)) {
      const retryAfterMs = retryAfterOf(err);
      const message = `TMDB unavailable for ${path} after ${attempts} attempt(s): ${outcomeOf(err)}`;
      return new TmdbUnavailableError(message, { ...details, attempts, retryAfterMs });
    }
    return new TmdbRequestError(`TMDB rejected ${path}: ${status} ${err.message}`, details);
  }
}

import type { Logger } from '@cinenest/logger';
import axios from 'axios';
import type { Redis } from 'ioredis';
import { MirrorBreakers } from './breaker.js';
import { YtsError, YtsUnavailableError } from './errors.js';
import { FailoverCall, type RingOptions } from './failover.js';
import { createTransport, type Transport } from './http.js';
import { SharedRateLimit } from './rate-limit.js';
import type {
  YtsListMoviesData,
  YtsMirrorState,
  YtsMovie,
  YtsMovieDetails,
  YtsMovieDetailsData,
  YtsResponseEvent,
  YtsStats,
} from './types.js';

export interface YtsBreakerOptions {
  /** Consecutive failures that open a mirror's circuit (default 3). */
  failureThreshold?: number;
  /** How long an open mirror is skipped before one probe request may try it (default 60000). */
  openMs?: number;
}

export interface YtsClientOptions {
  /**
   * The mirrors' API bases in order of preference (YTS_MIRRORS), e.g. https://yts.mx/api/v2; a bare
   * origin (https://yts.mx) gets /api/v2 appended.
   */
  mirrors: string[];
  /** Holds the shared rate limit and the circuit breakers. */
  redis: Redis;
  keyPrefix: string;
  /** Requests per second across every process and mirror sharing keyPrefix (default 5). */
  ratePerSecond?: number;
  /** Per attempt (default 10000). */
  timeoutMs?: number;
  /** How many times one call may walk the whole mirror ring before giving up (default 2). */
  rounds?: number;
  /** The wait before walking the ring again (default 1000 ms), doubling up to retryMaxDelayMs (default 10000). */
  retryBaseMs?: number;
  retryMaxDelayMs?: number;
  breaker?: YtsBreakerOptions;
  /** Sent as User-Agent (default 'Cinenest'). */
  userAgent?: string;
  logger?: Logger;
  /** Called after every HTTP attempt (failovers and probes included), e.g. for metrics. */
  onResponse?: (event: YtsResponseEvent) => void;
}

type Params = Record<string, string | number>;

const IMDB_ID = /^tt\d{7,}$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isMovie = (value: unknown): boolean =>
  isObject(value) && typeof value.imdb_code === 'string' && typeof value.id === 'number';

const isListData = (data: unknown): boolean =>
  isObject(data) &&
  typeof data.movie_count === 'number' &&
  (data.movies === undefined || (Array.isArray(data.movies) && data.movies.every(isMovie)));

const isDetailsData = (data: unknown): boolean => isObject(data) && isMovie(data.movie);

/** A mirror leaves `torrents` out when there are none: the client always gives an array. */
function withTorrents<T extends YtsMovie>(movie: T): T {
  return Array.isArray(movie.torrents) ? movie : { ...movie, torrents: [] };
}

/** A mirror URL as configured: absolute http(s), no trailing slash, /api/v2 when only an origin is given. */
export function normaliseMirror(mirror: string): string {
  let url: URL;
  try {
    url = new URL(mirror.trim());
  } catch {
    throw new RangeError(`not a YTS mirror URL: ${JSON.stringify(mirror)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RangeError(`a YTS mirror must be http(s): ${mirror}`);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? '/api/v2' : path}`;
}

/**
 * YTS v2 over several mirrors. Each call starts at the first mirror whose circuit admits it and fails
 * over in order (wrapping around) on refused or reset connections, timeouts, non-2xx, HTML or non-JSON
 * bodies and status "error". Circuit breakers and one rate limit live in Redis, shared by every
 * process. When no mirror answers, the call throws YtsUnavailableError: never an empty result.
 */
export class YtsClient {
  readonly mirrors: readonly string[];
  private readonly transport: Transport;
  private readonly breakers: MirrorBreakers;
  private readonly ring: RingOptions;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly counters: YtsStats = {
    requests: 0,
    byOutcome: {},
    failovers: 0,
    probes: 0,
    unavailable: 0,
  };
  private readonly logger?: Logger;
  private readonly onResponse?: (event: YtsResponseEvent) => void;

  constructor(options: YtsClientOptions) {
    const mirrors = [...new Set(options.mirrors.map(normaliseMirror))];
    if (mirrors.length === 0) throw new RangeError('YtsClient needs at least one mirror');
    const rounds = options.rounds ?? 2;
    if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError('rounds must be a positive integer');
    const failureThreshold = options.breaker?.failureThreshold ?? 3;
    if (!Number.isInteger(failureThreshold) || failureThreshold < 1)
      throw new RangeError('breaker.failureThreshold must be a positive integer');
    const openMs = Math.ceil(options.breaker?.openMs ?? 60_000);
    if (!(openMs > 0)) throw new RangeError('breaker.openMs must be positive');
    const timeoutMs = options.timeoutMs ?? 10_000;
    const baseMs = options.retryBaseMs ?? 1000;
    const maxDelayMs = options.retryMaxDelayMs ?? 10_000;

    this.mirrors = mirrors;
    this.logger = options.logger;
    this.onResponse = options.onResponse;
    this.breakers = new MirrorBreakers(options.redis, options.keyPrefix, mirrors, {
      failureThreshold,
      openMs,
      probeLeaseMs: timeoutMs * 2 + 5000,
      memoryMs: 600_000,
    });
    this.ring = {
      mirrors,
      breakers: this.breakers,
      rounds,
      // Exponential with jitter: half the step, plus up to the other half.
      backoff: (round) => {
        const ceiling = Math.min(maxDelayMs, baseMs * 2 ** Math.max(0, round - 1));
        return Math.floor(ceiling / 2 + Math.random() * (ceiling / 2));
      },
    };
    this.transport = createTransport({
      timeoutMs,
      userAgent: options.userAgent ?? 'Cinenest',
      limit: new SharedRateLimit(options.redis, options.keyPrefix, options.ratePerSecond ?? 5),
      maxAttempts: mirrors.length * rounds,
      onAttemptEnd: (call, outcome, ok) => this.attemptEnded(call, outcome, ok),
    });
  }

  /**
   * The YTS entries of one IMDb id: `list_movies.json?query_term=<id>`, keeping only exact imdb_code
   * matches (a query can match loosely). An empty array means YTS has none; an outage throws.
   */
  async moviesByImdb(imdbId: string): Promise<YtsMovie[]> {
    const wanted = imdbId.trim().toLowerCase();
    if (!IMDB_ID.test(wanted)) throw new RangeError(`not an IMDb id: ${JSON.stringify(imdbId)}`);
    const data = await this.get<YtsListMoviesData>(
      '/list_movies.json',
      { query_term: wanted, limit: 50 },
      isListData,
    );
    return (data.movies ?? []).filter((m) => m.imdb_code.toLowerCase() === wanted).map(withTorrents);
  }

  /**
   * `movie_details.json` by IMDb id (a string) or YTS movie id (a number); null when YTS has no such
   * movie (it answers an empty movie with id 0) or answers another one.
   */
  async movieDetails(id: string | number): Promise<YtsMovieDetails | null> {
    let params: Params;
    if (typeof id === 'number') {
      if (!Number.isInteger(id) || id < 1) throw new RangeError(`not a YTS movie id: ${id}`);
      params = { movie_id: id };
    } else {
      const imdbId = id.trim().toLowerCase();
      if (!IMDB_ID.test(imdbId)) throw new RangeError(`not an IMDb id: ${JSON.stringify(id)}`);
      params = { imdb_id: imdbId };
    }
    const { movie } = await this.get<YtsMovieDetailsData>('/movie_details.json', params, isDetailsData);
    if (movie.id === 0 || movie.imdb_code === '') return null;
    if ('imdb_id' in params && movie.imdb_code.toLowerCase() !== params.imdb_id) return null;
    if ('movie_id' in params && movie.id !== params.movie_id) return null;
    return withTorrents(movie);
  }

  /** Every mirror's circuit as all processes see it (for the status page). */
  mirrorStates(): Promise<YtsMirrorState[]> {
    return this.breakers.states();
  }

  /** HTTP attempts by outcome, failovers, probes and outages, since this client was made. */
  stats(): YtsStats {
    return { ...this.counters, byOutcome: { ...this.counters.byOutcome } };
  }

  /** Closes idle keep-alive sockets. The Redis connection belongs to the caller. */
  close(): void {
    this.transport.close();
  }

  private get<T>(path: string, params: Params, validate: (data: unknown) => boolean): Promise<T> {
    const key = `${path}?${Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('&')}`;
    const running = this.inflight.get(key);
    if (running) return running as Promise<T>;
    const call = this.load<T>(path, params, validate).finally(() => this.inflight.delete(key));
    this.inflight.set(key, call);
    return call;
  }

  private async load<T>(path: string, params: Params, validate: (data: unknown) => boolean): Promise<T> {
    const call = new FailoverCall(path, this.ring, validate);
    try {
      const response = await this.transport.http.get<{ data: T }>(path, { params, ytsCall: call });
      return response.data.data;
    } catch (err) {
      const error = this.toError(call, err);
      if (error instanceof YtsUnavailableError) {
        this.counters.unavailable++;
        this.logger?.warn('yts unavailable', {
          path,
          reason: error.reason,
          attempts: error.attempts.map((a) => `${a.mirror} ${a.outcome}`),
          retryAfterMs: error.retryAfterMs,
        });
      }
      throw error;
    }
  }

  private toError(call: FailoverCall, err: unknown): YtsError {
    if (err instanceof YtsError) return err;
    if (axios.isAxiosError(err)) return call.unavailable('all-failed', err);
    return new YtsUnavailableError(`YTS request to ${call.path} could not be made: ${String(err)}`, {
      path: call.path,
      reason: 'internal',
      attempts: [...call.attempts],
      cause: err,
    });
  }

  /** Records an attempt on the mirror's breaker (best effort: Redis trouble must not lose an answer). */
  private async attemptEnded(call: FailoverCall, outcome: string, ok: boolean): Promise<void> {
    const attempt = call.ended(outcome);
    if (!attempt) return;
    const { index, ...event } = attempt;
    const number = call.attempts.length - 1;
    this.counters.requests++;
    this.counters.byOutcome[outcome] = (this.counters.byOutcome[outcome] ?? 0) + 1;
    if (number > 0) this.counters.failovers++;
    if (attempt.probe) this.counters.probes++;
    try {
      if (ok) {
        await this.breakers.success(index);
        if (attempt.probe) this.logger?.info('yts mirror is back', { mirror: attempt.mirror });
      } else {
        const result = await this.breakers.failure(index, attempt.probe, outcome);
        if (result.retryInMs > 0) call.noteOpen(index, result.retryInMs);
        if (result.opened)
          this.logger?.warn('yts mirror circuit opened', {
            mirror: attempt.mirror,
            outcome,
            failures: result.failures,
            openMs: result.retryInMs,
          });
        else this.logger?.debug('yts mirror failed', { mirror: attempt.mirror, path: call.path, outcome });
      }
    } catch (err) {
      this.logger?.warn('yts breaker update failed', { mirror: attempt.mirror, err: String(err) });
    }
    this.onResponse?.({ ...event, path: call.path, attempt: number, ok });
  }
}

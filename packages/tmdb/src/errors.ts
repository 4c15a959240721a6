/**
 * What a TMDB call can end in. Only TmdbNotFoundError means "TMDB has no such thing"; an outage,
 * a rate limit that never cleared or a bad token is TmdbUnavailableError, so callers never take a
 * failure for an absence (and, say, delete a title).
 */

export interface TmdbErrorDetails {
  path: string;
  /** The last HTTP status, if an answer came. */
  httpStatus?: number;
  /** TMDB's own status_code from the body, if any. */
  tmdbCode?: number;
  cause?: unknown;
}

export class TmdbError extends Error {
  readonly path: string;
  readonly httpStatus?: number;
  readonly tmdbCode?: number;

  constructor(message: string, details: TmdbErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.path = details.path;
    this.httpStatus = details.httpStatus;
    this.tmdbCode = details.tmdbCode;
  }
}

/** HTTP 404 / status_code 34: the id does not exist on TMDB. */
export class TmdbNotFoundError extends TmdbError {}

/** TMDB could not answer (after every retry): 5xx, 429, timeouts, resets, malformed bodies. */
export class TmdbUnavailableError extends TmdbError {
  /** Attempts made, retries included. */
  readonly attempts: number;
  /** When TMDB asked for a longer pause than the client waits for: try again after this. */
  readonly retryAfterMs?: number;

  constructor(message: string, details: TmdbErrorDetails & { attempts: number; retryAfterMs?: number }) {
    super(message, details);
    this.attempts = details.attempts;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** HTTP 401: the token is wrong, revoked or suspended. Retrying will not help; configuration will. */
export class TmdbAuthError extends TmdbUnavailableError {}

/** Another 4xx (bad page, date range over 14 days, bad parameter): a bug in the request. */
export class TmdbRequestError extends TmdbError {}

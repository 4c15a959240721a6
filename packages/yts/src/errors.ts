import type { YtsAttempt } from './types.js';

/**
 * What a YTS call can end in besides an answer. "YTS has no torrents for this movie" is an answer
 * (an empty array, or null from movieDetails), never an error; YtsUnavailableError means nobody
 * answered, so callers must not take it for an absence (and, say, mark a movie as having no sources).
 */

export interface YtsErrorDetails {
  /** The API path, e.g. /list_movies.json */
  path: string;
  cause?: unknown;
}

export class YtsError extends Error {
  readonly path: string;

  constructor(message: string, details: YtsErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.path = details.path;
  }
}

export type YtsUnavailableReason =
  /** Every attempt the call was allowed failed (each mirror in turn, wrapping around). */
  | 'all-failed'
  /** Every mirror's circuit is open: nothing was (or could further be) asked. */
  | 'all-open'
  /** The request could not be made at all (Redis, which holds the rate limit and breakers, failed). */
  | 'internal';

/** No mirror gave a usable answer. Retry later (the job is delayed, never failed for good). */
export class YtsUnavailableError extends YtsError {
  readonly reason: YtsUnavailableReason;
  /** Every HTTP attempt, in order. */
  readonly attempts: YtsAttempt[];
  /** When every circuit is open: how long until the first mirror may be probed again. */
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    details: YtsErrorDetails & {
      reason: YtsUnavailableReason;
      attempts: YtsAttempt[];
      retryAfterMs?: number;
    },
  ) {
    super(message, details);
    this.reason = details.reason;
    this.attempts = details.attempts;
    this.retryAfterMs = details.retryAfterMs;
  }
}

import { TmdbNotFoundError, TmdbUnavailableError } from '@cinenest/tmdb';
import { UnrecoverableError } from 'bullmq';

/** A job's failedReason starts with one of these, so the API can tell "TMDB has no such title" from an outage. */
export const TMDB_NOT_FOUND = 'tmdb_not_found';
export const TMDB_UNAVAILABLE = 'tmdb_unavailable';

/**
 * How long a failed sync job is kept. While kept, its deterministic id makes the API answer 404 at
 * once for a title TMDB does not know; after that the title is asked for again (TMDB adds titles).
 */
export const NOT_FOUND_MEMORY = { age: 6 * 3600 };

/**
 * Runs a TMDB call for a job: a real 404 fails the job for good (no retry), an outage fails this
 * attempt only, so BullMQ retries it with backoff — never taken for an absence.
 */
export async function fromTmdb<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof TmdbNotFoundError) throw new UnrecoverableError(`${TMDB_NOT_FOUND}: ${err.path}`);
    if (err instanceof TmdbUnavailableError)
      throw new Error(`${TMDB_UNAVAILABLE}: ${err.message}`, { cause: err });
    throw err;
  }
}

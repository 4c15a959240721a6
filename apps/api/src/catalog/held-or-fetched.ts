import type { Queues } from '@cinenest/queue';
import { failUnlessFound } from './outcome.js';
import { enqueueAndWait } from './wait-for-job.js';

/**
 * A movie from the database, or — when it is not held yet — fetched through the worker with a
 * bounded wait: null while still pending (answer 202); throws 404 when TMDB has none, 503 when TMDB
 * cannot be reached. `find` reads whatever shape the caller needs.
 */
export async function heldOrFetchedMovie<T>(
  queues: Queues,
  tmdbId: number,
  waitMs: number,
  find: () => Promise<T | null>,
): Promise<T | null> {
  const held = await find();
  if (held) return held;
  failUnlessFound(await enqueueAndWait(queues, 'catalog.movie-sync', { tmdbId }, waitMs), `movie ${tmdbId}`);
  return find();
}

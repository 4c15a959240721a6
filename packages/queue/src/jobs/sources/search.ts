import { randomInt } from 'node:crypto';
import { YtsUnavailableError } from '@cinenest/yts';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';
import { saveYtsSources } from './persist.js';

const MINUTE = 60_000;
/** What YtsClient.moviesByImdb accepts (it throws RangeError for anything else). */
const IMDB_ID = /^tt\d{7,}$/i;

/**
 * Finds a movie's torrents on YTS by IMDb id and stores them encrypted. None found: the next
 * search is in 45–75 minutes. Every mirror down: the job waits and runs again, never fails, and the
 * movie is not marked as having no sources.
 */
export const sourcesSearch = defineJob({
  name: 'sources.search',
  queue: 'sources',
  schema: z.strictObject({ tmdbId: z.number().int().positive() }),
  jobId: (p) => `source-search.${p.tmdbId}`,
  options: { priority: PRIORITY.refresh, attempts: 5, backoff: { type: 'exponential', delay: 10_000 } },
  handler: async ({ tmdbId }, { db, yts, cipher, config, delay, queues }) => {
    const movie = await db.movie.findUnique({ where: { tmdbId }, select: { id: true, imdbId: true } });
    if (!movie) throw new UnrecoverableError(`movie ${tmdbId} is not held`);
    const now = Date.now();
    if (!movie.imdbId || !IMDB_ID.test(movie.imdbId.trim())) {
      // Nothing to search by yet (or a malformed id, which would fail every retry): TMDB may fix it later.
      await db.movie.update({
        where: { id: movie.id },
        data: {
          sourceSearchedAt: new Date(now),
          nextSourceSearchAt: new Date(now + config.SOURCE_RESEARCH_DAYS * 24 * 60 * MINUTE),
        },
      });
      return { tmdbId, found: 0, reason: 'no_imdb_id' };
    }
    let found;
    try {
      found = await yts.moviesByImdb(movie.imdbId);
    } catch (err) {
      if (err instanceof YtsUnavailableError)
        return delay(
          err.retryAfterMs ?? randomInt(60_000, 180_000),
          `every YTS mirror failed: ${err.message}`,
        );
      throw err;
    }
    const added = await saveYtsSources(db, cipher, movie.id, found, config.TRACKERS);
    if (added > 0) {
      // New sources get their .torrent fetched at once (the metadata sweep would find them within a minute).
      const fresh = await db.movieSource.findMany({
        where: { movieId: movie.id, metadataStatus: 'PENDING', nextMetadataAt: null },
        select: { id: true },
      });
      await Promise.all(fresh.map((s) => queues.enqueue('sources.metadata', { sourceId: s.id })));
    }
    const total = await db.movieSource.count({ where: { movieId: movie.id } });
    const next =
      total === 0
        ? now + randomInt(45 * MINUTE, 75 * MINUTE + 1)
        : now + config.SOURCE_RESEARCH_DAYS * 24 * 60 * MINUTE;
    await db.movie.update({
      where: { id: movie.id },
      data: { sourceSearchedAt: new Date(now), nextSourceSearchAt: new Date(next) },
    });
    return { tmdbId, found: found.reduce((n, m) => n + (m.torrents?.length ?? 0), 0), added, total };
  },
});

import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';
import { fromTmdb, NOT_FOUND_MEMORY } from './outcomes.js';
import { saveMovie } from './persist-movies.js';

/** A movie's details, genres, translations, images and trailer, from TMDB into Postgres. */
export const movieSync = defineJob({
  name: 'catalog.movie-sync',
  queue: 'catalog',
  schema: z.strictObject({
    tmdbId: z.number().int().positive(),
    /** Bypass the TMDB response cache: the changes feed said the title changed. */
    fresh: z.boolean().optional(),
    /** The changes-feed day that asked for this refresh (part of the job id). */
    day: z.iso.date().optional(),
  }),
  jobId: (p) => (p.day ? `movie-sync.${p.tmdbId}.${p.day}` : `movie-sync.${p.tmdbId}`),
  options: {
    priority: PRIORITY.refresh,
    attempts: 8,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnFail: NOT_FOUND_MEMORY,
  },
  handler: async ({ tmdbId, fresh }, { tmdb, db, config, queues }) => {
    const details = await fromTmdb(() => tmdb.movie(tmdbId, undefined, { fresh }));
    const { movie, firstSync } = await saveMovie(
      db,
      details,
      config.CATALOG_LANGUAGES,
      config.DEFAULT_LANGUAGE,
    );
    // A new movie gets its sources looked for at once, so nobody sees it without them for long.
    if (firstSync) await queues.enqueue('sources.search', { tmdbId });
    return { tmdbId, movieId: movie.id, firstSync };
  },
});

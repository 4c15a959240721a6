import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';
import { fromTmdb, NOT_FOUND_MEMORY } from './outcomes.js';
import { saveShow } from './persist-shows.js';

/** A show's details and season list; its episodes follow when it is wanted (see catalog.season-sweep). */
export const showSync = defineJob({
  name: 'catalog.show-sync',
  queue: 'catalog',
  schema: z.strictObject({
    tmdbId: z.number().int().positive(),
    fresh: z.boolean().optional(),
    day: z.iso.date().optional(),
  }),
  jobId: (p) => (p.day ? `show-sync.${p.tmdbId}.${p.day}` : `show-sync.${p.tmdbId}`),
  options: {
    priority: PRIORITY.refresh,
    attempts: 8,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnFail: NOT_FOUND_MEMORY,
  },
  handler: async ({ tmdbId, fresh }, { tmdb, db, config }) => {
    const details = await fromTmdb(() => tmdb.tv(tmdbId, undefined, { fresh }));
    const show = await saveShow(db, details, config.CATALOG_LANGUAGES, config.DEFAULT_LANGUAGE);
    return { tmdbId, showId: show.id, seasons: details.seasons?.length ?? 0 };
  },
});

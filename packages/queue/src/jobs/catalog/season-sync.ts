import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';
import { fromTmdb, NOT_FOUND_MEMORY } from './outcomes.js';
import { saveSeason, saveShow } from './persist-shows.js';

/** One season's episodes. Fetches the show first when it is not held yet. */
export const seasonSync = defineJob({
  name: 'catalog.season-sync',
  queue: 'catalog',
  schema: z.strictObject({
    showTmdbId: z.number().int().positive(),
    seasonNumber: z.number().int().min(0).max(1000),
  }),
  jobId: (p) => `season-sync.${p.showTmdbId}.${p.seasonNumber}`,
  options: {
    priority: PRIORITY.background,
    attempts: 8,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnFail: NOT_FOUND_MEMORY,
  },
  handler: async ({ showTmdbId, seasonNumber }, { tmdb, db, config }) => {
    let show = await db.tVShow.findUnique({
      where: { tmdbId: showTmdbId },
      select: { id: true, syncedAt: true },
    });
    if (!show?.syncedAt) {
      const details = await fromTmdb(() => tmdb.tv(showTmdbId));
      show = await saveShow(db, details, config.CATALOG_LANGUAGES, config.DEFAULT_LANGUAGE);
    }
    const season = await fromTmdb(() => tmdb.season(showTmdbId, seasonNumber));
    await saveSeason(db, show.id, season);
    return { showTmdbId, seasonNumber, episodes: season.episodes.length };
  },
});

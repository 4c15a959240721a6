import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';

const BATCH = 500;

/** Enqueues a source search for every movie that was never searched or whose next search is due. */
export const sourcesSearchSweep = defineJob({
  name: 'sources.search-sweep',
  queue: 'sources',
  schema: z.strictObject({}),
  every: (config) => config.SOURCE_SEARCH_SWEEP_INTERVAL * 1000,
  options: { attempts: 1 },
  handler: async (_payload, { db, queues }) => {
    const due = await db.movie.findMany({
      where: {
        syncedAt: { not: null },
        imdbId: { not: null },
        OR: [{ sourceSearchedAt: null }, { nextSourceSearchAt: { lte: new Date() } }],
      },
      select: { tmdbId: true },
      orderBy: [{ nextSourceSearchAt: { sort: 'asc', nulls: 'first' } }, { popularity: 'desc' }],
      take: BATCH,
    });
    const queue = queues.get('sources');
    for (const { tmdbId } of due) {
      // A finished search keeps its id for a while: make room for the next one.
      const previous = await queue.getJob(`source-search.${tmdbId}`);
      if (previous && (await previous.isCompleted())) await previous.remove();
      await queues.enqueue('sources.search', { tmdbId }, { priority: PRIORITY.background });
    }
    return { enqueued: due.length };
  },
});

import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';
import { seasonSync } from './season-sync.js';

const BATCH = 200;

/**
 * Finds seasons whose episodes are not synced yet and enqueues them: every season with
 * EPISODE_SYNC_MODE=GREEDY, only those of shows someone opened with ON_DEMAND.
 */
export const seasonSweep = defineJob({
  name: 'catalog.season-sweep',
  queue: 'catalog',
  schema: z.strictObject({}),
  every: (config) => config.SEASON_SWEEP_INTERVAL * 1000,
  options: { attempts: 1 },
  handler: async (_payload, { db, config, queues }) => {
    const greedy = config.EPISODE_SYNC_MODE === 'GREEDY';
    const seasons = await db.season.findMany({
      where: { synced: false, ...(greedy ? {} : { show: { episodesWantedAt: { not: null } } }) },
      select: { seasonNumber: true, show: { select: { tmdbId: true, episodesWantedAt: true } } },
      orderBy: [{ showId: 'asc' }, { seasonNumber: 'asc' }],
      take: BATCH,
    });
    await Promise.all(
      seasons.map(async (s) => {
        const payload = { showTmdbId: s.show.tmdbId, seasonNumber: s.seasonNumber };
        // A completed job keeps its id for a day (removeOnComplete), and adding that id again is a no-op.
        // The season is unsynced again (a show-sync saw its episode count change), so the old job goes.
        const done = await queues.get('catalog').getJob(seasonSync.jobId!(payload));
        if (done && (await done.isCompleted())) await done.remove();
        return queues.enqueue('catalog.season-sync', payload, {
          priority: s.show.episodesWantedAt ? PRIORITY.refresh : PRIORITY.background,
        });
      }),
    );
    return { enqueued: seasons.length, mode: config.EPISODE_SYNC_MODE };
  },
});

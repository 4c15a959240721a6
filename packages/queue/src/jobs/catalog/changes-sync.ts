import type { Db } from '@cinenest/db';
import type { TmdbClient } from '@cinenest/tmdb';
import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';
import type { Queues } from '../../queues.js';
import { addDays, isoDay } from './mapping.js';
import { fromTmdb } from './outcomes.js';

/** TMDB answers the changes of at most 14 days. */
export const CHANGES_WINDOW_DAYS = 14;

async function changedIds(tmdb: TmdbClient, kind: 'movie' | 'tv', day: string): Promise<number[]> {
  const ids: number[] = [];
  for (let page = 1; ; page++) {
    const result = await fromTmdb(() => tmdb.changes(kind, day, day, page));
    ids.push(...result.results.map((r) => r.id));
    if (page >= result.total_pages) return ids;
  }
}

async function heldIds(db: Db, kind: 'movie' | 'tv', ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const where = { tmdbId: { in: ids }, syncedAt: { not: null } };
  const rows =
    kind === 'movie'
      ? await db.movie.findMany({ where, select: { tmdbId: true } })
      : await db.tVShow.findMany({ where, select: { tmdbId: true } });
  return rows.map((r) => r.tmdbId);
}

/** Walks one kind's feed day by day from its cursor to today; the cursor advances after each day. */
async function walk(db: Db, queues: Queues, tmdb: TmdbClient, kind: 'movie' | 'tv', today: string) {
  const key = `tmdb.changes.${kind}`;
  const state = await db.syncState.findUnique({ where: { key } });
  const earliest = addDays(today, -CHANGES_WINDOW_DAYS);
  // The cursor's own day is walked again: titles can change after the last run looked at it.
  let day = state?.cursor ? isoDay(state.cursor) : addDays(today, -1);
  if (day < earliest) day = earliest;
  const days: string[] = [];
  let refreshed = 0;
  // A refresh done is removed at once: a kept job would hold its id (title and day), and the next run,
  // walking the cursor's day again, could not enqueue it for a title that changed again that day.
  const options = { priority: PRIORITY.refresh, removeOnComplete: true };
  for (; day <= today; day = addDays(day, 1)) {
    const held = await heldIds(db, kind, await changedIds(tmdb, kind, day));
    await Promise.all(
      held.map((tmdbId) =>
        kind === 'movie'
          ? queues.enqueue('catalog.movie-sync', { tmdbId, fresh: true, day }, options)
          : queues.enqueue('catalog.show-sync', { tmdbId, fresh: true, day }, options),
      ),
    );
    refreshed += held.length;
    days.push(day);
    const cursor = new Date(`${day}T00:00:00Z`);
    await db.syncState.upsert({ where: { key }, create: { key, cursor }, update: { cursor } });
  }
  await db.syncState.update({ where: { key }, data: { lastRunAt: new Date() } });
  return { days, refreshed };
}

/**
 * Refreshes the titles we hold that TMDB changed since the last run: the changes feed walked day by
 * day, at most 14 days back. Skipped when the last run is more recent than CHANGES_MIN_GAP.
 */
export const changesSync = defineJob({
  name: 'catalog.changes-sync',
  queue: 'catalog',
  schema: z.strictObject({ today: z.iso.date().optional() }),
  every: (config) => config.CHANGES_SYNC_INTERVAL * 1000,
  options: { priority: PRIORITY.refresh, attempts: 5, backoff: { type: 'exponential', delay: 30_000 } },
  handler: async ({ today: asked }, { db, queues, tmdb, config }) => {
    const today = asked ?? isoDay(new Date());
    const result: Record<string, unknown> = {};
    for (const kind of ['movie', 'tv'] as const) {
      const state = await db.syncState.findUnique({ where: { key: `tmdb.changes.${kind}` } });
      if (state?.lastRunAt && Date.now() - state.lastRunAt.getTime() < config.CHANGES_MIN_GAP * 1000) {
        result[kind] = { skipped: true, lastRunAt: state.lastRunAt };
        continue;
      }
      result[kind] = await walk(db, queues, tmdb, kind, today);
    }
    return result;
  },
});

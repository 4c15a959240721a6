import { MediaKind, type Db } from '@cinenest/db';
import type { TmdbClient, TmdbMovieSummary, TmdbTvSummary } from '@cinenest/tmdb';
import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';
import type { Queues } from '../../queues.js';
import { LISTS, type ListSpec } from './lists.js';
import { fromTmdb } from './outcomes.js';
import { saveMovieStubs } from './persist-movies.js';
import { saveShowStubs } from './persist-shows.js';

async function fetchList(tmdb: TmdbClient, spec: ListSpec, pages: number) {
  const seen = new Set<number>();
  const items: Array<TmdbMovieSummary | TmdbTvSummary> = [];
  for (let page = 1; page <= pages; page++) {
    const result =
      spec.kind === 'movie'
        ? await fromTmdb(() => tmdb.list('movie', spec.list, page))
        : await fromTmdb(() => tmdb.list('tv', spec.list, page));
    // Pages shift while TMDB re-ranks: a title can appear twice; keep its first place.
    for (const item of result.results as Array<TmdbMovieSummary | TmdbTvSummary>) {
      if (!seen.has(item.id)) {
        seen.add(item.id);
        items.push(item);
      }
    }
    if (page >= result.total_pages) break;
  }
  return items;
}

async function refreshOne(db: Db, queues: Queues, tmdb: TmdbClient, spec: ListSpec, pages: number) {
  const items = await fetchList(tmdb, spec, pages);
  const rows =
    spec.kind === 'movie'
      ? await saveMovieStubs(db, items as TmdbMovieSummary[])
      : await saveShowStubs(db, items as TmdbTvSummary[]);
  const byTmdbId = new Map(rows.map((r) => [r.tmdbId, r]));
  const ordered = items.map((i) => byTmdbId.get(i.id)).filter((r) => r !== undefined);
  await db.$transaction(async (tx) => {
    const list = await tx.mediaList.upsert({
      where: { slug: spec.slug },
      create: {
        slug: spec.slug,
        name: spec.name,
        kind: spec.kind === 'movie' ? MediaKind.MOVIE : MediaKind.SHOW,
      },
      update: { name: spec.name, refreshedAt: new Date() },
    });
    await tx.mediaListItem.deleteMany({ where: { listId: list.id } });
    await tx.mediaListItem.createMany({
      data: ordered.map((r, position) => ({
        listId: list.id,
        position,
        ...(spec.kind === 'movie' ? { movieId: r.id } : { showId: r.id }),
      })),
    });
    await tx.mediaList.update({ where: { id: list.id }, data: { refreshedAt: new Date() } });
  });
  const unsynced = ordered.filter((r) => !r.syncedAt);
  await Promise.all(
    unsynced.map((r) =>
      spec.kind === 'movie'
        ? queues.enqueue('catalog.movie-sync', { tmdbId: r.tmdbId }, { priority: PRIORITY.refresh })
        : queues.enqueue('catalog.show-sync', { tmdbId: r.tmdbId }, { priority: PRIORITY.refresh }),
    ),
  );
  return { items: ordered.length, enqueued: unsynced.length };
}

/** TMDB's lists (popular, top rated, now playing, trending) into MediaList; unseen titles get synced. */
export const listRefresh = defineJob({
  name: 'catalog.list-refresh',
  queue: 'catalog',
  schema: z.strictObject({ slugs: z.array(z.string()).optional() }),
  every: (config) => config.LIST_REFRESH_INTERVAL * 1000,
  options: { priority: PRIORITY.refresh, attempts: 5, backoff: { type: 'exponential', delay: 30_000 } },
  handler: async ({ slugs }, { db, queues, tmdb, config }) => {
    const specs = LISTS.filter((l) => !slugs || slugs.includes(l.slug));
    const result: Record<string, { items: number; enqueued: number }> = {};
    for (const spec of specs) result[spec.slug] = await refreshOne(db, queues, tmdb, spec, config.LIST_PAGES);
    return result;
  },
});

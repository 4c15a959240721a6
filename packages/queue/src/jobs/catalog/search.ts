import { createHash } from 'node:crypto';
import { foldText } from '@cinenest/db';
import type { TmdbMovieSummary, TmdbTvSummary } from '@cinenest/tmdb';
import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';
import { fromTmdb } from './outcomes.js';
import { saveMovieStubs } from './persist-movies.js';
import { saveShowStubs } from './persist-shows.js';

const searchPayload = z.strictObject({
  query: z.string().trim().min(1).max(200),
  type: z.enum(['movie', 'show', 'all']),
  page: z.number().int().min(1).max(500),
});

/**
 * TMDB search run for the API, for titles not held yet: they are stored at once (as list rows) and
 * synced in full. The job id folds the query, so the same search within a day is answered from its result.
 */
export const catalogSearch = defineJob({
  name: 'catalog.search',
  queue: 'catalog',
  schema: searchPayload,
  jobId: (p) =>
    `search.${createHash('sha1')
      .update(`${p.type}|${foldText(p.query)}|${p.page}`)
      .digest('hex')}`,
  options: { priority: PRIORITY.search, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
  handler: async ({ query, type, page }, { db, tmdb, queues }) => {
    const kind = type === 'all' ? 'multi' : type === 'show' ? 'tv' : 'movie';
    const result = await fromTmdb((): Promise<{ results: unknown[]; total_results: number }> =>
      kind === 'multi'
        ? tmdb.search('multi', query, page)
        : kind === 'tv'
          ? tmdb.search('tv', query, page)
          : tmdb.search('movie', query, page),
    );
    const movies: TmdbMovieSummary[] = [];
    const shows: TmdbTvSummary[] = [];
    for (const r of result.results as Array<Record<string, unknown>>) {
      const mediaType = kind === 'multi' ? r.media_type : kind;
      if (mediaType === 'movie') movies.push(r as unknown as TmdbMovieSummary);
      else if (mediaType === 'tv') shows.push(r as unknown as TmdbTvSummary);
    }
    const [movieRows, showRows] = [await saveMovieStubs(db, movies), await saveShowStubs(db, shows)];
    await Promise.all([
      ...movieRows
        .filter((r) => !r.syncedAt)
        .map((r) =>
          queues.enqueue('catalog.movie-sync', { tmdbId: r.tmdbId }, { priority: PRIORITY.search }),
        ),
      ...showRows
        .filter((r) => !r.syncedAt)
        .map((r) => queues.enqueue('catalog.show-sync', { tmdbId: r.tmdbId }, { priority: PRIORITY.search })),
    ]);
    return {
      movies: movies.map((m) => m.id),
      shows: shows.map((s) => s.id),
      totalResults: result.total_results,
    };
  },
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { askTmdb, startHarness, type Harness } from './support.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

interface SearchResult {
  movies: number[];
  shows: number[];
  totalResults: number;
}

/** What TMDB's search answers, as ids per kind. */
async function tmdbSearch(path: string, query: string, page = 1) {
  const body = await askTmdb<{
    results: Array<{ id: number; media_type?: string }>;
    total_results: number;
  }>(h.standIn, `${path}?query=${encodeURIComponent(query)}&page=${page}`);
  return body;
}

/** A word of a title, long enough to be selective. */
function wordOf(title: string): string {
  return title.split(/\s+/).sort((a, b) => b.length - a.length)[0]!;
}

describe('catalog.search', () => {
  it('stores the movies found as list rows and enqueues a sync for those not synced', async () => {
    const query = wordOf(h.standIn.catalog.texts('movie', h.standIn.catalog.movieIds()[0]!)!.en.title);
    const tmdb = await tmdbSearch('/search/movie', query);
    expect(tmdb.results.length).toBeGreaterThan(0);
    // One of them is held already.
    const held = tmdb.results[0]!.id;
    await h.run('catalog.movie-sync', { tmdbId: held });

    const result = (await h.run('catalog.search', { query, type: 'movie', page: 1 })) as SearchResult;
    expect(result).toEqual({
      movies: tmdb.results.map((r) => r.id),
      shows: [],
      totalResults: tmdb.total_results,
    });
    expect(await h.db.movie.count({ where: { tmdbId: { in: result.movies } } })).toBe(result.movies.length);
    const pending = (await h.pending()).filter((j) => j.name === 'catalog.movie-sync');
    expect(pending.map((j) => j.data.tmdbId).sort()).toEqual(
      result.movies.filter((id) => id !== held).sort(),
    );

    const worker = h.worker();
    try {
      await h.drained();
      expect(worker.failed).toEqual([]);
    } finally {
      await worker.close();
    }
    expect(await h.db.movie.count({ where: { tmdbId: { in: result.movies }, syncedAt: null } })).toBe(0);
  });

  it('searches shows, and both kinds at once', async () => {
    const showId = h.standIn.catalog.showIds()[0]!;
    const query = wordOf(h.standIn.catalog.texts('tv', showId)!.en.title);
    const shows = (await h.run('catalog.search', { query, type: 'show', page: 1 })) as SearchResult;
    const tmdbShows = await tmdbSearch('/search/tv', query);
    expect(shows).toEqual({
      movies: [],
      shows: tmdbShows.results.map((r) => r.id),
      totalResults: tmdbShows.total_results,
    });
    expect(shows.shows).toContain(showId);
    expect(await h.db.tVShow.count({ where: { tmdbId: { in: shows.shows } } })).toBe(shows.shows.length);

    const all = (await h.run('catalog.search', { query, type: 'all', page: 1 })) as SearchResult;
    const multi = await tmdbSearch('/search/multi', query);
    expect(all.movies).toEqual(multi.results.filter((r) => r.media_type === 'movie').map((r) => r.id));
    expect(all.shows).toEqual(multi.results.filter((r) => r.media_type === 'tv').map((r) => r.id));
    expect(all.shows).toContain(showId);
    const pending = await h.pending();
    expect(pending.filter((j) => j.name === 'catalog.show-sync').map((j) => j.data.tmdbId)).toContain(showId);
    await h.clearQueue();
  });

  it('a search that finds nothing stores nothing', async () => {
    const before = await h.db.movie.count();
    const result = await h.run('catalog.search', { query: 'zzqqxx nothing like it', type: 'all', page: 1 });
    expect(result).toEqual({ movies: [], shows: [], totalResults: 0 });
    expect(await h.db.movie.count()).toBe(before);
    expect(await h.pending()).toEqual([]);
  });

  it('the same search asked twice, in other case, accents or spacing, is one job', async () => {
    const a = await h.queues.enqueue('catalog.search', { query: 'Amélie  Poulain', type: 'movie', page: 1 });
    const b = await h.queues.enqueue('catalog.search', { query: ' amelie poulain ', type: 'movie', page: 1 });
    const c = await h.queues.enqueue('catalog.search', { query: 'amelie poulain', type: 'show', page: 1 });
    const d = await h.queues.enqueue('catalog.search', { query: 'amelie poulain', type: 'movie', page: 2 });
    expect(b.id).toBe(a.id);
    expect(new Set([a.id, c.id, d.id]).size).toBe(3);
    await h.clearQueue();
  });
});

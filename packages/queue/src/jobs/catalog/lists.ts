import type { MovieListName, TvListName } from '@cinenest/tmdb';

export type ListSpec =
  | { slug: string; name: string; kind: 'movie'; list: MovieListName }
  | { slug: string; name: string; kind: 'tv'; list: TvListName };

/** The TMDB lists Cinenest keeps, by slug (GET /api/v1/lists/:slug). */
export const LISTS: readonly ListSpec[] = [
  { slug: 'movies-popular', name: 'Popular movies', kind: 'movie', list: 'popular' },
  { slug: 'movies-top-rated', name: 'Top rated movies', kind: 'movie', list: 'top_rated' },
  { slug: 'movies-now-playing', name: 'Now playing', kind: 'movie', list: 'now_playing' },
  { slug: 'movies-trending', name: 'Trending movies this week', kind: 'movie', list: 'trending' },
  { slug: 'shows-popular', name: 'Popular shows', kind: 'tv', list: 'popular' },
  { slug: 'shows-top-rated', name: 'Top rated shows', kind: 'tv', list: 'top_rated' },
  { slug: 'shows-trending', name: 'Trending shows this week', kind: 'tv', list: 'trending' },
];

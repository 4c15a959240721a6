import type { MediaKind, StandInCatalog } from './catalog.js';
import { dateOf } from './prng.js';
import type { MovieRecord, ShowRecord } from './records.js';

/** TMDB's curated lists and discover over the generated catalog; sorted lists are computed once. */

export const MOVIE_LISTS = ['popular', 'top_rated', 'now_playing', 'upcoming'] as const;
export const TV_LISTS = ['popular', 'top_rated', 'on_the_air', 'airing_today'] as const;

const byPopularity = <T extends { popularity: number }>(a: T, b: T) => b.popularity - a.popularity;
const byRating = <T extends { voteAverage: number; voteCount: number }>(a: T, b: T) =>
  b.voteAverage - a.voteAverage || b.voteCount - a.voteCount;

export class Lists {
  private readonly memo = new Map<string, Array<MovieRecord | ShowRecord>>();

  constructor(private readonly catalog: StandInCatalog) {}

  private once<T extends MovieRecord | ShowRecord>(key: string, make: () => T[]): T[] {
    let list = this.memo.get(key);
    if (!list) this.memo.set(key, (list = make()));
    return list as T[];
  }

  /** The window now_playing and upcoming cover, as TMDB reports it in `dates`. */
  window(list: 'now_playing' | 'upcoming'): { minimum: string; maximum: string } {
    const today = this.catalog.todayNumber;
    return list === 'now_playing'
      ? { minimum: dateOf(today - 60), maximum: dateOf(today) }
      : { minimum: dateOf(today + 1), maximum: dateOf(today + 120) };
  }

  movies(list: (typeof MOVIE_LISTS)[number]): MovieRecord[] {
    return this.once(`movie:${list}`, () => {
      const all = [...this.catalog.allMovies()];
      switch (list) {
        case 'popular':
          return all.sort(byPopularity);
        case 'top_rated':
          return all.filter((m) => m.voteCount >= 200).sort(byRating);
        case 'now_playing':
        case 'upcoming': {
          const { minimum, maximum } = this.window(list);
          return all.filter((m) => m.releaseDate >= minimum && m.releaseDate <= maximum).sort(byPopularity);
        }
      }
    });
  }

  shows(list: (typeof TV_LISTS)[number]): ShowRecord[] {
    return this.once(`tv:${list}`, () => {
      const all = [...this.catalog.allShows()];
      const today = this.catalog.today;
      const week = dateOf(this.catalog.todayNumber + 7);
      const airing = (s: ShowRecord, from: string, to: string) =>
        s.inProduction &&
        s.seasons.some((season) =>
          this.catalog.episodes(s.id, season.number)!.some((e) => e.airDate >= from && e.airDate <= to),
        );
      switch (list) {
        case 'popular':
          return all.sort(byPopularity);
        case 'top_rated':
          return all.filter((s) => s.voteCount >= 100).sort(byRating);
        case 'on_the_air':
          return all.filter((s) => airing(s, today, week)).sort(byPopularity);
        case 'airing_today':
          return all.filter((s) => airing(s, today, today)).sort(byPopularity);
      }
    });
  }

  trending(kind: MediaKind | 'all'): Array<MovieRecord | ShowRecord> {
    return this.once(`trending:${kind}`, () => {
      const movies = kind === 'tv' ? [] : this.catalog.allMovies();
      const shows = kind === 'movie' ? [] : this.catalog.allShows();
      return [...movies, ...shows].sort((a, b) => b.trending - a.trending);
    });
  }

  discoverMovies(q: URLSearchParams): MovieRecord[] {
    const num = (name: string) => (q.get(name) === null ? undefined : Number(q.get(name)));
    const year = num('primary_release_year') ?? num('year');
    const gte = q.get('primary_release_date.gte') ?? q.get('release_date.gte');
    const lte = q.get('primary_release_date.lte') ?? q.get('release_date.lte');
    const language = q.get('with_original_language');
    const list = this.catalog
      .allMovies()
      .filter(
        (m) =>
          common(m, q) &&
          (year === undefined || m.releaseDate.startsWith(`${year}-`)) &&
          (!gte || m.releaseDate >= gte) &&
          (!lte || m.releaseDate <= lte) &&
          (!language || m.originalLanguage === language),
      );
    return sortBy(list, q.get('sort_by'), (m) => m.releaseDate);
  }

  discoverShows(q: URLSearchParams): ShowRecord[] {
    const year = q.get('first_air_date_year');
    const gte = q.get('first_air_date.gte');
    const lte = q.get('first_air_date.lte');
    const first = (s: ShowRecord) => s.seasons.find((x) => x.number === 1)?.airDate ?? '';
    const list = this.catalog
      .allShows()
      .filter(
        (s) =>
          common(s, q) &&
          (!year || first(s).startsWith(`${year}-`)) &&
          (!gte || first(s) >= gte) &&
          (!lte || first(s) <= lte),
      );
    return sortBy(list, q.get('sort_by'), first);
  }
}

/** with_genres ("," = all of, "|" = any of), without_genres, vote_count and vote_average bounds. */
function common(r: MovieRecord | ShowRecord, q: URLSearchParams): boolean {
  const genres = q.get('with_genres');
  if (genres) {
    const any = genres.includes('|');
    const wanted = genres.split(/[,|]/).map(Number);
    if (any ? !wanted.some((g) => r.genreIds.includes(g)) : !wanted.every((g) => r.genreIds.includes(g)))
      return false;
  }
  const without = q.get('without_genres');
  if (
    without &&
    without
      .split(/[,|]/)
      .map(Number)
      .some((g) => r.genreIds.includes(g))
  )
    return false;
  const bound = (name: string, value: number, dir: 'gte' | 'lte') => {
    const raw = q.get(`${name}.${dir}`);
    return raw === null || (dir === 'gte' ? value >= Number(raw) : value <= Number(raw));
  };
  return (
    bound('vote_count', r.voteCount, 'gte') &&
    bound('vote_count', r.voteCount, 'lte') &&
    bound('vote_average', r.voteAverage, 'gte') &&
    bound('vote_average', r.voteAverage, 'lte')
  );
}

function sortBy<T extends MovieRecord | ShowRecord>(
  list: T[],
  sort: string | null,
  date: (r: T) => string,
): T[] {
  const [field = 'popularity', dir = 'desc'] = (sort ?? 'popularity.desc').split('.');
  const key: (r: T) => number | string =
    field === 'vote_average'
      ? (r) => r.voteAverage
      : field === 'vote_count'
        ? (r) => r.voteCount
        : field === 'primary_release_date' || field === 'release_date' || field === 'first_air_date'
          ? date
          : (r) => r.popularity;
  const sign = dir === 'asc' ? 1 : -1;
  return list.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : a.id - b.id) * sign;
  });
}

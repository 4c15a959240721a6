import { dateOf, dayNumber, fold, rng } from './prng.js';
import {
  episodeRecords,
  FIRST_MOVIE_ID,
  FIRST_SHOW_ID,
  imdbSlot,
  MAX_MOVIES,
  MAX_SHOWS,
  mediaRecord,
  movieRecord,
  movieTexts,
  SHOW_IMDB_OFFSET,
  showRecord,
  showTexts,
  type EpisodeRecord,
  type MediaRecord,
  type MovieRecord,
  type ShowRecord,
} from './records.js';
import type { Localized } from './text.js';
import { LANGS, type Lang } from './words.js';

export type MediaKind = 'movie' | 'tv';

export interface CatalogOptions {
  seed: number;
  movies: number;
  shows: number;
  /** YYYY-MM-DD: "now" for upcoming releases, airing shows and the changes feed. */
  today: string;
}

/**
 * The generated catalog: every title derives from (seed, index), so any one is made on demand;
 * whole-catalog views (lists, search) are built once, on first use.
 */
export class StandInCatalog {
  readonly seed: number;
  readonly movieCount: number;
  readonly showCount: number;
  readonly today: string;
  readonly firstMovieId = FIRST_MOVIE_ID;
  readonly firstShowId = FIRST_SHOW_ID;
  private readonly todayDay: number;
  private movieList?: MovieRecord[];
  private showList?: ShowRecord[];
  private readonly searchIndex = new Map<MediaKind, string[]>();
  private readonly touched = new Map<string, Set<number>>();

  constructor(options: CatalogOptions) {
    if (options.movies < 0 || options.movies > MAX_MOVIES)
      throw new RangeError(`movies must be 0..${MAX_MOVIES}`);
    if (options.shows < 0 || options.shows > MAX_SHOWS) throw new RangeError(`shows must be 0..${MAX_SHOWS}`);
    const today = dayNumber(options.today);
    if (today === undefined) throw new RangeError(`today must be YYYY-MM-DD, got ${options.today}`);
    this.seed = options.seed;
    this.movieCount = options.movies;
    this.showCount = options.shows;
    this.today = options.today;
    this.todayDay = today;
  }

  movieIds(): number[] {
    return Array.from({ length: this.movieCount }, (_, i) => FIRST_MOVIE_ID + i);
  }

  showIds(): number[] {
    return Array.from({ length: this.showCount }, (_, i) => FIRST_SHOW_ID + i);
  }

  movie(id: number): MovieRecord | undefined {
    const index = id - FIRST_MOVIE_ID;
    if (!Number.isInteger(index) || index < 0 || index >= this.movieCount) return undefined;
    return this.movieList?.[index] ?? movieRecord(this.seed, index, this.todayDay);
  }

  show(id: number): ShowRecord | undefined {
    const index = id - FIRST_SHOW_ID;
    if (!Number.isInteger(index) || index < 0 || index >= this.showCount) return undefined;
    return this.showList?.[index] ?? showRecord(this.seed, index, this.todayDay);
  }

  /** Title (name, for shows), overview and tagline in every language the stand-in speaks. */
  texts(kind: MediaKind, id: number): Record<Lang, Localized> | undefined {
    if (kind === 'movie') return this.movie(id) && movieTexts(this.seed, id - FIRST_MOVIE_ID);
    return this.show(id) && showTexts(this.seed, id - FIRST_SHOW_ID);
  }

  /** Images and videos of a title. */
  media(kind: MediaKind, id: number): MediaRecord | undefined {
    if (kind === 'movie') return this.movie(id) && mediaRecord(this.seed, 'movie', id - FIRST_MOVIE_ID);
    return this.show(id) && mediaRecord(this.seed, 'tv', id - FIRST_SHOW_ID);
  }

  episodes(showId: number, seasonNumber: number): EpisodeRecord[] | undefined {
    const show = this.show(showId);
    const season = show?.seasons.find((s) => s.number === seasonNumber);
    return show && season && episodeRecords(this.seed, show, season);
  }

  allMovies(): MovieRecord[] {
    this.movieList ??= Array.from({ length: this.movieCount }, (_, i) =>
      movieRecord(this.seed, i, this.todayDay),
    );
    return this.movieList;
  }

  allShows(): ShowRecord[] {
    this.showList ??= Array.from({ length: this.showCount }, (_, i) =>
      showRecord(this.seed, i, this.todayDay),
    );
    return this.showList;
  }

  /** Titles matching the query in any language or the original title, accents and case ignored. */
  search<K extends MediaKind>(kind: K, query: string): Array<K extends 'movie' ? MovieRecord : ShowRecord> {
    const q = fold(query).trim().replace(/\s+/g, ' ');
    if (!q) return [];
    const all: Array<MovieRecord | ShowRecord> = kind === 'movie' ? this.allMovies() : this.allShows();
    const index = this.titleIndex(kind);
    const hits = all.filter((_, i) => index[i]!.includes(q));
    return hits.sort((a, b) => b.popularity - a.popularity) as Array<
      K extends 'movie' ? MovieRecord : ShowRecord
    >;
  }

  private titleIndex(kind: MediaKind): string[] {
    let index = this.searchIndex.get(kind);
    if (!index) {
      const count = kind === 'movie' ? this.movieCount : this.showCount;
      const texts = kind === 'movie' ? movieTexts : showTexts;
      index = Array.from({ length: count }, (_, i) => {
        const t = texts(this.seed, i);
        return fold(LANGS.map((l) => t[l].title).join('\u0000'));
      });
      this.searchIndex.set(kind, index);
    }
    return index;
  }

  findByImdb(imdbId: string): { movie?: MovieRecord; show?: ShowRecord } {
    const slot = imdbSlot(imdbId);
    if (slot === undefined) return {};
    if (slot < SHOW_IMDB_OFFSET) return { movie: this.movie(FIRST_MOVIE_ID + slot) };
    return { show: this.show(FIRST_SHOW_ID + slot - SHOW_IMDB_OFFSET) };
  }

  findByTvdb(tvdbId: number): ShowRecord | undefined {
    const index = (tvdbId - 70_000) / 3;
    return Number.isInteger(index) ? this.show(FIRST_SHOW_ID + index) : undefined;
  }

  /** Adds a title to the changes feed of a day. */
  touch(kind: MediaKind, id: number, date: string): void {
    if (dayNumber(date) === undefined) throw new RangeError(`date must be YYYY-MM-DD, got ${date}`);
    const key = `${kind}:${date}`;
    const set = this.touched.get(key) ?? new Set<number>();
    set.add(id);
    this.touched.set(key, set);
  }

  /** Ids changed on each day of [start, end]: a deterministic few per day plus whatever touch() added. */
  changes(kind: MediaKind, startDay: number, endDay: number): number[] {
    const count = kind === 'movie' ? this.movieCount : this.showCount;
    const first = kind === 'movie' ? FIRST_MOVIE_ID : FIRST_SHOW_ID;
    const out = new Set<number>();
    for (let day = startDay; day <= endDay; day++) {
      if (count > 0) {
        const r = rng(`${this.seed}:changes:${kind}:${day}`);
        const n = r.int(3, 15);
        for (let i = 0; i < n; i++) out.add(first + r.int(0, count - 1));
      }
      for (const id of this.touched.get(`${kind}:${dateOf(day)}`) ?? []) out.add(id);
    }
    return [...out];
  }

  get todayNumber(): number {
    return this.todayDay;
  }
}

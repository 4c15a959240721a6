/** TMDB v3 response shapes, as far as Cinenest reads them (fields TMDB may omit or null are marked so). */

export type MediaKind = 'movie' | 'tv';
export type MovieListName = 'popular' | 'top_rated' | 'now_playing' | 'upcoming' | 'trending';
export type TvListName = 'popular' | 'top_rated' | 'on_the_air' | 'airing_today' | 'trending';

export interface TmdbConfiguration {
  images: {
    base_url: string;
    secure_base_url: string;
    backdrop_sizes: string[];
    logo_sizes: string[];
    poster_sizes: string[];
    profile_sizes: string[];
    still_sizes: string[];
  };
  change_keys?: string[];
}

export interface TmdbGenre {
  id: number;
  name: string;
}

export interface TmdbGenreList {
  genres: TmdbGenre[];
}

export interface TmdbPaged<T> {
  page: number;
  results: T[];
  total_pages: number;
  total_results: number;
}

export interface TmdbImage {
  file_path: string;
  iso_639_1: string | null;
  vote_average: number;
  vote_count?: number;
  width?: number;
  height?: number;
  aspect_ratio?: number;
}

export interface TmdbImages {
  backdrops: TmdbImage[];
  logos: TmdbImage[];
  posters: TmdbImage[];
}

export interface TmdbVideo {
  id?: string;
  iso_639_1?: string;
  iso_3166_1?: string;
  name?: string;
  key: string;
  site: string;
  type: string;
  official?: boolean;
  published_at?: string;
  size?: number;
}

export interface TmdbTranslation<D> {
  iso_3166_1: string;
  iso_639_1: string;
  name: string;
  english_name: string;
  data: D;
}

export interface TmdbMovieTranslationData {
  title: string;
  overview: string;
  tagline: string;
  homepage?: string;
  runtime?: number;
}

export interface TmdbTvTranslationData {
  name: string;
  overview: string;
  tagline?: string;
  homepage?: string;
}

export interface TmdbMovieExternalIds {
  imdb_id: string | null;
  wikidata_id?: string | null;
  facebook_id?: string | null;
  instagram_id?: string | null;
  twitter_id?: string | null;
}

export interface TmdbTvExternalIds extends TmdbMovieExternalIds {
  tvdb_id: number | null;
  tvrage_id?: number | null;
}

export interface TmdbMovieSummary {
  id: number;
  title: string;
  original_title: string;
  original_language: string;
  overview: string;
  poster_path: string | null;
  backdrop_path: string | null;
  genre_ids: number[];
  popularity: number;
  vote_average: number;
  vote_count: number;
  release_date: string;
  adult?: boolean;
  video?: boolean;
}

export interface TmdbTvSummary {
  id: number;
  name: string;
  original_name: string;
  original_language: string;
  overview: string;
  poster_path: string | null;
  backdrop_path: string | null;
  genre_ids: number[];
  popularity: number;
  vote_average: number;
  vote_count: number;
  first_air_date: string;
  origin_country?: string[];
  adult?: boolean;
}

export type TmdbMultiResult =
  | (TmdbMovieSummary & { media_type: 'movie' })
  | (TmdbTvSummary & { media_type: 'tv' })
  | { media_type: 'person'; id: number; name: string; popularity: number };

export interface TmdbMovieDetails {
  id: number;
  imdb_id: string | null;
  title: string;
  original_title: string;
  original_language: string;
  overview: string;
  tagline: string | null;
  runtime: number | null;
  release_date: string;
  genres: TmdbGenre[];
  popularity: number;
  vote_average: number;
  vote_count: number;
  poster_path: string | null;
  backdrop_path: string | null;
  status: string;
  adult?: boolean;
  budget?: number;
  revenue?: number;
  homepage?: string | null;
  /** The appended blocks (always asked for by TmdbClient.movie). */
  translations: { translations: TmdbTranslation<TmdbMovieTranslationData>[] };
  images: TmdbImages;
  external_ids: TmdbMovieExternalIds;
  videos: { results: TmdbVideo[] };
}

export interface TmdbEpisode {
  id: number;
  name: string;
  overview: string;
  air_date: string | null;
  episode_number: number;
  season_number: number;
  runtime: number | null;
  still_path: string | null;
  vote_average: number;
  vote_count?: number;
  episode_type?: string;
  show_id?: number;
}

export interface TmdbSeasonSummary {
  id: number;
  season_number: number;
  episode_count: number;
  air_date: string | null;
  name: string;
  overview: string;
  poster_path: string | null;
  vote_average?: number;
}

export interface TmdbTvDetails {
  id: number;
  name: string;
  original_name: string;
  original_language: string;
  overview: string;
  tagline?: string | null;
  first_air_date: string | null;
  last_air_date: string | null;
  number_of_seasons: number;
  number_of_episodes?: number;
  seasons: TmdbSeasonSummary[];
  genres: TmdbGenre[];
  in_production: boolean;
  status: string;
  popularity: number;
  vote_average: number;
  vote_count: number;
  poster_path: string | null;
  backdrop_path: string | null;
  episode_run_time?: number[];
  last_episode_to_air: TmdbEpisode | null;
  next_episode_to_air: TmdbEpisode | null;
  /** The appended blocks (always asked for by TmdbClient.tv). */
  external_ids: TmdbTvExternalIds;
  translations: { translations: TmdbTranslation<TmdbTvTranslationData>[] };
  images: TmdbImages;
  videos: { results: TmdbVideo[] };
}

export interface TmdbSeason {
  id: number;
  name: string;
  overview: string;
  air_date: string | null;
  poster_path: string | null;
  season_number: number;
  episodes: TmdbEpisode[];
  vote_average?: number;
}

export interface TmdbChange {
  id: number;
  adult: boolean | null;
}

export interface TmdbFindResult {
  movie_results: Array<TmdbMovieSummary & { media_type?: 'movie' }>;
  tv_results: Array<TmdbTvSummary & { media_type?: 'tv' }>;
  person_results?: unknown[];
  tv_episode_results?: unknown[];
  tv_season_results?: unknown[];
}

/** /discover parameters, by TMDB's own names (with_genres: "28,12" = all of, "28|12" = any of). */
export interface TmdbDiscoverParams {
  sort_by?: string;
  with_genres?: string;
  without_genres?: string;
  primary_release_year?: number;
  first_air_date_year?: number;
  'vote_count.gte'?: number;
  'vote_average.gte'?: number;
  with_original_language?: string;
  language?: string;
  [param: string]: string | number | boolean | undefined;
}

export type TmdbParams = Record<string, string | number | boolean | undefined>;

/** What the client counted: every HTTP attempt (retries included) by status, cache hits apart. */
export interface TmdbStats {
  requests: number;
  /** HTTP status ("200", "429") or, when no answer came, the error ("ECONNRESET", "ETIMEDOUT", "invalid-body"). */
  byStatus: Record<string, number>;
  cacheHits: number;
  retries: number;
}

export interface TmdbResponseEvent {
  path: string;
  /** As in TmdbStats.byStatus. */
  status: string;
  durationMs: number;
  /** 0 for the first attempt. */
  attempt: number;
}

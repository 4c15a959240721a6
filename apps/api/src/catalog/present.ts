import type {
  Episode,
  Genre,
  GenreTranslation,
  Movie,
  MovieTranslation,
  Season,
  TVShow,
  TVShowTranslation,
} from '@cinenest/db';
import type { Images } from './images.js';
import { pickTranslation, type Lang } from './language.js';

type GenreWith = Pick<Genre, 'id' | 'name'> & {
  translations?: Array<Pick<GenreTranslation, 'language' | 'name'>>;
};

/** What a movie in a list is made of (a whole row will do, or moviePage()'s). */
type ListedMovie = Pick<
  Movie,
  | 'tmdbId'
  | 'title'
  | 'originalTitle'
  | 'overview'
  | 'year'
  | 'releaseDate'
  | 'rating'
  | 'voteCount'
  | 'popularity'
  | 'posterPath'
  | 'backdropPath'
  | 'syncedAt'
> & {
  translations?: Array<Pick<MovieTranslation, 'language' | 'region' | 'title' | 'overview'>>;
  genres?: GenreWith[];
};

export function presentGenre(genre: GenreWith, lang: Lang) {
  return {
    id: genre.id,
    name: genre.translations?.find((t) => t.language === lang.language)?.name ?? genre.name,
  };
}

const day = (date: Date | null) => date?.toISOString().slice(0, 10) ?? null;

/** A movie in a list: translated texts (falling back to the default language), images in several sizes. */
export function presentMovie(movie: ListedMovie, lang: Lang, images: Images) {
  const t = pickTranslation(movie.translations, lang);
  return {
    type: 'movie' as const,
    tmdbId: movie.tmdbId,
    title: t?.title ?? movie.title,
    originalTitle: movie.originalTitle,
    overview: t?.overview ?? movie.overview,
    year: movie.year,
    releaseDate: day(movie.releaseDate),
    rating: movie.rating,
    voteCount: movie.voteCount,
    popularity: movie.popularity,
    genres: (movie.genres ?? []).map((g) => presentGenre(g, lang)),
    poster: images.urls('poster', movie.posterPath),
    backdrop: images.urls('backdrop', movie.backdropPath),
    /** False while only list data is held (details are being fetched). */
    synced: movie.syncedAt !== null,
  };
}

export function presentMovieDetails(
  movie: Movie & { translations: MovieTranslation[]; genres: GenreWith[] },
  lang: Lang,
  images: Images,
) {
  const t = pickTranslation(movie.translations, lang);
  return {
    ...presentMovie(movie, lang, images),
    imdbId: movie.imdbId,
    tagline: t?.tagline ?? movie.tagline,
    runtime: movie.runtime,
    status: movie.status,
    originalLanguage: movie.originalLanguage,
    logo: images.urls('logo', movie.logoPath),
    trailer: movie.trailerKey
      ? { site: 'YouTube', key: movie.trailerKey, url: `https://www.youtube.com/watch?v=${movie.trailerKey}` }
      : null,
    languages: [...new Set(movie.translations.map((x) => x.language))].sort(),
    syncedAt: movie.syncedAt,
  };
}

export function presentShow(
  show: TVShow & { translations?: TVShowTranslation[]; genres?: GenreWith[] },
  lang: Lang,
  images: Images,
) {
  const t = pickTranslation(show.translations, lang);
  return {
    type: 'show' as const,
    tmdbId: show.tmdbId,
    name: t?.name ?? show.name,
    originalName: show.originalName,
    overview: t?.overview ?? show.overview,
    year: show.year,
    firstAirDate: day(show.firstAirDate),
    rating: show.rating,
    voteCount: show.voteCount,
    popularity: show.popularity,
    genres: (show.genres ?? []).map((g) => presentGenre(g, lang)),
    poster: images.urls('poster', show.posterPath),
    backdrop: images.urls('backdrop', show.backdropPath),
    synced: show.syncedAt !== null,
  };
}

export function presentShowDetails(
  show: TVShow & { translations: TVShowTranslation[]; genres: GenreWith[]; seasons: Season[] },
  lang: Lang,
  images: Images,
) {
  const t = pickTranslation(show.translations, lang);
  return {
    ...presentShow(show, lang, images),
    imdbId: show.imdbId,
    tvdbId: show.tvdbId,
    tagline: t?.tagline ?? show.tagline,
    lastAirDate: day(show.lastAirDate),
    numberOfSeasons: show.numberOfSeasons,
    inProduction: show.inProduction,
    status: show.status,
    logo: images.urls('logo', show.logoPath),
    trailer: show.trailerKey
      ? { site: 'YouTube', key: show.trailerKey, url: `https://www.youtube.com/watch?v=${show.trailerKey}` }
      : null,
    seasons: show.seasons.map((s) => ({
      seasonNumber: s.seasonNumber,
      name: s.name,
      overview: s.overview,
      airDate: day(s.airDate),
      episodeCount: s.episodeCount,
      poster: images.urls('poster', s.posterPath),
      episodesSynced: s.synced,
    })),
    syncedAt: show.syncedAt,
  };
}

export function presentEpisode(e: Episode, images: Images) {
  return {
    episodeNumber: e.episodeNumber,
    name: e.name,
    overview: e.overview,
    airDate: day(e.airDate),
    runtime: e.runtime,
    rating: e.rating,
    still: images.urls('still', e.stillPath),
  };
}

import { z } from 'zod';
import { pagingQuery } from '../http/paging.js';
import { day, timestamp } from '../openapi/schemas.js';
import { langQuery } from './language.js';

export const tmdbIdParams = z.strictObject({ tmdbId: z.coerce.number().int().positive().max(2_147_483_647) });

export const seasonParams = z.strictObject({
  tmdbId: z.coerce.number().int().positive().max(2_147_483_647),
  number: z.coerce.number().int().min(0).max(1000),
});

const browse = {
  ...pagingQuery,
  genre: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  year: z.coerce.number().int().min(1870).max(2100).optional(),
  sort: z.enum(['popularity', 'rating', 'releaseDate', 'title']).default('popularity'),
  lang: langQuery,
};

export const browseQuery = z.strictObject(browse);

export const langOnlyQuery = z.strictObject({ lang: langQuery });

export const searchQuery = z.strictObject({
  q: z.string().trim().min(1, 'must not be empty').max(200),
  type: z.enum(['movie', 'show', 'all']).default('all'),
  page: z.coerce.number().int().min(1).max(500).default(1),
  lang: langQuery,
});

export const genresQuery = z.strictObject({ lang: langQuery, type: z.enum(['movie', 'show']).optional() });

export const listParams = z.strictObject({ slug: z.string().regex(/^[a-z0-9-]{1,60}$/, 'a list slug') });
export const listQuery = z.strictObject({ ...pagingQuery, lang: langQuery });

// Answers.

/** Absolute image URLs by TMDB size (w185, w342, original...); null without an image. */
const imageUrls = z.record(z.string(), z.string()).nullable();

const genre = z.strictObject({ id: z.number().int(), name: z.string() });

const trailer = z.strictObject({ site: z.literal('YouTube'), key: z.string(), url: z.string() }).nullable();

const paged = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
  });

/** A movie in a list (presentMovie()): texts in the asked language when translated. */
export const movieSummary = z
  .strictObject({
    type: z.literal('movie'),
    tmdbId: z.number().int(),
    title: z.string(),
    originalTitle: z.string().nullable(),
    overview: z.string().nullable(),
    year: z.number().int().nullable(),
    releaseDate: day().nullable(),
    rating: z.number(),
    voteCount: z.number().int().nullable(),
    popularity: z.number(),
    genres: z.array(genre),
    poster: imageUrls,
    backdrop: imageUrls,
    /** False while only list data is held (details are being fetched). */
    synced: z.boolean(),
  })
  .meta({ id: 'MovieSummary' });

export const movieDetails = z
  .strictObject({
    ...movieSummary.shape,
    imdbId: z.string().nullable(),
    tagline: z.string().nullable(),
    runtime: z.number().int().nullable(),
    status: z.string().nullable(),
    originalLanguage: z.string().nullable(),
    logo: imageUrls,
    trailer,
    /** Every language the movie's texts are held in. */
    languages: z.array(z.string()),
    syncedAt: timestamp(),
  })
  .meta({ id: 'Movie' });

/** A show in a list (presentShow()). */
export const showSummary = z
  .strictObject({
    type: z.literal('show'),
    tmdbId: z.number().int(),
    name: z.string(),
    originalName: z.string().nullable(),
    overview: z.string().nullable(),
    year: z.number().int().nullable(),
    firstAirDate: day().nullable(),
    rating: z.number(),
    voteCount: z.number().int().nullable(),
    popularity: z.number(),
    genres: z.array(genre),
    poster: imageUrls,
    backdrop: imageUrls,
    synced: z.boolean(),
  })
  .meta({ id: 'ShowSummary' });

export const showDetails = z
  .strictObject({
    ...showSummary.shape,
    imdbId: z.string().nullable(),
    tvdbId: z.number().int().nullable(),
    tagline: z.string().nullable(),
    lastAirDate: day().nullable(),
    numberOfSeasons: z.number().int().nullable(),
    inProduction: z.boolean().nullable(),
    status: z.string().nullable(),
    logo: imageUrls,
    trailer,
    seasons: z.array(
      z.strictObject({
        seasonNumber: z.number().int(),
        name: z.string().nullable(),
        overview: z.string().nullable(),
        airDate: day().nullable(),
        episodeCount: z.number().int().nullable(),
        poster: imageUrls,
        /** Its episodes are held (else GET the season to fetch them). */
        episodesSynced: z.boolean(),
      }),
    ),
    syncedAt: timestamp(),
  })
  .meta({ id: 'Show' });

export const seasonResponse = z.strictObject({
  show: z.strictObject({ tmdbId: z.number().int(), name: z.string() }),
  seasonNumber: z.number().int(),
  name: z.string().nullable(),
  overview: z.string().nullable(),
  airDate: day().nullable(),
  poster: imageUrls,
  episodes: z.array(
    z.strictObject({
      episodeNumber: z.number().int(),
      name: z.string().nullable(),
      overview: z.string().nullable(),
      airDate: day().nullable(),
      runtime: z.number().int().nullable(),
      rating: z.number().nullable(),
      still: imageUrls,
    }),
  ),
});

export const titleSummary = z.discriminatedUnion('type', [movieSummary, showSummary]);

export const moviesPage = paged(movieSummary);
export const showsPage = paged(showSummary);

export const searchResponse = z.strictObject({
  ...paged(titleSummary).shape,
  /** The TMDB part: merged (complete), still running (pending), or not to be had right now. */
  tmdb: z.enum(['complete', 'pending', 'not_found', 'unavailable']),
});

export const genresResponse = z.strictObject({
  items: z.array(z.strictObject({ ...genre.shape, movies: z.boolean(), shows: z.boolean() })),
});

const listInfo = {
  slug: z.string(),
  name: z.string(),
  kind: z.enum(['movie', 'show']),
  refreshedAt: timestamp().nullable(),
};

export const listsResponse = z.strictObject({
  items: z.array(z.strictObject({ ...listInfo, itemCount: z.number().int() })),
});

export const listPage = z.strictObject({ list: z.strictObject(listInfo), ...paged(titleSummary).shape });

/** 202: the worker is still fetching it; try again after Retry-After seconds. */
export const pendingResponse = z
  .strictObject({ status: z.literal('pending'), message: z.string() })
  .meta({ id: 'Pending' });

import {
  Prisma,
  type Db,
  type Genre,
  type GenreTranslation,
  type Movie,
  type MovieTranslation,
} from '@cinenest/db';
import type { Lang } from './language.js';

type Sort = 'popularity' | 'rating' | 'releaseDate' | 'title';

/** The orders of movieOrder() (sorting.ts), each ending with the id so pages never overlap. */
const ORDER: Record<Sort, Prisma.Sql> = {
  popularity: Prisma.sql`"popularity" DESC, "id" ASC`,
  rating: Prisma.sql`"rating" DESC, "id" ASC`,
  releaseDate: Prisma.sql`"releaseDate" DESC NULLS LAST, "id" ASC`,
  title: Prisma.sql`"title" ASC, "id" ASC`,
};

/** The columns presentMovie() reads, with the asked language's translations and the genres. */
export type MovieRow = Pick<
  Movie,
  | 'id'
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
  translations: Array<Pick<MovieTranslation, 'language' | 'region' | 'title' | 'overview'>>;
  genres: Array<
    Pick<Genre, 'id' | 'name'> & { translations: Array<Pick<GenreTranslation, 'language' | 'name'>> }
  >;
};

/**
 * One browse page of movies in one statement: the page's rows from the index of its order, then
 * their translations in the asked language and their genres (translated) as JSON, for those rows only
 * (not for the rows an offset skips). Prisma's findMany with the same include takes four round trips.
 */
export function moviePage(
  db: Db,
  filter: { genre?: number | undefined; year?: number | undefined },
  sort: Sort,
  lang: Lang,
  page: { skip: number; take: number },
): Promise<MovieRow[]> {
  const where = [
    filter.genre === undefined
      ? undefined
      : Prisma.sql`EXISTS (SELECT 1 FROM "_GenreToMovie" x WHERE x."B" = m."id" AND x."A" = ${filter.genre})`,
    filter.year === undefined ? undefined : Prisma.sql`m."year" = ${filter.year}`,
  ].filter((c) => c !== undefined);
  return db.$queryRaw<MovieRow[]>`
    SELECT p."id", p."tmdbId", p."title", p."originalTitle", p."overview", p."year", p."releaseDate",
      p."rating", p."voteCount", p."popularity", p."posterPath", p."backdropPath", p."syncedAt",
      COALESCE((
        SELECT json_agg(json_build_object(
          'language', t."language", 'region', t."region", 'title', t."title", 'overview', t."overview"
        ) ORDER BY t."region")
        FROM "MovieTranslation" t WHERE t."movieId" = p."id" AND t."language" = ${lang.language}
      ), '[]'::json) AS "translations",
      COALESCE((
        SELECT json_agg(json_build_object(
          'id', g."id", 'name', g."name",
          'translations', COALESCE((
            SELECT json_agg(json_build_object('language', gt."language", 'name', gt."name"))
            FROM "GenreTranslation" gt WHERE gt."genreId" = g."id" AND gt."language" = ${lang.language}
          ), '[]'::json)
        ) ORDER BY g."id")
        FROM "_GenreToMovie" gm JOIN "Genre" g ON g."id" = gm."A" WHERE gm."B" = p."id"
      ), '[]'::json) AS "genres"
    FROM (
      SELECT m.* FROM "Movie" m
      ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, ' AND ')}` : Prisma.empty}
      ORDER BY ${ORDER[sort]}
      LIMIT ${page.take} OFFSET ${page.skip}
    ) p
    ORDER BY ${ORDER[sort]}`;
}

import { Prisma, searchTextOf, type Db } from '@cinenest/db';
import type { TmdbMovieDetails, TmdbMovieSummary } from '@cinenest/tmdb';
import { dateOf, logoPathOf, trailerKeyOf, translationRows, yearOf } from './mapping.js';

/**
 * Genres this process has already stored (flagged for movies), per database: most movies bring
 * genres seen before, and skipping their two writes is a good share of a sync's cost.
 */
const knownGenres = new WeakMap<Db, Set<number>>();

async function ensureMovieGenres(db: Db, genres: TmdbMovieDetails['genres']) {
  let known = knownGenres.get(db);
  if (!known) knownGenres.set(db, (known = new Set()));
  const missing = genres.filter((g) => !known.has(g.id));
  if (!missing.length) return;
  await db.genre.createMany({ data: missing.map((g) => ({ id: g.id, name: g.name })), skipDuplicates: true });
  await db.genre.updateMany({
    where: { id: { in: missing.map((g) => g.id) }, forMovies: false },
    data: { forMovies: true },
  });
  for (const g of missing) known.add(g.id);
}

/** Upserts a movie's full details, genres and translations. Idempotent. Returns whether this was its first full sync. */
export async function saveMovie(
  db: Db,
  d: TmdbMovieDetails,
  languages: readonly string[],
  defaultLanguage: string,
) {
  const before = await db.movie.findUnique({ where: { tmdbId: d.id }, select: { syncedAt: true } });
  const translations = translationRows(d.translations?.translations, languages, (t) => t.title);
  const genreIds = d.genres.map((g) => g.id);
  await ensureMovieGenres(db, d.genres);
  const data = {
    imdbId: d.imdb_id || d.external_ids?.imdb_id || null,
    title: d.title,
    originalTitle: d.original_title || null,
    originalLanguage: d.original_language || null,
    overview: d.overview || null,
    tagline: d.tagline || null,
    runtime: d.runtime || null,
    releaseDate: dateOf(d.release_date),
    year: yearOf(d.release_date),
    rating: d.vote_average ?? 0,
    voteCount: d.vote_count ?? null,
    popularity: d.popularity ?? 0,
    status: d.status || null,
    adult: d.adult ?? false,
    trailerKey: trailerKeyOf(d.videos?.results),
    posterPath: d.poster_path,
    backdropPath: d.backdrop_path,
    logoPath: logoPathOf(d.images, defaultLanguage),
    searchText: searchTextOf([d.title, d.original_title, ...translations.map((t) => t.title)]),
    syncedAt: new Date(),
  };
  // No nested writes here, so Prisma issues one INSERT … ON CONFLICT. Run first in the transaction, it locks the
  // title's row until the commit: two jobs writing one title take turns instead of colliding on its translations.
  const movie = await db.$transaction(async (tx) => {
    const row = await tx.movie.upsert({
      where: { tmdbId: d.id },
      create: { tmdbId: d.id, ...data },
      update: data,
    });
    // The genre links in two statements (Prisma's `set` takes six): drop the ones gone, add the new.
    const ids = Prisma.sql`ARRAY[${Prisma.join(genreIds.length ? genreIds : [0])}]::int[]`;
    await tx.$executeRaw`DELETE FROM "_GenreToMovie" WHERE "B" = ${row.id} AND NOT ("A" = ANY(${ids}))`;
    if (genreIds.length)
      await tx.$executeRaw`INSERT INTO "_GenreToMovie" ("A", "B") SELECT unnest(${ids}), ${row.id} ON CONFLICT DO NOTHING`;
    await tx.movieTranslation.deleteMany({ where: { movieId: row.id } });
    await tx.movieTranslation.createMany({ data: translations.map((t) => ({ movieId: row.id, ...t })) });
    return row;
  });
  return { movie, firstSync: !before?.syncedAt };
}

/**
 * Rows for titles seen only in a list or a search (no details yet), so they can be listed at once;
 * existing rows are left alone. Returns every one of the given titles with its sync state.
 */
export async function saveMovieStubs(db: Db, items: TmdbMovieSummary[]) {
  if (!items.length) return [];
  await db.movie.createMany({
    data: items.map((m) => ({
      tmdbId: m.id,
      title: m.title,
      originalTitle: m.original_title || null,
      originalLanguage: m.original_language || null,
      overview: m.overview || null,
      releaseDate: dateOf(m.release_date),
      year: yearOf(m.release_date),
      rating: m.vote_average ?? 0,
      voteCount: m.vote_count ?? null,
      popularity: m.popularity ?? 0,
      adult: m.adult ?? false,
      posterPath: m.poster_path,
      backdropPath: m.backdrop_path,
      searchText: searchTextOf([m.title, m.original_title]),
    })),
    skipDuplicates: true,
  });
  return db.movie.findMany({
    where: { tmdbId: { in: items.map((m) => m.id) } },
    select: { id: true, tmdbId: true, syncedAt: true },
  });
}

// Fills a database with fully synced movies, as catalog.movie-sync would leave them, in bulk SQL: the
// titles, overviews, genres and translations (en, fr, de, es) of the TMDB stand-in's generated catalog
// (the same seed, so a stand-in started beside it knows the same titles).
import pg from 'pg';
import { searchTextOf } from '../../packages/db/dist/search-text.js';
import { StandInCatalog } from '../../packages/testkit/dist/index.js';

const LANGS = ['en', 'fr', 'de', 'es'];
const REGION = { en: 'US', fr: 'FR', de: 'DE', es: 'ES' };
const BATCH = 2500;

/**
 * @param {string} databaseUrl
 * @param {{ movies: number, today: string, genres: Record<string, Array<{ id: number, name: string }>> }} options
 *   genres: the stand-in's movie genre list per language (from /genre/movie/list).
 * @returns {Promise<StandInCatalog>} the catalog the rows came from.
 */
export async function seedMovies(databaseUrl, { movies, today, genres }) {
  const catalog = new StandInCatalog({ seed: 1, movies, shows: 0, today });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "Genre" (id, name, "forMovies") SELECT * FROM unnest($1::int[], $2::text[], $3::bool[])`,
      [genres.en.map((g) => g.id), genres.en.map((g) => g.name), genres.en.map(() => true)],
    );
    const gt = LANGS.filter((l) => l !== 'en').flatMap((l) => genres[l].map((g) => [g.id, l, g.name]));
    await client.query(
      `INSERT INTO "GenreTranslation" ("genreId", language, name)
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[])`,
      [gt.map((r) => r[0]), gt.map((r) => r[1]), gt.map((r) => r[2])],
    );
    const ids = catalog.movieIds();
    const now = new Date();
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH).map((id) => {
        const r = catalog.movie(id);
        const t = catalog.texts('movie', id);
        const { images, videos } = catalog.media('movie', id);
        return { r, t, images, videos };
      });
      const col = (f) => batch.map(f);
      const { rows } = await client.query(
        `INSERT INTO "Movie" ("tmdbId", "imdbId", title, "originalTitle", "originalLanguage", overview, tagline,
           runtime, "releaseDate", year, rating, "voteCount", popularity, status, "trailerKey", "posterPath",
           "backdropPath", "logoPath", "searchText", "syncedAt", "updatedAt")
         SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
           $8::int[], $9::date[], $10::int[], $11::float8[], $12::int[], $13::float8[], $14::text[], $15::text[],
           $16::text[], $17::text[], $18::text[], $19::text[], $20::timestamp[], $21::timestamp[])
         RETURNING id, "tmdbId"`,
        [
          col((m) => m.r.id),
          col((m) => m.r.imdbId),
          col((m) => m.t.en.title),
          col((m) => m.t[m.r.originalLanguage].title),
          col((m) => m.r.originalLanguage),
          col((m) => m.t.en.overview),
          col((m) => m.t.en.tagline),
          col((m) => m.r.runtime),
          col((m) => m.r.releaseDate),
          col((m) => Number(m.r.releaseDate.slice(0, 4))),
          col((m) => m.r.voteAverage),
          col((m) => m.r.voteCount),
          col((m) => m.r.popularity),
          col((m) => (m.r.releaseDate > today ? 'Post Production' : 'Released')),
          col((m) => m.videos.find((v) => v.type === 'Trailer')?.key ?? null),
          col((m) => (m.images.posters.find((p) => p.lang === 'en') ?? m.images.posters[0])?.path ?? null),
          col((m) => m.images.backdrops[0]?.path ?? null),
          col((m) => m.images.logos[0]?.path ?? null),
          col((m) =>
            searchTextOf([m.t.en.title, m.t[m.r.originalLanguage].title, ...LANGS.map((l) => m.t[l].title)]),
          ),
          col(() => now),
          col(() => now),
        ],
      );
      const rowId = new Map(rows.map((row) => [row.tmdbId, row.id]));
      const tr = batch.flatMap((m) =>
        LANGS.map((l) => [rowId.get(m.r.id), l, REGION[l], m.t[l].title, m.t[l].overview, m.t[l].tagline]),
      );
      await client.query(
        `INSERT INTO "MovieTranslation" ("movieId", language, region, title, overview, tagline)
         SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
        [0, 1, 2, 3, 4, 5].map((k) => tr.map((row) => row[k])),
      );
      const links = batch.flatMap((m) => m.r.genreIds.map((g) => [g, rowId.get(m.r.id)]));
      await client.query(
        `INSERT INTO "_GenreToMovie" ("A", "B") SELECT * FROM unnest($1::int[], $2::int[])`,
        [links.map((l) => l[0]), links.map((l) => l[1])],
      );
    }
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
  return catalog;
}

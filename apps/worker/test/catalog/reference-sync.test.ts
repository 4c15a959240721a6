import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IMAGE_CONFIGURATION_KEY } from '@cinenest/queue';
import { askTmdb, startHarness, type Harness } from './support.js';

let h: Harness;

beforeAll(async () => {
  // Catalog languages: English and French (German and Spanish are left out).
  h = await startHarness({ env: { CATALOG_LANGUAGES: 'en,fr', DEFAULT_LANGUAGE: 'en' } });
});

afterAll(async () => {
  await h.close();
});

type Genres = { genres: Array<{ id: number; name: string }> };

async function snapshot() {
  return {
    genres: await h.db.genre.findMany({ orderBy: { id: 'asc' } }),
    translations: await h.db.genreTranslation.findMany({
      orderBy: [{ genreId: 'asc' }, { language: 'asc' }],
    }),
    configuration: (await h.db.syncState.findUnique({ where: { key: IMAGE_CONFIGURATION_KEY } }))?.data,
  };
}

describe('catalog.reference-sync', () => {
  it('stores the genres of movies and shows, their names in each catalog language, and the image configuration', async () => {
    const result = await h.run('catalog.reference-sync', {});
    const movie = await askTmdb<Genres>(h.standIn, '/genre/movie/list?language=en');
    const tv = await askTmdb<Genres>(h.standIn, '/genre/tv/list?language=en');
    const movieFr = await askTmdb<Genres>(h.standIn, '/genre/movie/list?language=fr');
    const tvFr = await askTmdb<Genres>(h.standIn, '/genre/tv/list?language=fr');
    expect(result).toEqual({ genres: movie.genres.length + tv.genres.length, languages: ['en', 'fr'] });

    const { genres, translations, configuration } = await snapshot();
    const movieIds = new Set(movie.genres.map((g) => g.id));
    const tvIds = new Set(tv.genres.map((g) => g.id));
    expect(genres.map((g) => g.id)).toEqual([...new Set([...movieIds, ...tvIds])].sort((a, b) => a - b));
    for (const g of genres) {
      expect(g.forMovies).toBe(movieIds.has(g.id));
      expect(g.forShows).toBe(tvIds.has(g.id));
      const names = [...movie.genres, ...tv.genres].filter((x) => x.id === g.id).map((x) => x.name);
      expect(names).toContain(g.name);
    }
    // French names only: en is the genre's own name, de and es are not catalog languages.
    expect(new Set(translations.map((t) => t.language))).toEqual(new Set(['fr']));
    for (const t of translations) {
      const names = [...movieFr.genres, ...tvFr.genres].filter((x) => x.id === t.genreId).map((x) => x.name);
      expect(names).toContain(t.name);
    }
    expect(translations).toHaveLength(genres.length);
    expect(translations.find((t) => t.genreId === 35)?.name).toBe('Comédie');

    const tmdbConfiguration = await askTmdb<{ images: unknown }>(h.standIn, '/configuration');
    expect(configuration).toEqual(tmdbConfiguration.images);
  });

  it('running it again leaves the same rows', async () => {
    const before = await snapshot();
    await h.forgetTmdbCache();
    await h.run('catalog.reference-sync', {});
    expect(await snapshot()).toEqual(before);
  });

  it('keeps genres a movie-sync created first, completing them', async () => {
    const tmdbId = h.standIn.catalog.movieIds()[0]!;
    await h.db.genre.deleteMany({});
    await h.run('catalog.movie-sync', { tmdbId });
    const linked = await h.db.movie.findUniqueOrThrow({ where: { tmdbId }, include: { genres: true } });
    expect(linked.genres.length).toBeGreaterThan(0);
    await h.run('catalog.reference-sync', {});
    const after = await h.db.movie.findUniqueOrThrow({ where: { tmdbId }, include: { genres: true } });
    expect(after.genres.map((g) => g.id).sort()).toEqual(linked.genres.map((g) => g.id).sort());
    expect(
      await h.db.genreTranslation.count({ where: { genreId: { in: after.genres.map((g) => g.id) } } }),
    ).toBe(after.genres.length);
  });
});

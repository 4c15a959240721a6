import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LISTS } from '@cinenest/queue';
import { sortedByDb, startCatalogWorld, type Body, type CatalogWorld } from './support.js';

let w: CatalogWorld;

beforeAll(async () => {
  w = await startCatalogWorld();
  w.startWorker();
  await w.seeded();
}, 90_000);

afterAll(async () => {
  await w?.close();
});

/** Straight from the stand-in (the test asks TMDB, not the API): the ids of a list's first pages. */
async function standInList(path: string, pages: number): Promise<number[]> {
  const ids: number[] = [];
  for (let page = 1; page <= pages; page++) {
    const res = await fetch(`${w.standIn.url}${path}?page=${page}`, {
      headers: { authorization: `Bearer ${w.standIn.token}` },
    });
    const body = (await res.json()) as { results: Array<{ id: number }>; total_pages: number };
    for (const r of body.results) if (!ids.includes(r.id)) ids.push(r.id);
    if (page >= body.total_pages) break;
  }
  return ids;
}

/** Every page of a list through the API. */
async function walkList(slug: string, query = '', pageSize = 25): Promise<Body[]> {
  const items: Body[] = [];
  for (let page = 1; ; page++) {
    const res = await w.get(`/api/v1/lists/${slug}?page=${page}&pageSize=${pageSize}${query}`);
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    if (res.body.items.length < pageSize) return items;
  }
}

describe('GET /api/v1/genres', () => {
  it('lists movie and show genres in the default language, sorted by name', async () => {
    const res = await w.get('/api/v1/genres');
    expect(res.status).toBe(200);
    const byId = new Map(res.body.items.map((g: Body) => [g.id, g]));
    expect(byId.get(35)).toEqual({ id: 35, name: 'Comedy', movies: true, shows: true });
    expect(byId.get(878)).toEqual({ id: 878, name: 'Science Fiction', movies: true, shows: false });
    expect(byId.get(10765)).toEqual({ id: 10765, name: 'Sci-Fi & Fantasy', movies: false, shows: true });
    expect(res.body.items).toHaveLength(await w.t.db.genre.count());
    const names = res.body.items.map((g: Body) => g.name as string);
    expect(names).toEqual(await sortedByDb(w, names));
  });

  it('limits to movie or show genres with type', async () => {
    const movies = await w.get('/api/v1/genres?type=movie');
    const shows = await w.get('/api/v1/genres?type=show');
    expect(movies.body.items).toHaveLength(19);
    expect(movies.body.items.every((g: Body) => g.movies)).toBe(true);
    expect(shows.body.items.every((g: Body) => g.shows)).toBe(true);
    expect(shows.body.items.map((g: Body) => g.id)).toContain(10765);
    expect(shows.body.items.map((g: Body) => g.id)).not.toContain(878);
  });

  it('translates names, falling back to the default language', async () => {
    const name = async (lang: string, id: number) =>
      (await w.get(`/api/v1/genres?lang=${lang}`)).body.items.find((g: Body) => g.id === id).name;
    expect(await name('fr', 35)).toBe('Comédie');
    expect(await name('fr-FR', 10765)).toBe('Science-Fiction & Fantastique');
    expect(await name('de', 35)).toBe('Komödie');
    expect(await name('es', 10752)).toBe('Bélica');
    expect(await name('it', 35)).toBe('Comedy');
    // A genre without a French name yet: the default one.
    await w.t.db.genreTranslation.delete({ where: { genreId_language: { genreId: 18, language: 'fr' } } });
    expect(await name('fr', 18)).toBe('Drama');
  });

  it('refuses bad values with 400 naming the field, and answers 401 without a token', async () => {
    for (const [query, field] of [
      ['lang=francais', 'lang'],
      ['type=films', 'type'],
      ['page=2', 'page'],
    ]) {
      const res = await w.get(`/api/v1/genres?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(Object.keys(res.body.error.fields)).toEqual([field]);
    }
    expect((await w.t.http().get('/api/v1/genres')).status).toBe(401);
  });
});

describe('GET /api/v1/lists', () => {
  it('lists every curated list with its kind and size', async () => {
    const res = await w.get('/api/v1/lists');
    expect(res.status).toBe(200);
    expect(res.body.items.map((l: Body) => l.slug).sort()).toEqual(LISTS.map((l) => l.slug).sort());
    for (const list of res.body.items) {
      const spec = LISTS.find((l) => l.slug === list.slug)!;
      const count = await w.t.db.mediaListItem.count({ where: { list: { slug: list.slug } } });
      expect(list).toEqual({
        slug: spec.slug,
        name: spec.name,
        kind: spec.kind === 'movie' ? 'movie' : 'show',
        refreshedAt: expect.any(String),
        itemCount: count,
      });
      expect(count).toBeGreaterThan(0);
    }
    expect((await w.t.http().get('/api/v1/lists')).status).toBe(401);
  });
});

describe('GET /api/v1/lists/:slug', () => {
  it("gives a list's titles in TMDB's order, paged", async () => {
    const first = await w.get('/api/v1/lists/movies-popular');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      list: {
        slug: 'movies-popular',
        name: 'Popular movies',
        kind: 'movie',
        refreshedAt: expect.any(String),
      },
      page: 1,
      pageSize: 20,
      total: 60,
    });
    expect(first.body.items).toHaveLength(20);
    expect(first.body.items[0]).toMatchObject({ type: 'movie', synced: true });

    const expected = await standInList('/movie/popular', 3);
    for (const size of [25, 7]) {
      const items = await walkList('movies-popular', '', size);
      expect(items.map((i) => i.tmdbId)).toEqual(expected);
    }
    const popularity = (await walkList('movies-popular')).map((i) => i.popularity as number);
    expect(popularity).toEqual([...popularity].sort((a, b) => b - a));

    const rated = await walkList('movies-top-rated');
    expect(rated.map((i) => i.tmdbId)).toEqual(await standInList('/movie/top_rated', 3));
    const past = await w.get('/api/v1/lists/movies-popular?page=4');
    expect(past.body).toMatchObject({ items: [], total: 60 });
  });

  it('gives show lists as shows', async () => {
    const shows = await walkList('shows-trending');
    expect(shows.map((s) => s.tmdbId)).toEqual(await standInList('/trending/tv/week', 3));
    for (const s of shows) expect(s).toMatchObject({ type: 'show', name: expect.any(String) });
  });

  it('answers in the asked language', async () => {
    const fr = await w.get('/api/v1/lists/movies-trending?lang=fr&pageSize=10');
    for (const item of fr.body.items)
      expect(item.title).toBe(w.standIn.catalog.texts('movie', item.tmdbId)!.fr.title);
    const de = await w.get('/api/v1/lists/shows-popular?lang=de-AT&pageSize=10');
    for (const item of de.body.items)
      expect(item.name).toBe(w.standIn.catalog.texts('tv', item.tmdbId)!.de.title);
    const pl = await w.get('/api/v1/lists/shows-popular?lang=pl&pageSize=10');
    for (const item of pl.body.items)
      expect(item.name).toBe(w.standIn.catalog.texts('tv', item.tmdbId)!.en.title);
  });

  it('answers 404 for an unknown list, 400 for bad values, 401 without a token', async () => {
    const unknown = await w.get('/api/v1/lists/movies-upcoming');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    for (const [path, field] of [
      ['/api/v1/lists/Movies_Popular', 'slug'],
      [`/api/v1/lists/${'a'.repeat(61)}`, 'slug'],
      ['/api/v1/lists/movies-popular?pageSize=101', 'pageSize'],
      ['/api/v1/lists/movies-popular?page=0', 'page'],
      ['/api/v1/lists/movies-popular?lang=fr_FR', 'lang'],
      ['/api/v1/lists/movies-popular?sort=title', 'sort'],
    ]) {
      const res = await w.get(path!);
      expect([path, res.status]).toEqual([path, 400]);
      expect(Object.keys(res.body.error.fields)).toEqual([field]);
    }
    expect((await w.t.http().get('/api/v1/lists/movies-popular')).status).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inOrder, sortedByDb, startCatalogWorld, type Body, type CatalogWorld } from './support.js';

let w: CatalogWorld;

beforeAll(async () => {
  w = await startCatalogWorld();
  w.startWorker();
  await w.seeded();
}, 90_000);

afterAll(async () => {
  await w?.close();
});

/** Every page of a browse route, walked with the given page size. */
async function walk(path: string, pageSize: number): Promise<Body[]> {
  const items: Body[] = [];
  for (let page = 1; ; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await w.get(`${path}${sep}page=${page}&pageSize=${pageSize}`);
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    if (res.body.items.length < pageSize) return items;
  }
}

const texts = (kind: 'movie' | 'tv', id: number) => w.standIn.catalog.texts(kind, id)!;

describe('without a token', () => {
  it('answers 401 on every browse route', async () => {
    for (const path of ['/api/v1/movies', '/api/v1/shows', '/api/v1/movies?page=2&sort=title']) {
      const res = await w.t.http().get(path);
      expect([path, res.status]).toEqual([path, 401]);
      expect(res.body.error.code).toBeDefined();
    }
    const bad = await w.t.http().get('/api/v1/movies').set('Authorization', 'Bearer not-a-token');
    expect(bad.status).toBe(401);
  });
});

describe('GET /api/v1/movies', () => {
  it('pages 20 at a time by default, with the total of the whole catalog held', async () => {
    const total = await w.t.db.movie.count();
    expect(total).toBeGreaterThan(40);
    const res = await w.get('/api/v1/movies');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, pageSize: 20, total });
    expect(res.body.items).toHaveLength(20);
    expect(res.body.items[0]).toMatchObject({
      type: 'movie',
      tmdbId: expect.any(Number),
      title: expect.any(String),
      synced: true,
      poster: expect.objectContaining({ original: expect.stringMatching(/^https:\/\/.+\.jpg$/) }),
    });
  });

  it('walks every movie exactly once whatever the page size, and a page past the end is empty', async () => {
    const total = await w.t.db.movie.count();
    const held = (await w.t.db.movie.findMany({ select: { tmdbId: true } })).map((m) => m.tmdbId).sort();
    for (const size of [7, 20, 100]) {
      const ids = (await walk('/api/v1/movies', size)).map((i) => i.tmdbId);
      expect(ids).toHaveLength(total);
      expect([...ids].sort()).toEqual(held);
    }
    const all = await w.get('/api/v1/movies?pageSize=100');
    expect(all.body.items).toHaveLength(Math.min(100, total));
    const past = await w.get(`/api/v1/movies?page=${Math.ceil(total / 10) + 1}&pageSize=10`);
    expect(past.status).toBe(200);
    expect(past.body).toMatchObject({ items: [], total, pageSize: 10 });
  });

  it('refuses page and pageSize out of bounds, naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['pageSize=101', 'pageSize'],
      ['pageSize=0', 'pageSize'],
      ['pageSize=ten', 'pageSize'],
      ['page=0', 'page'],
      ['page=-1', 'page'],
      ['page=1.5', 'page'],
      ['page=abc', 'page'],
    ];
    for (const [query, field] of cases) {
      const res = await w.get(`/api/v1/movies?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.error.code).toBe('validation_failed');
      expect(Object.keys(res.body.error.fields)).toEqual([field]);
      expect(res.body.error.message).toContain(field);
    }
  });

  it('refuses bad filters, sorts, languages and unknown parameters, naming each field', async () => {
    const cases: Array<[string, string[]]> = [
      ['sort=votes', ['sort']],
      ['year=abc', ['year']],
      ['year=1800', ['year']],
      ['genre=-3', ['genre']],
      ['genre=drama', ['genre']],
      ['lang=french', ['lang']],
      ['lang=f', ['lang']],
      ['colour=red', ['colour']],
      ['sort=best&year=x&pageSize=500', ['sort', 'year', 'pageSize']],
    ];
    for (const [query, fields] of cases) {
      const res = await w.get(`/api/v1/movies?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(Object.keys(res.body.error.fields).sort()).toEqual([...fields].sort());
    }
  });

  it('filters by genre', async () => {
    const genres = await w.t.db.genre.findMany({
      where: { forMovies: true },
      include: { _count: { select: { movies: true } } },
    });
    const used = genres.filter((g) => g._count.movies > 0).sort((a, b) => a._count.movies - b._count.movies);
    expect(used.length).toBeGreaterThan(2);
    for (const genre of [used[0]!, used[used.length - 1]!]) {
      const items = await walk(`/api/v1/movies?genre=${genre.id}`, 50);
      expect(items).toHaveLength(genre._count.movies);
      for (const item of items) expect(item.genres.map((g: Body) => g.id)).toContain(genre.id);
      // The stand-in agrees: each of these movies is of that genre at TMDB.
      for (const item of items) expect(w.standIn.catalog.movie(item.tmdbId)!.genreIds).toContain(genre.id);
    }
    const none = await w.get('/api/v1/movies?genre=4242');
    expect(none.body).toMatchObject({ items: [], total: 0 });
  });

  it('filters by year, alone and with a genre', async () => {
    const byYear = await w.t.db.movie.groupBy({
      by: ['year'],
      _count: true,
      orderBy: { _count: { year: 'desc' } },
    });
    const { year, _count: count } = byYear[0]!;
    expect(count).toBeGreaterThan(1);
    const res = await w.get(`/api/v1/movies?year=${year}&pageSize=100`);
    expect(res.body.total).toBe(count);
    expect(res.body.items).toHaveLength(count);
    for (const item of res.body.items) {
      expect(item.year).toBe(year);
      expect(item.releaseDate.startsWith(`${year}-`)).toBe(true);
    }
    const genreId = res.body.items[0].genres[0].id as number;
    const both = await w.get(`/api/v1/movies?year=${year}&genre=${genreId}&pageSize=100`);
    const expected = res.body.items.filter((i: Body) => i.genres.some((g: Body) => g.id === genreId));
    expect(both.body.total).toBe(expected.length);
    expect(both.body.items.map((i: Body) => i.tmdbId).sort()).toEqual(
      expected.map((i: Body) => i.tmdbId).sort(),
    );
    const empty = await w.get('/api/v1/movies?year=1871');
    expect(empty.body).toMatchObject({ items: [], total: 0 });
  });

  it('sorts by popularity (the default), rating and release date, most first, across pages', async () => {
    const byDefault = await walk('/api/v1/movies', 15);
    const byPopularity = await walk('/api/v1/movies?sort=popularity', 15);
    expect(byDefault.map((i) => i.tmdbId)).toEqual(byPopularity.map((i) => i.tmdbId));
    const desc = (a: number, b: number) => b - a;
    expect(
      inOrder(
        byPopularity.map((i) => i.popularity),
        desc,
      ),
    ).toBe(true);
    // Not merely the order rows were inserted in.
    expect(byPopularity.map((i) => i.tmdbId)).not.toEqual([...byPopularity.map((i) => i.tmdbId)].sort());

    const byRating = await walk('/api/v1/movies?sort=rating', 15);
    expect(
      inOrder(
        byRating.map((i) => i.rating),
        desc,
      ),
    ).toBe(true);
    const byDate = await walk('/api/v1/movies?sort=releaseDate', 15);
    expect(
      inOrder(
        byDate.map((i) => i.releaseDate),
        (a: string, b: string) => b.localeCompare(a),
      ),
    ).toBe(true);
    expect(byRating.map((i) => i.tmdbId)).not.toEqual(byPopularity.map((i) => i.tmdbId));
  });

  it('sorts by title, A first', async () => {
    const byTitle = (await walk('/api/v1/movies?sort=title', 15)).map((i) => i.title as string);
    expect(byTitle).toEqual(await sortedByDb(w, byTitle));
    expect(byTitle[0]! < byTitle[byTitle.length - 1]!).toBe(true);
  });

  it('answers in the asked language, region or not, with translated genres', async () => {
    for (const lang of ['fr', 'fr-FR', 'fr-CA', 'FR']) {
      const res = await w.get(`/api/v1/movies?lang=${lang}&pageSize=30`);
      expect(res.status).toBe(200);
      for (const item of res.body.items) {
        expect({ lang, title: item.title }).toEqual({ lang, title: texts('movie', item.tmdbId).fr.title });
        expect(item.overview).toBe(texts('movie', item.tmdbId).fr.overview);
      }
    }
    const de = await w.get('/api/v1/movies?lang=de&pageSize=30');
    for (const item of de.body.items) expect(item.title).toBe(texts('movie', item.tmdbId).de.title);
    const comedy = await w.get('/api/v1/movies?lang=fr&genre=35&pageSize=1');
    expect(comedy.body.items[0].genres).toContainEqual({ id: 35, name: 'Comédie' });
    const en = await w.get('/api/v1/movies?genre=35&pageSize=1');
    expect(en.body.items[0].genres).toContainEqual({ id: 35, name: 'Comedy' });
  });

  it('falls back to the default language: for a language not kept, and field by field', async () => {
    const en = await w.get('/api/v1/movies?pageSize=30');
    const italian = await w.get('/api/v1/movies?lang=it&pageSize=30');
    expect(italian.status).toBe(200);
    expect(italian.body.items).toEqual(en.body.items);
    for (const item of en.body.items) {
      expect(item.title).toBe(texts('movie', item.tmdbId).en.title);
      expect(item.overview).toBe(texts('movie', item.tmdbId).en.overview);
    }

    // A French translation without a title (TMDB often has only an overview): the title falls back.
    const first = en.body.items[0];
    await w.t.db.movieTranslation.updateMany({
      where: { movie: { tmdbId: first.tmdbId }, language: 'fr' },
      data: { title: null },
    });
    const fr = await w.get('/api/v1/movies?lang=fr&pageSize=30');
    const item = fr.body.items.find((i: Body) => i.tmdbId === first.tmdbId);
    expect(item.title).toBe(texts('movie', first.tmdbId).en.title);
    expect(item.overview).toBe(texts('movie', first.tmdbId).fr.overview);
  });
});

describe('GET /api/v1/shows', () => {
  it('pages with the same bounds and totals', async () => {
    const total = await w.t.db.tVShow.count();
    expect(total).toBe(20);
    const first = await w.get('/api/v1/shows?pageSize=8');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, pageSize: 8, total });
    expect(first.body.items).toHaveLength(8);
    expect(first.body.items[0]).toMatchObject({
      type: 'show',
      tmdbId: expect.any(Number),
      name: expect.any(String),
    });
    const ids = (await walk('/api/v1/shows', 8)).map((i) => i.tmdbId);
    expect(new Set(ids).size).toBe(total);
    expect([...ids].sort()).toEqual(w.standIn.catalog.showIds());
    for (const [query, field] of [
      ['pageSize=101', 'pageSize'],
      ['page=0', 'page'],
      ['sort=name', 'sort'],
      ['year=19', 'year'],
      ['lang=english', 'lang'],
    ]) {
      const res = await w.get(`/api/v1/shows?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(Object.keys(res.body.error.fields)).toEqual([field]);
    }
  });

  it('filters by genre and year', async () => {
    const drama = await walk('/api/v1/shows?genre=18', 50);
    expect(drama.length).toBe(await w.t.db.tVShow.count({ where: { genres: { some: { id: 18 } } } }));
    for (const s of drama) expect(s.genres.map((g: Body) => g.id)).toContain(18);
    const year = drama[0]?.year ?? (await w.t.db.tVShow.findFirstOrThrow()).year;
    const inYear = await walk(`/api/v1/shows?year=${year}`, 50);
    expect(inYear.length).toBe(await w.t.db.tVShow.count({ where: { year } }));
    for (const s of inYear) expect(s.firstAirDate.startsWith(`${year}-`)).toBe(true);
  });

  it('sorts by popularity, rating, first air date and name', async () => {
    const desc = (a: number, b: number) => b - a;
    expect(
      inOrder(
        (await walk('/api/v1/shows', 6)).map((i) => i.popularity),
        desc,
      ),
    ).toBe(true);
    expect(
      inOrder(
        (await walk('/api/v1/shows?sort=rating', 6)).map((i) => i.rating),
        desc,
      ),
    ).toBe(true);
    const byDate = (await walk('/api/v1/shows?sort=releaseDate', 6)).map((i) => i.firstAirDate);
    expect(inOrder(byDate, (a: string, b: string) => b.localeCompare(a))).toBe(true);
    const byName = (await walk('/api/v1/shows?sort=title', 6)).map((i) => i.name as string);
    expect(byName).toEqual(await sortedByDb(w, byName));
  });

  it('answers in the asked language, falling back to the default one', async () => {
    const fr = await w.get('/api/v1/shows?lang=fr&pageSize=20');
    for (const s of fr.body.items) {
      expect(s.name).toBe(texts('tv', s.tmdbId).fr.title);
      expect(s.overview).toBe(texts('tv', s.tmdbId).fr.overview);
    }
    const es = await w.get('/api/v1/shows?lang=es-ES&pageSize=20');
    for (const s of es.body.items) expect(s.name).toBe(texts('tv', s.tmdbId).es.title);
    const ja = await w.get('/api/v1/shows?lang=ja&pageSize=20');
    for (const s of ja.body.items) expect(s.name).toBe(texts('tv', s.tmdbId).en.title);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Images } from '../../src/catalog/images.js';
import { withTranslations } from '../../src/catalog/includes.js';
import { parseLang } from '../../src/catalog/language.js';
import { moviePage } from '../../src/catalog/movie-page.js';
import { presentMovie } from '../../src/catalog/present.js';
import { movieOrder } from '../../src/catalog/sorting.js';
import { eventually, startCatalogWorld, type Body, type CatalogWorld } from './support.js';

// The in-memory caches of catalog reads and sessions are checked against the database snapshot on
// every request: whatever is written, by whom, shows on the very next request.

let w: CatalogWorld;

beforeAll(async () => {
  w = await startCatalogWorld();
  w.startWorker();
  await w.seeded();
  await w.drained();
  await w.stopWorker();
}, 90_000);

afterAll(async () => {
  await w?.close();
});

describe('a browse page in one statement', () => {
  it('reads what findMany with its include reads, for every order, filter, language and page', async () => {
    const images = await new Images(w.t.db).refresh();
    const genre = (await w.t.db.genre.findFirstOrThrow({ where: { movies: { some: {} } } })).id;
    const year = (await w.t.db.movie.findFirstOrThrow({ where: { year: { not: null } } })).year!;
    for (const sort of ['popularity', 'rating', 'releaseDate', 'title'] as const) {
      for (const filter of [{}, { genre }, { year }, { genre, year }]) {
        for (const lang of [parseLang('en', 'en'), parseLang('fr-CA', 'en'), parseLang('it', 'en')]) {
          for (const page of [
            { skip: 0, take: 20 },
            { skip: 35, take: 7 },
            { skip: 500, take: 20 },
          ]) {
            const where = {
              ...(filter.genre ? { genres: { some: { id: filter.genre } } } : {}),
              ...(filter.year ? { year: filter.year } : {}),
            };
            const expected = await w.t.db.movie.findMany({
              where,
              orderBy: movieOrder(sort),
              include: withTranslations(lang),
              ...page,
            });
            const actual = await moviePage(w.t.db, filter, sort, lang, page);
            const present = (rows: Parameters<typeof presentMovie>[0][]) =>
              rows.map((m) => {
                const item = presentMovie(m, lang, images);
                return { ...item, genres: [...item.genres].sort((a, b) => a.id - b.id) };
              });
            expect({ sort, filter, lang, page, items: present(actual) }).toEqual({
              sort,
              filter,
              lang,
              page,
              items: present(expected),
            });
          }
        }
      }
    }
  });
});

describe('GET /api/v1/movies from memory', () => {
  it('answers a repeated page identically, with the same ETag, and 304 to If-None-Match', async () => {
    const first = await w.get('/api/v1/movies?pageSize=30&lang=fr');
    const again = await w.get('/api/v1/movies?lang=FR&pageSize=30');
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['content-length']).toBe(first.headers['content-length']);
    const fresh = await w
      .get('/api/v1/movies?pageSize=30&lang=fr')
      .set('If-None-Match', first.headers.etag as string);
    expect(fresh.status).toBe(304);
  });

  it('shows a change written straight to the database on the next request', async () => {
    const before = await w.get('/api/v1/movies?pageSize=5');
    const top = before.body.items[0] as Body;
    await w.t.db.movieTranslation.updateMany({
      where: { movie: { tmdbId: top.tmdbId }, language: 'en' },
      data: { title: 'Renamed just now' },
    });
    const after = await w.get('/api/v1/movies?pageSize=5');
    expect(after.body.items[0]).toMatchObject({ tmdbId: top.tmdbId, title: 'Renamed just now' });

    // A new movie at the top at once; the total counts it within the count cache's 5 s.
    await w.t.db.movie.create({
      data: { tmdbId: 99_999_001, title: 'Brand new', popularity: 1e9, syncedAt: new Date() },
    });
    const added = await w.get('/api/v1/movies?pageSize=5');
    expect(added.body.items[0]).toMatchObject({ tmdbId: 99_999_001, title: 'Brand new' });
    expect([before.body.total, before.body.total + 1]).toContain(added.body.total);
    const started = Date.now();
    await eventually(async () => {
      const res = await w.get('/api/v1/movies?pageSize=5');
      return res.body.total === before.body.total + 1 ? res : undefined;
    });
    expect(Date.now() - started).toBeLessThan(6000);
  }, 15_000);

  it('shows a change made by another replica on the next request', async () => {
    // Closed by the world.
    const replica = await w.replica({});
    const path = '/api/v1/movies?sort=rating&pageSize=3';
    const seen = await replica.http().get(path).set(w.auth);
    expect(seen.status).toBe(200);
    const top = seen.body.items[0] as Body;
    // Written through the other replica's own client, as another process would.
    await w.t.db.movie.update({ where: { tmdbId: top.tmdbId }, data: { rating: -1 } });
    const now = await replica.http().get(path).set(w.auth);
    expect(now.body.items.map((i: Body) => i.tmdbId)).not.toContain(top.tmdbId);
  });
});

describe('sessions from memory', () => {
  it('stop working on the next request once revoked, deactivated or demoted, whoever wrote it', async () => {
    const one = await w.t.signedIn('USER');
    const get = () => w.t.http().get('/api/v1/movies?pageSize=1').set(one.auth);
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    await w.t.db.session.updateMany({ where: { userId: one.user.id }, data: { revokedAt: new Date() } });
    expect((await get()).body.error.code).toBe('session_revoked');

    const two = await w.t.signedIn('USER');
    const get2 = () => w.t.http().get('/api/v1/movies?pageSize=1').set(two.auth);
    expect((await get2()).status).toBe(200);
    await w.t.db.user.update({ where: { id: two.user.id }, data: { active: false } });
    expect((await get2()).body.error.code).toBe('account_inactive');

    const admin = await w.t.signedIn('ADMIN');
    const audit = () => w.t.http().get('/api/v1/admin/audit').set(admin.auth);
    expect((await audit()).status).toBe(200);
    await w.t.db.user.update({ where: { id: admin.user.id }, data: { role: 'USER' } });
    expect((await audit()).status).toBe(403);
  });
});

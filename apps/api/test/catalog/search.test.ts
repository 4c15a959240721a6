import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { foldText } from '@cinenest/db';
import { waitFor } from '@cinenest/testkit';
import type { TestApp } from '../support.js';
import { eventually, startCatalogWorld, type Body, type CatalogWorld } from './support.js';

let w: CatalogWorld;
/** The same API with CATALOG_WAIT_MS=500: the TMDB half of a search is waited for 250 ms. */
let quick: TestApp;
/** A held movie whose English title has "Amélie" in it. */
let amelie: { id: number; title: string };

const texts = (id: number) => w.standIn.catalog.texts('movie', id)!;
const search = (query: string, app: TestApp = quick) => app.http().get(`/api/v1/search?${query}`).set(w.auth);
const q = (text: string, extra = '') => `q=${encodeURIComponent(text)}${extra}`;
const ids = (body: Body) => body.items.map((i: Body) => i.tmdbId as number);

beforeAll(async () => {
  // One page per list: many of the 120 movies stay unheld, for TMDB search to find.
  w = await startCatalogWorld({ worker: { LIST_PAGES: '1' } });
  w.startWorker();
  await w.seeded();
  quick = await w.replica({ CATALOG_WAIT_MS: '500' });

  // Make sure one "Amélie" title is held, syncing it as the worker would for a list.
  const id = w.standIn.catalog.movieIds().find((m) => /Amélie/.test(texts(m).en.title));
  if (id === undefined) throw new Error('the stand-in has no movie titled with Amélie');
  await w.queues.enqueue('catalog.movie-sync', { tmdbId: id });
  await waitFor(
    async () => (await w.t.db.movie.count({ where: { tmdbId: id, syncedAt: { not: null } } })) === 1,
  );
  amelie = { id, title: texts(id).en.title };
}, 90_000);

afterAll(async () => {
  await w?.close();
});

describe('validation', () => {
  it('refuses bad query values with 400 naming the field, and answers 401 without a token', async () => {
    const cases: Array<[string, string[]]> = [
      ['', ['q']],
      ['q=', ['q']],
      ['q=%20%20%20', ['q']],
      [q('x'.repeat(201)), ['q']],
      [q('amelie', '&type=film'), ['type']],
      [q('amelie', '&page=0'), ['page']],
      [q('amelie', '&page=501'), ['page']],
      [q('amelie', '&lang=fra'), ['lang']],
      [q('amelie', '&pageSize=5'), ['pageSize']],
      ['type=all&page=x', ['page', 'q']],
    ];
    for (const [query, fields] of cases) {
      const res = await search(query);
      expect([query, res.status]).toEqual([query, 400]);
      expect(Object.keys(res.body.error.fields).sort()).toEqual(fields);
    }
    expect((await quick.http().get('/api/v1/search?q=amelie')).status).toBe(401);
  });
});

describe('the Postgres search alone (worker stopped)', () => {
  let before: number;

  beforeAll(async () => {
    await w.drained();
    await w.stopWorker();
    before = w.standIn.requests();
  }, 30_000);

  it('finds "Amélie…" without the accent, in any case', async () => {
    for (const text of ['amelie', 'AMELIE', 'Amélie', foldText(amelie.title), amelie.title]) {
      const res = await search(q(text));
      expect(res.status).toBe(200);
      expect(res.body.tmdb).toBe('pending');
      expect({ text, found: ids(res.body) }).toEqual({ text, found: expect.arrayContaining([amelie.id]) });
      const item = res.body.items.find((i: Body) => i.tmdbId === amelie.id);
      expect(item).toMatchObject({ type: 'movie', title: amelie.title });
    }
  });

  it('finds a title with several accents typed without any, in capitals', async () => {
    const held = await w.t.db.movie.findMany({
      where: { syncedAt: { not: null } },
      select: { tmdbId: true },
    });
    const titles = held.flatMap((m) =>
      Object.values(texts(m.tmdbId)).map((t) => ({ id: m.tmdbId, title: t.title })),
    );
    const accented = titles
      .filter((t) => [...t.title.normalize('NFC')].filter((c) => c.charCodeAt(0) > 0x7f).length >= 3)
      .slice(0, 3);
    expect(accented.length).toBeGreaterThan(0);
    for (const { id, title } of accented) {
      const plain = title.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
      expect(plain).not.toBe(title.toUpperCase());
      expect({ plain, found: ids((await search(q(plain))).body) }).toEqual({
        plain,
        found: expect.arrayContaining([id]),
      });
    }
  });

  it('still finds it with a one-letter typo', async () => {
    for (const typo of ['amelei', 'amlie', 'ameliee', 'amekie', 'emelie']) {
      const res = await search(q(typo, '&type=movie'));
      expect({ typo, found: ids(res.body) }).toEqual({ typo, found: expect.arrayContaining([amelie.id]) });
    }
    // A typo in a longer word of the whole title.
    const words = amelie.title.split(' ');
    const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
    const typoed = amelie.title.replace(longest, `${longest.slice(0, 2)}x${longest.slice(3)}`);
    expect(typoed).not.toBe(amelie.title);
    expect(ids((await search(q(typoed))).body)).toContain(amelie.id);
  });

  it('finds a movie by its title in another language', async () => {
    const held = await w.t.db.movie.findMany({
      where: { syncedAt: { not: null } },
      select: { tmdbId: true },
    });
    const candidates = held
      .map((m) => m.tmdbId)
      .filter((id) => !foldText(texts(id).en.title).includes(foldText(texts(id).fr.title)))
      .filter((id) => !foldText(texts(id).fr.title).includes(foldText(texts(id).en.title)));
    expect(candidates.length).toBeGreaterThan(2);
    for (const id of candidates.slice(0, 3)) {
      for (const lang of ['fr', 'de', 'es'] as const) {
        const title = texts(id)[lang].title;
        const res = await search(q(title, '&type=movie'));
        expect({ title, found: ids(res.body) }).toEqual({ title, found: expect.arrayContaining([id]) });
      }
      // Found by its French title, shown in the asked language.
      const fr = await search(q(texts(id).fr.title, '&type=movie&lang=fr'));
      expect(fr.body.items.find((i: Body) => i.tmdbId === id).title).toBe(texts(id).fr.title);
    }
  });

  it('limits to movies or shows with type, and finds shows too', async () => {
    const all = await search(q('amelie'));
    const movies = await search(q('amelie', '&type=movie'));
    const shows = await search(q('amelie', '&type=show'));
    expect(movies.body.items.every((i: Body) => i.type === 'movie')).toBe(true);
    expect(shows.body.items.every((i: Body) => i.type === 'show')).toBe(true);
    const heldShows = await w.t.db.tVShow.findMany({ where: { searchText: { contains: 'amelie' } } });
    expect(heldShows.length).toBeGreaterThan(0);
    expect(shows.body.items.map((i: Body) => i.tmdbId)).toEqual(
      expect.arrayContaining(heldShows.map((s) => s.tmdbId)),
    );
    expect(all.body.total).toBe(movies.body.total + shows.body.total);
    expect(new Set(all.body.items.map((i: Body) => `${i.type}:${i.tmdbId}`))).toEqual(
      new Set([...movies.body.items, ...shows.body.items].map((i: Body) => `${i.type}:${i.tmdbId}`)),
    );
  });

  it('pages the matches 20 at a time, and finds nothing for nonsense', async () => {
    const key = (i: Body) => `${i.type}:${i.tmdbId}`;
    const first = await search(q('e'));
    const total = first.body.total as number;
    expect(total).toBeGreaterThan(40);
    expect(first.body).toMatchObject({ page: 1, pageSize: 20 });
    expect(first.body.items).toHaveLength(20);
    const seen = new Set<string>(first.body.items.map(key));
    const pages = Math.ceil(total / 20);
    for (let page = 2; page <= pages; page++) {
      const res = await search(q('e', `&page=${page}`));
      expect(res.body).toMatchObject({ page, total });
      expect(res.body.items).toHaveLength(page < pages ? 20 : total - 20 * (pages - 1));
      for (const item of res.body.items) seen.add(key(item));
    }
    expect(seen.size).toBe(total);
    const past = await search(q('e', `&page=${pages + 1}`));
    expect(past.body).toMatchObject({ items: [], total });
    const none = await search(q('zzqqxxjj'));
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ items: [], total: 0 });
  });

  it('sent no request to TMDB in all these searches: the API never calls it itself', () => {
    expect(w.standIn.requests()).toBe(before);
  });
});

describe('merged with TMDB search, run by the worker', () => {
  beforeAll(async () => {
    const worker = w.startWorker();
    await waitFor(() => worker.output().includes('worker started'));
  }, 30_000);

  it('adds titles not held yet, which are then synced', async () => {
    const held = new Set((await w.t.db.movie.findMany({ select: { tmdbId: true } })).map((m) => m.tmdbId));
    const id = w.standIn.catalog.movieIds().find((m) => !held.has(m) && texts(m).en.title.length > 12);
    expect(id).toBeDefined();
    const title = texts(id!).en.title;
    // Not in Postgres yet.
    expect(await w.t.db.movie.findUnique({ where: { tmdbId: id } })).toBeNull();

    const res = await eventually(async () => {
      const r = await search(q(title, '&type=movie'), w.t);
      expect(r.status).toBe(200);
      return r.body.tmdb === 'complete' ? r : undefined;
    });
    expect(ids(res.body)).toContain(id);
    expect(res.body.items.find((i: Body) => i.tmdbId === id)).toMatchObject({ type: 'movie', title });
    expect(new Set(ids(res.body)).size).toBe(res.body.items.length);
    const searches = w.standIn.requestLog().filter((r) => r.path === '/search/movie');
    expect(searches.some((r) => new URLSearchParams(r.query).get('query') === title)).toBe(true);

    // The job stored it and asked for its details.
    await waitFor(async () => (await w.t.db.movie.findUnique({ where: { tmdbId: id } }))?.syncedAt, {
      timeoutMs: 20_000,
    });
    const details = await w.get(`/api/v1/movies/${id}?lang=fr`);
    expect(details.status).toBe(200);
    expect(details.body.title).toBe(texts(id!).fr.title);

    // Now held: the Postgres half finds it by its French title too.
    const again = await search(q(texts(id!).fr.title, '&type=movie'));
    expect(ids(again.body)).toContain(id);
  }, 40_000);

  it('lists a title once when both Postgres and TMDB find it', async () => {
    const res = await eventually(async () => {
      const r = await search(q('amelie'), w.t);
      return r.body.tmdb === 'complete' ? r : undefined;
    });
    const keys = res.body.items.map((i: Body) => `${i.type}:${i.tmdbId}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain(`movie:${amelie.id}`);
    // TMDB knows every Amélie title of the stand-in; each is now listed.
    const known = w.standIn.catalog
      .movieIds()
      .filter((m) => Object.values(texts(m)).some((t) => foldText(t.title).includes('amelie')));
    expect(keys).toEqual(expect.arrayContaining(known.map((m) => `movie:${m}`)));
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;
type Auth = Record<string, string>;

/** Catalog movies made for these tests (ids no TMDB stand-in uses). */
const FIRST = 9_200_001;
const MOVIES = 12;
const ids = Array.from({ length: MOVIES }, (_, i) => FIRST + i);
/** A movie with a French translation. */
const TRANSLATED = FIRST;
/** A movie seen only in a list (details never fetched): still in the catalog. */
const LIST_ONLY = FIRST + MOVIES - 1;
const UNKNOWN = 9_299_999;
const DURATION = 6000;

const PROGRESS_FIELDS = ['duration', 'fraction', 'position', 'tmdbId', 'updatedAt', 'watched', 'watchedAt'];

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  for (const tmdbId of ids) {
    await t.db.movie.create({
      data: {
        tmdbId,
        title: `Movie ${tmdbId}`,
        year: 2020,
        runtime: 100,
        posterPath: `/poster-${tmdbId}.jpg`,
        popularity: tmdbId - FIRST,
        syncedAt: tmdbId === LIST_ONLY ? null : new Date(),
        ...(tmdbId === TRANSLATED
          ? { translations: { create: { language: 'fr', title: 'Le Film', overview: 'En français' } } }
          : {}),
      },
    });
  }
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const put = (auth: Auth, tmdbId: number, body: unknown) =>
  t
    .http()
    .put(`/api/v1/progress/movies/${tmdbId}`)
    .set(auth)
    .send(body as object);

/** PUTs a position given as a fraction of DURATION, expecting 200. */
async function watch(auth: Auth, tmdbId: number, fraction: number): Promise<Body> {
  const res = await put(auth, tmdbId, { position: fraction * DURATION, duration: DURATION });
  expect([tmdbId, fraction, res.status]).toEqual([tmdbId, fraction, 200]);
  return res.body;
}

const list = (auth: Auth, which: 'continue-watching' | 'watched', query = '') =>
  t.http().get(`/api/v1/progress/${which}${query}`).set(auth);

/** The tmdbIds of a whole list (one big page). */
async function tmdbIds(auth: Auth, which: 'continue-watching' | 'watched'): Promise<number[]> {
  const res = await list(auth, which, '?pageSize=100');
  expect(res.status).toBe(200);
  return (res.body.items as Body[]).map((i) => i.progress.tmdbId as number);
}

async function newUser(): Promise<Auth> {
  return (await t.signedIn()).auth;
}

describe('PUT /api/v1/progress/movies/:tmdbId', () => {
  it('stores the position and answers the stored progress; it then shows in continue watching', async () => {
    const auth = await newUser();
    const res = await put(auth, FIRST + 1, { position: 1500, duration: DURATION });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(PROGRESS_FIELDS);
    expect(res.body).toEqual({
      tmdbId: FIRST + 1,
      position: 1500,
      duration: DURATION,
      fraction: 0.25,
      watched: false,
      watchedAt: null,
      updatedAt: expect.any(String),
    });
    expect(Date.parse(res.body.updatedAt)).not.toBeNaN();

    const cw = await list(auth, 'continue-watching');
    expect(cw.status).toBe(200);
    expect(cw.body).toMatchObject({ page: 1, pageSize: 20, total: 1 });
    expect(cw.body.items).toHaveLength(1);
    expect(Object.keys(cw.body.items[0]).sort()).toEqual(['movie', 'progress']);
    expect(cw.body.items[0].progress).toEqual(res.body);
    expect(cw.body.items[0].movie).toMatchObject({
      type: 'movie',
      tmdbId: FIRST + 1,
      title: `Movie ${FIRST + 1}`,
      synced: true,
      poster: expect.objectContaining({ original: expect.stringMatching(/poster-9200002\.jpg$/) }),
    });
    // Exactly the summary the catalog list endpoints give.
    const browse = await t.http().get('/api/v1/movies?pageSize=100').set(auth);
    expect(browse.status).toBe(200);
    const summary = (browse.body.items as Body[]).find((m) => m.tmdbId === FIRST + 1);
    expect(cw.body.items[0].movie).toEqual(summary);

    // A later PUT replaces it.
    const again = await put(auth, FIRST + 1, { position: 2400.5, duration: DURATION });
    expect(again.body).toMatchObject({ position: 2400.5, watched: false });
    expect(again.body.fraction).toBeCloseTo(2400.5 / DURATION, 12);
    const stored = await t.db.watchProgress.findMany({ where: { movie: { tmdbId: FIRST + 1 } } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ position: 2400.5, duration: DURATION });
  });

  it('accepts a movie only held from a list (not synced yet)', async () => {
    const auth = await newUser();
    await watch(auth, LIST_ONLY, 0.5);
    const cw = await list(auth, 'continue-watching');
    expect(cw.body.items[0].movie).toMatchObject({ tmdbId: LIST_ONLY, synced: false });
  });

  it('answers 404 naming a movie not in the catalog, storing nothing', async () => {
    const { auth, user } = await t.signedIn();
    const res = await put(auth, UNKNOWN, { position: 10, duration: DURATION });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(res.body.error.message).toContain(String(UNKNOWN));
    expect(await t.db.watchProgress.count({ where: { userId: user.id } })).toBe(0);
  });

  it('takes a position a little past the end as the end, and refuses one far past it', async () => {
    const auth = await newUser();
    const over = await put(auth, FIRST + 2, { position: DURATION + 4.5, duration: DURATION });
    expect(over.status).toBe(200);
    expect(over.body).toMatchObject({ position: DURATION, duration: DURATION, fraction: 1, watched: true });
    const edge = await put(auth, FIRST + 3, { position: DURATION + 5, duration: DURATION });
    expect(edge.status).toBe(200);
    expect(edge.body).toMatchObject({ position: DURATION, fraction: 1 });

    const far = await put(auth, FIRST + 4, { position: DURATION + 5.5, duration: DURATION });
    expect(far.status).toBe(400);
    expect(far.body.error.code).toBe('validation_failed');
    expect(Object.keys(far.body.error.fields)).toEqual(['position']);
    expect(await tmdbIds(auth, 'watched')).not.toContain(FIRST + 4);
  });

  it('answers 400 naming each bad, missing or unexpected field', async () => {
    const auth = await newUser();
    const cases: Array<[string, unknown, string[]]> = [
      ['negative position', { position: -1, duration: DURATION }, ['position']],
      ['zero duration', { position: 0, duration: 0 }, ['duration']],
      ['negative duration', { position: 0, duration: -60 }, ['duration']],
      ['strings', { position: '10', duration: '6000' }, ['duration', 'position']],
      ['string position', { position: 'ten', duration: DURATION }, ['position']],
      ['null', { position: null, duration: DURATION }, ['position']],
      ['missing position', { duration: DURATION }, ['position']],
      ['missing both', {}, ['duration', 'position']],
      ['extra field', { position: 10, duration: DURATION, watched: true }, ['watched']],
      ['far past the end', { position: 1000, duration: 100 }, ['position']],
    ];
    for (const [label, body, fields] of cases) {
      const res = await put(auth, FIRST + 5, body);
      expect([label, res.status]).toEqual([label, 400]);
      expect(res.body.error.code).toBe('validation_failed');
      expect([label, Object.keys(res.body.error.fields).sort()]).toEqual([label, fields]);
      for (const field of fields) expect(res.body.error.message).toContain(field);
    }
    // Not an object at all.
    const array = await put(auth, FIRST + 5, [1, 2]);
    expect(array.status).toBe(400);
    for (const bad of ['abc', '0', '-3', '1.5']) {
      const r = await t
        .http()
        .put(`/api/v1/progress/movies/${bad}`)
        .set(auth)
        .send({ position: 1, duration: DURATION });
      expect([bad, r.status]).toEqual([bad, 400]);
      expect(Object.keys(r.body.error.fields)).toEqual(['tmdbId']);
    }
    expect(await tmdbIds(auth, 'continue-watching')).toEqual([]);
  });
});

describe('the 5 % and 90 % bounds', () => {
  it('moves a title between neither list, continue watching and watched', async () => {
    const auth = await newUser();
    const id = FIRST + 6;
    const where = async () => ({
      continue: (await tmdbIds(auth, 'continue-watching')).includes(id),
      watched: (await tmdbIds(auth, 'watched')).includes(id),
    });

    // 4.9 %: only sampled, in neither list, but the row is kept.
    const sampled = await watch(auth, id, 0.049);
    expect(sampled).toMatchObject({ watched: false, watchedAt: null });
    expect(await where()).toEqual({ continue: false, watched: false });
    expect(await t.db.watchProgress.count({ where: { movie: { tmdbId: id } } })).toBe(1);

    // Exactly 5 % is started.
    await watch(auth, id, 0.05);
    expect(await where()).toEqual({ continue: true, watched: false });

    const half = await watch(auth, id, 0.5);
    expect(half).toMatchObject({ fraction: 0.5, watched: false, watchedAt: null });
    expect(await where()).toEqual({ continue: true, watched: false });

    // 91 %: watched, with the moment it got there.
    const before = Date.now();
    const done = await watch(auth, id, 0.91);
    expect(done.watched).toBe(true);
    expect(Date.parse(done.watchedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(done.watchedAt)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await where()).toEqual({ continue: false, watched: true });
    const watchedItem = (await list(auth, 'watched')).body.items[0];
    expect(watchedItem.progress).toEqual(done);
    expect(watchedItem.movie.tmdbId).toBe(id);

    // Further on: still watched, watchedAt unmoved.
    const credits = await watch(auth, id, 0.99);
    expect(credits).toMatchObject({ watched: true, watchedAt: done.watchedAt });

    // A rewatch: back below 90 % is continue watching again; when it was watched is kept.
    const rewatch = await watch(auth, id, 0.4);
    expect(rewatch).toMatchObject({ watched: false, watchedAt: done.watchedAt, fraction: 0.4 });
    expect(await where()).toEqual({ continue: true, watched: false });

    // Finishing the rewatch (exactly 90 % counts) makes it watched again, watchedAt still the first time.
    const again = await watch(auth, id, 0.9);
    expect(again).toMatchObject({ watched: true, watchedAt: done.watchedAt });
    expect(await where()).toEqual({ continue: false, watched: true });
  });

  it('sets watchedAt on a first PUT already past 90 %', async () => {
    const auth = await newUser();
    const res = await watch(auth, FIRST + 7, 0.95);
    expect(res.watched).toBe(true);
    expect(res.watchedAt).toEqual(res.updatedAt);
  });
});

describe('the lists', () => {
  it('are most recently updated first', async () => {
    const auth = await newUser();
    for (const id of [FIRST + 1, FIRST + 2, FIRST + 3]) await watch(auth, id, 0.3);
    for (const id of [FIRST + 4, FIRST + 5, FIRST + 6]) await watch(auth, id, 0.95);
    expect(await tmdbIds(auth, 'continue-watching')).toEqual([FIRST + 3, FIRST + 2, FIRST + 1]);
    expect(await tmdbIds(auth, 'watched')).toEqual([FIRST + 6, FIRST + 5, FIRST + 4]);

    await watch(auth, FIRST + 1, 0.35);
    await watch(auth, FIRST + 4, 0.97);
    expect(await tmdbIds(auth, 'continue-watching')).toEqual([FIRST + 1, FIRST + 3, FIRST + 2]);
    expect(await tmdbIds(auth, 'watched')).toEqual([FIRST + 4, FIRST + 6, FIRST + 5]);

    // Finishing one moves it to the head of watched; a rewatch to the head of continue watching.
    await watch(auth, FIRST + 3, 0.92);
    await watch(auth, FIRST + 5, 0.1);
    expect(await tmdbIds(auth, 'continue-watching')).toEqual([FIRST + 5, FIRST + 1, FIRST + 2]);
    expect(await tmdbIds(auth, 'watched')).toEqual([FIRST + 3, FIRST + 4, FIRST + 6]);
  });

  it('page like the catalog lists: every title once, the total of the whole list', async () => {
    const auth = await newUser();
    const started = ids.slice(0, 7);
    for (const id of started) await watch(auth, id, 0.2);
    await watch(auth, FIRST + 8, 0.01); // in neither list
    const expected = [...started].reverse();

    const first = await list(auth, 'continue-watching', '?pageSize=3');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, pageSize: 3, total: 7 });
    const walked: number[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await list(auth, 'continue-watching', `?page=${page}&pageSize=3`);
      expect(res.body).toMatchObject({ page, pageSize: 3, total: 7 });
      expect(res.body.items).toHaveLength(page < 3 ? 3 : 1);
      walked.push(...(res.body.items as Body[]).map((i) => i.progress.tmdbId as number));
    }
    expect(walked).toEqual(expected);
    const past = await list(auth, 'continue-watching', '?page=4&pageSize=3');
    expect(past.body).toMatchObject({ items: [], page: 4, pageSize: 3, total: 7 });

    const watched = await list(auth, 'watched', '?page=1&pageSize=2');
    expect(watched.body).toEqual({ items: [], page: 1, pageSize: 2, total: 0 });
  });

  it('translate the movie with lang, like the catalog endpoints', async () => {
    const auth = await newUser();
    await watch(auth, TRANSLATED, 0.5);
    const fr = await list(auth, 'continue-watching', '?lang=fr');
    expect(fr.body.items[0].movie).toMatchObject({ title: 'Le Film', overview: 'En français' });
    const frFR = await list(auth, 'continue-watching', '?lang=fr-FR');
    expect(frFR.body.items[0].movie.title).toBe('Le Film');
    const en = await list(auth, 'continue-watching');
    expect(en.body.items[0].movie.title).toBe(`Movie ${TRANSLATED}`);
  });

  it('answer 400 naming a bad page, page size, language or unknown parameter', async () => {
    const auth = await newUser();
    const cases: Array<[string, string[]]> = [
      ['page=0', ['page']],
      ['page=x', ['page']],
      ['pageSize=0', ['pageSize']],
      ['pageSize=101', ['pageSize']],
      ['lang=french', ['lang']],
      ['sort=title', ['sort']],
    ];
    for (const which of ['continue-watching', 'watched'] as const) {
      for (const [query, fields] of cases) {
        const res = await list(auth, which, `?${query}`);
        expect([which, query, res.status]).toEqual([which, query, 400]);
        expect(Object.keys(res.body.error.fields).sort()).toEqual(fields);
      }
    }
  });

  it("show each user only their own titles; one user's changes leave another's alone", async () => {
    const alice = await newUser();
    const bob = await newUser();
    await watch(alice, FIRST + 1, 0.5);
    await watch(alice, FIRST + 2, 0.95);
    expect(await tmdbIds(bob, 'continue-watching')).toEqual([]);
    expect(await tmdbIds(bob, 'watched')).toEqual([]);
    expect((await list(bob, 'continue-watching')).body.total).toBe(0);

    // Bob cannot forget Alice's progress.
    expect(
      (
        await t
          .http()
          .delete(`/api/v1/progress/movies/${FIRST + 1}`)
          .set(bob)
      ).status,
    ).toBe(404);
    // Bob watching the same movie is his own row.
    await watch(bob, FIRST + 1, 0.92);
    expect(await tmdbIds(bob, 'watched')).toEqual([FIRST + 1]);
    expect(await tmdbIds(alice, 'continue-watching')).toEqual([FIRST + 1]);
    expect(await tmdbIds(alice, 'watched')).toEqual([FIRST + 2]);
    const aliceRow = (await list(alice, 'continue-watching')).body.items[0].progress;
    expect(aliceRow).toMatchObject({ fraction: 0.5, watched: false });
  });
});

describe('DELETE /api/v1/progress/movies/:tmdbId', () => {
  it('forgets the progress (204), then answers 404', async () => {
    const auth = await newUser();
    await watch(auth, FIRST + 1, 0.5);
    await watch(auth, FIRST + 2, 0.95);
    await watch(auth, FIRST + 3, 0.01);
    for (const id of [FIRST + 1, FIRST + 2, FIRST + 3]) {
      const res = await t.http().delete(`/api/v1/progress/movies/${id}`).set(auth);
      expect([id, res.status]).toEqual([id, 204]);
      expect(res.text).toBe('');
      const again = await t.http().delete(`/api/v1/progress/movies/${id}`).set(auth);
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('not_found');
      expect(again.body.error.message).toContain(String(id));
    }
    expect(await tmdbIds(auth, 'continue-watching')).toEqual([]);
    expect(await tmdbIds(auth, 'watched')).toEqual([]);
    // Forgotten entirely: a new PUT starts afresh, with no watchedAt from before.
    expect(await watch(auth, FIRST + 2, 0.5)).toMatchObject({ watchedAt: null });
  });

  it('answers 404 for a movie never watched or not in the catalog, 400 for a bad id', async () => {
    const auth = await newUser();
    for (const id of [FIRST + 9, UNKNOWN])
      expect((await t.http().delete(`/api/v1/progress/movies/${id}`).set(auth)).status).toBe(404);
    expect((await t.http().delete('/api/v1/progress/movies/abc').set(auth)).status).toBe(400);
  });
});

describe('without a signed-in user', () => {
  it('answers 401 on every progress route', async () => {
    const calls = [
      () => t.http().put(`/api/v1/progress/movies/${FIRST}`).send({ position: 1, duration: 2 }),
      () => t.http().delete(`/api/v1/progress/movies/${FIRST}`),
      () => t.http().get('/api/v1/progress/continue-watching'),
      () => t.http().get('/api/v1/progress/watched'),
    ];
    const rows = await t.db.watchProgress.count();
    for (const call of calls) {
      for (const headers of [{}, { Authorization: 'Bearer not-a-token' }]) {
        const res = await call().set(headers);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toEqual(expect.any(String));
      }
    }
    expect(await t.db.watchProgress.count()).toBe(rows);
  });
});

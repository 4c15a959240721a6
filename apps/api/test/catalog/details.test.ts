import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PRIORITY } from '@cinenest/queue';
import { waitFor } from '@cinenest/testkit';
import type { TestApp } from '../support.js';
import { eventually, startCatalogWorld, type Body, type CatalogWorld } from './support.js';

let w: CatalogWorld;
/** The same API with CATALOG_WAIT_MS=500, to see the 202 without waiting 3 s. */
let quick: TestApp;

beforeAll(async () => {
  w = await startCatalogWorld();
  w.startWorker();
  await w.seeded();
  quick = await w.replica({ CATALOG_WAIT_MS: '500' });
}, 90_000);

afterAll(async () => {
  await w?.close();
});

const texts = (id: number) => w.standIn.catalog.texts('movie', id)!;
const getQuick = (path: string) => quick.http().get(path).set(w.auth);
const movieRequests = (log: Array<{ path: string }>, id: number) =>
  log.filter((r) => r.path === `/movie/${id}`);

/** A stand-in movie with no row in the database at all (not even from a list). */
async function unheld(): Promise<number> {
  const rows = await w.t.db.movie.findMany({ select: { tmdbId: true } });
  const known = new Set(rows.map((r) => r.tmdbId));
  const id = w.standIn.catalog.movieIds().find((m) => !known.has(m));
  if (id === undefined)
    throw new Error('the lists named every stand-in movie: none is left to fetch on demand');
  return id;
}

describe('GET /api/v1/movies/:tmdbId for a movie held', () => {
  let id: number;

  beforeAll(async () => {
    id = (await w.t.db.movie.findFirstOrThrow({ where: { syncedAt: { not: null } }, orderBy: { id: 'asc' } }))
      .tmdbId;
  });

  it('answers from the database, without a TMDB request', async () => {
    let res: Body;
    const log = await w.requestsDuring(async () => {
      res = await w.get(`/api/v1/movies/${id}`);
    });
    expect(log).toEqual([]);
    expect(res.status).toBe(200);
    const record = w.standIn.catalog.movie(id)!;
    const media = w.standIn.catalog.media('movie', id)!;
    expect(res.body).toMatchObject({
      type: 'movie',
      tmdbId: id,
      imdbId: record.imdbId,
      title: texts(id).en.title,
      overview: texts(id).en.overview,
      tagline: texts(id).en.tagline,
      runtime: record.runtime,
      releaseDate: record.releaseDate,
      year: Number(record.releaseDate.slice(0, 4)),
      synced: true,
      languages: ['de', 'en', 'es', 'fr'],
      trailer: {
        site: 'YouTube',
        key: media.videos.find((v) => v.lang === 'en' && v.type === 'Trailer')!.key,
        url: expect.stringMatching(/^https:\/\/www\.youtube\.com\/watch\?v=/),
      },
    });
    expect(res.body.genres.map((g: Body) => g.id).sort()).toEqual([...record.genreIds].sort());
    expect(res.body.poster.w342).toMatch(/^https:\/\/image\.tmdb\.org\/t\/p\/w342\/[A-Za-z0-9]{27}\.jpg$/);
    expect(res.body.logo.original).toMatch(/\.png$/);
  });

  it('answers in the asked language: title, overview and tagline', async () => {
    for (const lang of ['fr', 'fr-FR', 'fr-CA']) {
      const res = await w.get(`/api/v1/movies/${id}?lang=${lang}`);
      expect(res.status).toBe(200);
      expect({ lang, ...res.body }).toMatchObject({
        lang,
        title: texts(id).fr.title,
        overview: texts(id).fr.overview,
        tagline: texts(id).fr.tagline,
      });
    }
    const es = await w.get(`/api/v1/movies/${id}?lang=es`);
    expect(es.body).toMatchObject({ title: texts(id).es.title, tagline: texts(id).es.tagline });
    const fr = await w.get(`/api/v1/movies/${id}?lang=fr`);
    expect(fr.body.genres.map((g: Body) => g.name)).not.toEqual(
      (await w.get(`/api/v1/movies/${id}`)).body.genres.map((g: Body) => g.name),
    );
  });

  it('falls back to the default language for a language not kept, and for a missing tagline', async () => {
    const en = await w.get(`/api/v1/movies/${id}`);
    const pt = await w.get(`/api/v1/movies/${id}?lang=pt-BR`);
    expect(pt.status).toBe(200);
    expect(pt.body).toEqual(en.body);
    expect(en.body.title).toBe(texts(id).en.title);

    await w.t.db.movieTranslation.updateMany({
      where: { movie: { tmdbId: id }, language: 'de' },
      data: { tagline: null },
    });
    const de = await w.get(`/api/v1/movies/${id}?lang=de`);
    expect(de.body).toMatchObject({
      title: texts(id).de.title,
      overview: texts(id).de.overview,
      tagline: texts(id).en.tagline,
    });
  });

  it('refuses a bad id or language with 400 naming the field, and answers 401 without a token', async () => {
    for (const [path, field] of [
      ['/api/v1/movies/abc', 'tmdbId'],
      ['/api/v1/movies/0', 'tmdbId'],
      ['/api/v1/movies/-5', 'tmdbId'],
      ['/api/v1/movies/1.5', 'tmdbId'],
      ['/api/v1/movies/99999999999', 'tmdbId'],
      [`/api/v1/movies/${id}?lang=xx_YY`, 'lang'],
      [`/api/v1/movies/${id}?page=2`, 'page'],
    ]) {
      const res = await w.get(path!);
      expect([path, res.status]).toEqual([path, 400]);
      expect(Object.keys(res.body.error.fields)).toEqual([field]);
    }
    expect((await w.t.http().get(`/api/v1/movies/${id}`)).status).toBe(401);
  });
});

describe('GET /api/v1/movies/:tmdbId for a movie not held', () => {
  it('enqueues a high-priority catalog.movie-sync and answers 200 once the worker has run it', async () => {
    const id = await unheld();
    let res: Body;
    const log = await w.requestsDuring(async () => {
      res = await w.get(`/api/v1/movies/${id}?lang=fr`);
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tmdbId: id, title: texts(id).fr.title, tagline: texts(id).fr.tagline });
    expect(movieRequests(log, id)).toHaveLength(1);
    const job = await w.queues.get('catalog').getJob(`movie-sync.${id}`);
    expect(job?.opts.priority).toBe(PRIORITY.demand);
    expect(await job?.getState()).toBe('completed');
    expect(await w.t.db.movie.count({ where: { tmdbId: id, syncedAt: { not: null } } })).toBe(1);
  });

  it('completes a title seen only in a list (a row without details) the same way', async () => {
    const id = await unheld();
    await w.t.db.movie.create({ data: { tmdbId: id, title: 'Only the list title' } });
    const res = await w.get(`/api/v1/movies/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: texts(id).en.title, synced: true });
  });

  it('answers 404 when TMDB has no such movie, and stores nothing', async () => {
    for (const id of [999, 777_777]) {
      const res = await w.get(`/api/v1/movies/${id}`);
      expect([id, res.status]).toEqual([id, 404]);
      expect(res.body.error.code).toBe('not_found');
      expect(await w.t.db.movie.findUnique({ where: { tmdbId: id } })).toBeNull();
      // Asked again: still 404 (the job failed for good), without asking TMDB again.
      const log = await w.requestsDuring(async () => {
        expect((await w.get(`/api/v1/movies/${id}`)).status).toBe(404);
      });
      expect(log).toEqual([]);
    }
  });

  it('answers 202 with Retry-After while TMDB is slow, then 200 once the job is done', async () => {
    const id = await unheld();
    w.standIn.fault('slow', { delayMs: 2500, paths: new RegExp(`^/movie/${id}$`) });
    try {
      const first = await getQuick(`/api/v1/movies/${id}`);
      expect(first.status).toBe(202);
      expect(first.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(first.body).toMatchObject({ status: 'pending' });
      // The job is the one the API asked for, at the highest priority, and still running.
      const job = await w.queues.get('catalog').getJob(`movie-sync.${id}`);
      expect(job?.opts.priority).toBe(PRIORITY.demand);
      const later = await eventually(
        async () => {
          const res = await getQuick(`/api/v1/movies/${id}`);
          expect([202, 200]).toContain(res.status);
          return res.status === 200 ? res : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      expect(later.body).toMatchObject({ tmdbId: id, title: texts(id).en.title });
      expect(movieRequests(w.standIn.requestLog(), id)).toHaveLength(1);
    } finally {
      w.standIn.fault('none');
    }
  }, 30_000);

  it('the API never calls TMDB itself: with the worker stopped, only 202s and no TMDB request', async () => {
    await w.drained();
    await w.stopWorker();
    const id = await unheld();
    const log = await w.requestsDuring(async () => {
      const res = await getQuick(`/api/v1/movies/${id}`);
      expect(res.status).toBe(202);
      expect(res.headers['retry-after']).toBeDefined();
      // The default wait (3 s) gives the same answer.
      expect((await w.get(`/api/v1/movies/${id}?lang=fr`)).status).toBe(202);
      expect((await getQuick('/api/v1/movies/555555')).status).toBe(202);
      expect((await getQuick('/api/v1/movies?pageSize=100')).status).toBe(200);
    });
    expect(log).toEqual([]);
    expect(await w.t.db.movie.findUnique({ where: { tmdbId: id } })).toBeNull();

    // The worker, once back, runs the jobs the API left: only then does the stand-in hear of the movie.
    const during = await w.requestsDuring(async () => {
      w.startWorker();
      await waitFor(async () => (await getQuick(`/api/v1/movies/${id}`)).status === 200, {
        timeoutMs: 20_000,
        intervalMs: 250,
      });
    });
    expect(movieRequests(during, id)).toHaveLength(1);
    await waitFor(async () => (await getQuick('/api/v1/movies/555555')).status === 404);
  }, 40_000);

  it('answers 503 (never 404) while TMDB fails, then 200 once it is back', async () => {
    await w.drained();
    const id = await unheld();
    w.standIn.fault('server-error');
    const statuses: number[] = [];
    let unavailable: Body;
    try {
      // The worker's client retries within the job's first attempt; once that attempt has failed,
      // the API says 503 rather than making the caller wait.
      unavailable = await eventually(
        async () => {
          const res = await w.get(`/api/v1/movies/${id}`);
          statuses.push(res.status);
          return res.status === 202 ? undefined : res;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(unavailable.status).toBe(503);
      expect(unavailable.body.error.code).toBe('service_unavailable');
      expect(Number(unavailable.headers['retry-after'])).toBeGreaterThan(0);
      const failed = movieRequests(w.standIn.requestLog(), id);
      expect(failed.length).toBeGreaterThan(1);
      expect(failed.every((r: Body) => r.status >= 500)).toBe(true);
      expect((await w.get(`/api/v1/movies/${id}`)).status).toBe(503);
    } finally {
      w.standIn.fault('none');
    }
    expect(statuses.filter((s) => s !== 202 && s !== 503)).toEqual([]);
    expect(await w.t.db.movie.findUnique({ where: { tmdbId: id } })).toBeNull();

    // BullMQ retries the job with backoff; TMDB answers now.
    const back = await eventually(
      async () => {
        const res = await w.get(`/api/v1/movies/${id}`);
        statuses.push(res.status);
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(back.body).toMatchObject({ tmdbId: id, title: texts(id).en.title });
    expect(statuses).not.toContain(404);
  }, 150_000);
});

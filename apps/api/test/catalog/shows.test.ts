import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PRIORITY } from '@cinenest/queue';
import { waitFor } from '@cinenest/testkit';
import type { TestApp } from '../support.js';
import { eventually, startCatalogWorld, type Body, type CatalogWorld } from './support.js';

let w: CatalogWorld;
/** The same API with CATALOG_WAIT_MS=500, to see the 202 without waiting 3 s. */
let quick: TestApp;

beforeAll(async () => {
  // One page per list leaves some of the 40 shows unheld; the season sweep runs every second.
  w = await startCatalogWorld({
    standIn: { shows: 40 },
    worker: { LIST_PAGES: '1', SEASON_SWEEP_INTERVAL: '1', EPISODE_SYNC_MODE: 'ON_DEMAND' },
  });
  w.startWorker();
  await w.seeded();
  quick = await w.replica({ CATALOG_WAIT_MS: '500' });
}, 90_000);

afterAll(async () => {
  await w?.close();
});

const texts = (id: number) => w.standIn.catalog.texts('tv', id)!;
const getQuick = (path: string) => quick.http().get(path).set(w.auth);
const showRow = (tmdbId: number) => w.t.db.tVShow.findUniqueOrThrow({ where: { tmdbId } });

/** Held shows nobody opened yet, one per call. */
const taken = new Set<number>();
async function heldShow(): Promise<number> {
  const rows = await w.t.db.tVShow.findMany({
    where: { syncedAt: { not: null }, episodesWantedAt: null, seasons: { some: { seasonNumber: 1 } } },
    orderBy: { tmdbId: 'asc' },
  });
  const row = rows.find((r) => !taken.has(r.tmdbId));
  if (!row) throw new Error('no held show left');
  taken.add(row.tmdbId);
  return row.tmdbId;
}

describe('GET /api/v1/shows/:tmdbId', () => {
  it('answers a held show with its seasons from the database, and marks it wanted', async () => {
    const id = await heldShow();
    expect((await showRow(id)).episodesWantedAt).toBeNull();
    let res: Body;
    const log = await w.requestsDuring(async () => {
      res = await w.get(`/api/v1/shows/${id}`);
    });
    expect(log).toEqual([]);
    expect(res.status).toBe(200);
    const record = w.standIn.catalog.show(id)!;
    expect(res.body).toMatchObject({
      type: 'show',
      tmdbId: id,
      name: texts(id).en.title,
      overview: texts(id).en.overview,
      tagline: texts(id).en.tagline,
      imdbId: record.imdbId,
      tvdbId: record.tvdbId,
      inProduction: record.inProduction,
      status: record.status,
      synced: true,
    });
    expect(res.body.seasons.map((s: Body) => [s.seasonNumber, s.episodeCount, s.airDate])).toEqual(
      record.seasons.map((s) => [s.number, s.episodeCount, s.airDate]),
    );
    for (const season of res.body.seasons) expect(season.episodesSynced).toBe(false);

    const wanted = (await showRow(id)).episodesWantedAt;
    expect(wanted).toBeInstanceOf(Date);
    // Opened again: the first time it was wanted is kept.
    await w.get(`/api/v1/shows/${id}`);
    expect((await showRow(id)).episodesWantedAt).toEqual(wanted);
  });

  it('with EPISODE_SYNC_MODE=ON_DEMAND, the episodes of an opened show get synced, and only those', async () => {
    const opened = await heldShow();
    const other = await heldShow();
    expect((await w.get(`/api/v1/shows/${opened}`)).status).toBe(200);
    const seasons = w.standIn.catalog.show(opened)!.seasons.length;
    await waitFor(
      async () =>
        (await w.t.db.season.count({ where: { show: { tmdbId: opened }, synced: true } })) === seasons,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const res = await w.get(`/api/v1/shows/${opened}`);
    for (const season of res.body.seasons) expect(season.episodesSynced).toBe(true);
    expect(await w.t.db.season.count({ where: { show: { tmdbId: other }, synced: true } })).toBe(0);
    expect((await showRow(other)).episodesWantedAt).toBeNull();
  }, 40_000);

  it('answers in the asked language, falling back to the default one', async () => {
    const id = (await w.t.db.tVShow.findFirstOrThrow({ where: { syncedAt: { not: null } } })).tmdbId;
    const fr = await w.get(`/api/v1/shows/${id}?lang=fr-FR`);
    expect(fr.body).toMatchObject({
      name: texts(id).fr.title,
      overview: texts(id).fr.overview,
      tagline: texts(id).fr.tagline,
    });
    const de = await w.get(`/api/v1/shows/${id}?lang=de`);
    expect(de.body.name).toBe(texts(id).de.title);
    const nl = await w.get(`/api/v1/shows/${id}?lang=nl`);
    expect(nl.body).toMatchObject({ name: texts(id).en.title, tagline: texts(id).en.tagline });
  });

  it('fetches a show not held through the worker: 200, then stored and wanted', async () => {
    const held = new Set((await w.t.db.tVShow.findMany({ select: { tmdbId: true } })).map((s) => s.tmdbId));
    const id = w.standIn.catalog.showIds().find((s) => !held.has(s));
    expect(id).toBeDefined();
    const res = await w.get(`/api/v1/shows/${id}?lang=fr`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tmdbId: id, name: texts(id!).fr.title });
    expect(res.body.seasons.length).toBe(w.standIn.catalog.show(id!)!.seasons.length);
    const job = await w.queues.get('catalog').getJob(`show-sync.${id}`);
    expect(job?.opts.priority).toBe(PRIORITY.demand);
    expect((await showRow(id!)).episodesWantedAt).toBeInstanceOf(Date);
  });

  it('answers 404 for a show TMDB does not have', async () => {
    for (const id of [900_000, 1000]) {
      const res = await w.get(`/api/v1/shows/${id}`);
      expect([id, res.status]).toEqual([id, 404]);
      expect(await w.t.db.tVShow.findUnique({ where: { tmdbId: id } })).toBeNull();
      expect((await w.get(`/api/v1/shows/${id}/seasons/1`)).status).toBe(404);
    }
  });
});

describe('GET /api/v1/shows/:tmdbId/seasons/:number', () => {
  it('fetches the episodes on demand and marks the show wanted', async () => {
    const id = await heldShow();
    expect(await w.t.db.season.count({ where: { show: { tmdbId: id }, synced: true } })).toBe(0);
    const res = await w.get(`/api/v1/shows/${id}/seasons/1?lang=fr`);
    expect(res.status).toBe(200);
    const episodes = w.standIn.catalog.episodes(id, 1)!;
    expect(res.body).toMatchObject({ show: { tmdbId: id, name: texts(id).fr.title }, seasonNumber: 1 });
    expect(res.body.episodes).toHaveLength(episodes.length);
    expect(res.body.episodes.map((e: Body) => [e.episodeNumber, e.name, e.airDate, e.runtime])).toEqual(
      episodes.map((e) => [e.number, e.text.en.name, e.airDate, e.runtime]),
    );
    expect(res.body.episodes[0].still.original).toMatch(/^https:\/\/image\.tmdb\.org\/t\/p\/original\//);
    expect((await showRow(id)).episodesWantedAt).toBeInstanceOf(Date);

    // Asked again: from the database. (The worker's sweep meanwhile syncs the other seasons of the
    // shows people opened, in the background: only a request for this season would be wrong.)
    const log = await w.requestsDuring(async () => {
      expect((await w.get(`/api/v1/shows/${id}/seasons/1`)).body.episodes).toEqual(res.body.episodes);
    });
    expect(log.filter((r) => r.path === `/tv/${id}/season/1`)).toEqual([]);
  });

  it('answers 202 with Retry-After while TMDB is slow, then 200', async () => {
    const id = await heldShow();
    w.standIn.fault('slow', { delayMs: 2500, paths: new RegExp(`^/tv/${id}/season/1$`) });
    try {
      const first = await getQuick(`/api/v1/shows/${id}/seasons/1`);
      expect(first.status).toBe(202);
      expect(first.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      const later = await eventually(
        async () => {
          const res = await getQuick(`/api/v1/shows/${id}/seasons/1`);
          expect([202, 200]).toContain(res.status);
          return res.status === 200 ? res : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      expect(later.body.episodes).toHaveLength(w.standIn.catalog.episodes(id, 1)!.length);
    } finally {
      w.standIn.fault('none');
    }
  }, 30_000);

  it('answers 404 for a season the show does not have, without a job', async () => {
    const id = (await w.t.db.tVShow.findFirstOrThrow({ where: { syncedAt: { not: null } } })).tmdbId;
    const count = w.standIn.catalog.show(id)!.seasons.length;
    const log = await w.requestsDuring(async () => {
      const res = await w.get(`/api/v1/shows/${id}/seasons/${count + 5}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });
    expect(log).toEqual([]);
    expect(await w.queues.get('catalog').getJob(`season-sync.${id}.${count + 5}`)).toBeUndefined();
  });

  it('refuses bad ids and numbers with 400 naming the field, and answers 401 without a token', async () => {
    for (const [path, field] of [
      ['/api/v1/shows/abc', 'tmdbId'],
      ['/api/v1/shows/0/seasons/1', 'tmdbId'],
      ['/api/v1/shows/500000/seasons/x', 'number'],
      ['/api/v1/shows/500000/seasons/-1', 'number'],
      ['/api/v1/shows/500000/seasons/1001', 'number'],
      ['/api/v1/shows/500000?lang=12', 'lang'],
      ['/api/v1/shows/500000/seasons/1?sort=title', 'sort'],
    ]) {
      const res = await w.get(path!);
      expect([path, res.status]).toEqual([path, 400]);
      expect(Object.keys(res.body.error.fields)).toEqual([field]);
    }
    for (const path of ['/api/v1/shows/500000', '/api/v1/shows/500000/seasons/1']) {
      expect([path, (await w.t.http().get(path)).status]).toEqual([path, 401]);
    }
  });
});

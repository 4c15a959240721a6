import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TMDB_NOT_FOUND } from '@cinenest/queue';
import { showSnapshot, startHarness, type Harness } from './support.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

const showIds = () => h.standIn.catalog.showIds();

describe('catalog.show-sync', () => {
  it('stores details, genres, translations and the season list, without episodes', async () => {
    const tmdbId = showIds()[1]!;
    const result = await h.run('catalog.show-sync', { tmdbId });
    const record = h.standIn.catalog.show(tmdbId)!;
    const texts = h.standIn.catalog.texts('tv', tmdbId)!;
    const media = h.standIn.catalog.media('tv', tmdbId)!;

    const show = await h.db.tVShow.findUniqueOrThrow({
      where: { tmdbId },
      include: {
        genres: true,
        translations: { orderBy: { language: 'asc' } },
        seasons: { orderBy: { seasonNumber: 'asc' }, include: { _count: { select: { episodes: true } } } },
      },
    });
    expect(result).toEqual({ tmdbId, showId: show.id, seasons: record.seasons.length });
    expect(show).toMatchObject({
      imdbId: record.imdbId,
      tvdbId: record.tvdbId,
      name: texts.en.title,
      overview: texts.en.overview,
      status: record.status,
      inProduction: record.inProduction,
      numberOfSeasons: record.seasons.filter((s) => s.number > 0).length,
      posterPath: media.images.posters.find((p) => p.lang === 'en')!.path,
      logoPath: media.images.logos.find((l) => l.lang === 'en')!.path,
      trailerKey: media.videos.find((v) => v.lang === 'en' && v.type === 'Trailer')!.key,
      syncedAt: expect.any(Date),
      episodesWantedAt: null,
    });
    expect(show.genres.map((g) => g.id).sort()).toEqual([...record.genreIds].sort());
    for (const genre of show.genres) expect(genre.forShows).toBe(true);
    expect(show.translations.map((t) => [t.language, t.region, t.name])).toEqual([
      ['en', 'US', texts.en.title],
      ['fr', 'FR', texts.fr.title],
    ]);
    expect(show.seasons.map((s) => [s.seasonNumber, s.episodeCount, s.synced, s._count.episodes])).toEqual(
      record.seasons.map((s) => [s.number, s.episodeCount, false, 0]),
    );
  });

  it('running the same show-sync twice leaves the same rows', async () => {
    const tmdbId = showIds()[2]!;
    await h.run('catalog.show-sync', { tmdbId });
    const first = await showSnapshot(h.db, tmdbId);
    await h.run('catalog.show-sync', { tmdbId, fresh: true });
    expect(await showSnapshot(h.db, tmdbId)).toEqual(first);
  });

  it('two show-syncs of one title at the same time do not collide', async () => {
    for (const tmdbId of showIds().slice(10, 14)) {
      const runs = await Promise.allSettled(
        Array.from({ length: 4 }, () => h.run('catalog.show-sync', { tmdbId, fresh: true })),
      );
      expect(runs.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
      const show = await h.db.tVShow.findUniqueOrThrow({
        where: { tmdbId },
        include: { translations: true, seasons: true },
      });
      expect(show.translations).toHaveLength(2);
      expect(show.seasons).toHaveLength(h.standIn.catalog.show(tmdbId)!.seasons.length);
    }
  });

  it('a show TMDB does not have fails for good with tmdb_not_found', async () => {
    await expect(h.run('catalog.show-sync', { tmdbId: 999_999 })).rejects.toThrow(
      new RegExp(`^${TMDB_NOT_FOUND}: /tv/999999`),
    );
    expect(await h.db.tVShow.findUnique({ where: { tmdbId: 999_999 } })).toBeNull();
  });
});

describe('catalog.season-sync', () => {
  it('stores a season’s episodes and marks it synced; a second run leaves the same rows', async () => {
    const tmdbId = showIds()[3]!;
    await h.run('catalog.show-sync', { tmdbId });
    const season = h.standIn.catalog.show(tmdbId)!.seasons.find((s) => s.number === 1)!;
    const episodes = h.standIn.catalog.episodes(tmdbId, 1)!;

    const result = await h.run('catalog.season-sync', { showTmdbId: tmdbId, seasonNumber: 1 });
    expect(result).toEqual({ showTmdbId: tmdbId, seasonNumber: 1, episodes: season.episodeCount });
    const stored = await h.db.season.findFirstOrThrow({
      where: { show: { tmdbId }, seasonNumber: 1 },
      include: { episodes: { orderBy: { episodeNumber: 'asc' } } },
    });
    expect(stored.synced).toBe(true);
    expect(stored.syncedAt).toBeInstanceOf(Date);
    expect(stored.episodes.map((e) => [e.episodeNumber, e.tmdbId, e.name, e.runtime, e.stillPath])).toEqual(
      episodes.map((e) => [e.number, e.id, e.text.en.name, e.runtime, e.stillPath]),
    );
    expect(stored.episodes[0]!.airDate).toEqual(new Date(`${episodes[0]!.airDate}T00:00:00Z`));

    const before = await showSnapshot(h.db, tmdbId);
    await h.run('catalog.season-sync', { showTmdbId: tmdbId, seasonNumber: 1 });
    expect(await showSnapshot(h.db, tmdbId)).toEqual(before);
  });

  it('fetches the show first when it is not held yet', async () => {
    const tmdbId = showIds()[4]!;
    expect(await h.db.tVShow.findUnique({ where: { tmdbId } })).toBeNull();
    await h.run('catalog.season-sync', { showTmdbId: tmdbId, seasonNumber: 1 });
    const show = await h.db.tVShow.findUniqueOrThrow({
      where: { tmdbId },
      include: { seasons: { orderBy: { seasonNumber: 'asc' } } },
    });
    expect(show.syncedAt).not.toBeNull();
    expect(show.seasons.map((s) => [s.seasonNumber, s.synced])).toEqual(
      h.standIn.catalog.show(tmdbId)!.seasons.map((s) => [s.number, s.number === 1]),
    );
  });

  it('a season TMDB does not have fails for good with tmdb_not_found', async () => {
    const tmdbId = showIds()[3]!;
    await expect(h.run('catalog.season-sync', { showTmdbId: tmdbId, seasonNumber: 77 })).rejects.toThrow(
      new RegExp(`^${TMDB_NOT_FOUND}: /tv/${tmdbId}/season/77`),
    );
  });
});

describe('catalog.season-sweep', () => {
  // A database of its own: the sweep looks at every season.
  let s: Harness;
  let wanted: number;
  let others: number[];

  beforeAll(async () => {
    s = await startHarness();
    const ids = s.standIn.catalog.showIds().slice(0, 4);
    for (const tmdbId of ids) await s.run('catalog.show-sync', { tmdbId });
    [wanted, ...others] = ids as [number, ...number[]];
    await s.db.tVShow.update({ where: { tmdbId: wanted }, data: { episodesWantedAt: new Date() } });
  });

  afterAll(async () => {
    await s.close();
  });

  const pending = async () =>
    (await s.pending())
      .filter((j) => j.name === 'catalog.season-sync')
      .map((j) => `${j.data.showTmdbId}/${j.data.seasonNumber}`)
      .sort();
  const seasons = (ids: number[]) =>
    ids.flatMap((id) => s.standIn.catalog.show(id)!.seasons.map((x) => `${id}/${x.number}`)).sort();

  it('ON_DEMAND enqueues only the seasons of shows someone opened', async () => {
    const result = await s.run(
      'catalog.season-sweep',
      {},
      { config: { ...s.config, EPISODE_SYNC_MODE: 'ON_DEMAND' } },
    );
    expect(result).toEqual({ enqueued: seasons([wanted]).length, mode: 'ON_DEMAND' });
    expect(await pending()).toEqual(seasons([wanted]));
    await s.clearQueue();
  });

  it('GREEDY enqueues every season not synced yet, and the worker syncs them all', async () => {
    const greedy = { ...s.config, EPISODE_SYNC_MODE: 'GREEDY' as const };
    const result = await s.run('catalog.season-sweep', {}, { config: greedy });
    const all = seasons([wanted, ...others]);
    expect(result).toEqual({ enqueued: all.length, mode: 'GREEDY' });
    expect(await pending()).toEqual(all);
    // Shows someone opened come first.
    const jobs = await s.pending();
    const priority = (id: number) => jobs.find((j) => j.data.showTmdbId === id)!.opts.priority!;
    expect(priority(wanted)).toBeLessThan(priority(others[0]!));

    const worker = s.worker({ concurrency: 4, config: greedy });
    try {
      await s.drained();
      expect(worker.failed).toEqual([]);
    } finally {
      await worker.close();
    }
    expect(await s.db.season.count({ where: { synced: false } })).toBe(0);
    for (const id of [wanted, ...others]) {
      for (const season of s.standIn.catalog.show(id)!.seasons) {
        expect(
          await s.db.episode.count({
            where: { season: { show: { tmdbId: id }, seasonNumber: season.number } },
          }),
        ).toBe(season.episodeCount);
      }
    }
    // Nothing left to sweep.
    expect(await s.run('catalog.season-sweep', {}, { config: greedy })).toEqual({
      enqueued: 0,
      mode: 'GREEDY',
    });
  });

  it('a season whose episode count changed is synced again by the next sweep', async () => {
    const season = s.standIn.catalog.show(wanted)!.seasons.find((x) => x.number === 1)!;
    const row = await s.db.season.findFirstOrThrow({ where: { show: { tmdbId: wanted }, seasonNumber: 1 } });
    // As if TMDB had one episode fewer when we synced: the next show-sync sees the count change.
    await s.db.episode.deleteMany({ where: { seasonId: row.id, episodeNumber: season.episodeCount } });
    await s.db.season.update({ where: { id: row.id }, data: { episodeCount: season.episodeCount - 1 } });
    await s.run('catalog.show-sync', { tmdbId: wanted, fresh: true });
    expect((await s.db.season.findUniqueOrThrow({ where: { id: row.id } })).synced).toBe(false);

    const worker = s.worker({ concurrency: 2 });
    try {
      await s.run('catalog.season-sweep', {});
      await s.drained();
      expect(worker.failed).toEqual([]);
    } finally {
      await worker.close();
    }
    const after = await s.db.season.findUniqueOrThrow({ where: { id: row.id }, include: { episodes: true } });
    expect(after.synced).toBe(true);
    expect(after.episodes).toHaveLength(season.episodeCount);
  });
});

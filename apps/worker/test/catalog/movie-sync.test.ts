import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { foldText } from '@cinenest/db';
import { TMDB_NOT_FOUND } from '@cinenest/queue';
import { UnrecoverableError } from 'bullmq';
import { movieSnapshot, startHarness, type Harness } from './support.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

/** What the stand-in says about a movie, in the terms Cinenest stores. */
function expected(tmdbId: number) {
  const record = h.standIn.catalog.movie(tmdbId)!;
  const texts = h.standIn.catalog.texts('movie', tmdbId)!;
  const media = h.standIn.catalog.media('movie', tmdbId)!;
  return { record, texts, media };
}

describe('catalog.movie-sync', () => {
  it('stores details, genres, images, the trailer and translations in CATALOG_LANGUAGES only', async () => {
    const tmdbId = h.standIn.catalog.movieIds()[3]!;
    const result = (await h.run('catalog.movie-sync', { tmdbId })) as Record<string, unknown>;
    const { record, texts, media } = expected(tmdbId);

    const movie = await h.db.movie.findUniqueOrThrow({
      where: { tmdbId },
      include: { genres: true, translations: { orderBy: { language: 'asc' } } },
    });
    expect(result).toEqual({ tmdbId, movieId: movie.id, firstSync: true });
    expect(movie).toMatchObject({
      imdbId: record.imdbId,
      title: texts.en.title,
      originalTitle: texts[record.originalLanguage].title,
      originalLanguage: record.originalLanguage,
      overview: texts.en.overview,
      tagline: texts.en.tagline,
      runtime: record.runtime,
      releaseDate: new Date(`${record.releaseDate}T00:00:00Z`),
      year: Number(record.releaseDate.slice(0, 4)),
      popularity: record.popularity,
      voteCount: record.voteCount,
      posterPath: media.images.posters.find((p) => p.lang === 'en')!.path,
      backdropPath: media.images.backdrops[0]!.path,
      logoPath: media.images.logos.find((l) => l.lang === 'en')!.path,
      trailerKey: media.videos.find((v) => v.lang === 'en' && v.type === 'Trailer')!.key,
      syncedAt: expect.any(Date),
    });
    expect(movie.genres.map((g) => g.id).sort()).toEqual([...record.genreIds].sort());
    for (const genre of movie.genres) expect(genre.forMovies).toBe(true);

    // The stand-in translates into en, fr, de and es; CATALOG_LANGUAGES is en,fr.
    expect(movie.translations.map((t) => `${t.language}-${t.region}`)).toEqual(['en-US', 'fr-FR']);
    expect(movie.translations[1]).toMatchObject({
      title: texts.fr.title,
      overview: texts.fr.overview,
      tagline: texts.fr.tagline,
    });
    // Searchable by its title, its original title and its title in every kept language, folded.
    const names = new Set(
      [texts.en.title, texts[record.originalLanguage].title, texts.fr.title].map(foldText),
    );
    expect(new Set(movie.searchText.split(' | '))).toEqual(names);
  });

  it('running the same sync twice leaves the same rows', async () => {
    const tmdbId = h.standIn.catalog.movieIds()[5]!;
    await h.run('catalog.movie-sync', { tmdbId });
    const first = await movieSnapshot(h.db, tmdbId);
    const counts = async () => ({
      movies: await h.db.movie.count(),
      genres: await h.db.genre.count(),
      translations: await h.db.movieTranslation.count(),
    });
    const before = await counts();

    const again = (await h.run('catalog.movie-sync', { tmdbId, fresh: true })) as Record<string, unknown>;
    expect(again).toMatchObject({ tmdbId, firstSync: false });
    expect(await movieSnapshot(h.db, tmdbId)).toEqual(first);
    expect(await counts()).toEqual(before);
  });

  it('completes a title first seen in a list, keeping its row', async () => {
    const tmdbId = h.standIn.catalog.movieIds()[8]!;
    const stub = await h.db.movie.create({ data: { tmdbId, title: 'Seen in a list' } });
    const result = (await h.run('catalog.movie-sync', { tmdbId })) as Record<string, unknown>;
    expect(result).toEqual({ tmdbId, movieId: stub.id, firstSync: true });
    const movie = await h.db.movie.findUniqueOrThrow({ where: { tmdbId } });
    expect(movie.title).toBe(expected(tmdbId).texts.en.title);
    expect(movie.syncedAt).not.toBeNull();
  });

  it('two syncs of one title at the same time do not collide', async () => {
    // Several fresh titles, each synced by four jobs at once: the first write of a title is the racy one.
    const ids = h.standIn.catalog.movieIds().slice(20, 26);
    for (const tmdbId of ids) {
      const runs = await Promise.allSettled(
        Array.from({ length: 4 }, () => h.run('catalog.movie-sync', { tmdbId, fresh: true })),
      );
      const rejected = runs.filter((r) => r.status === 'rejected').map((r) => String(r.reason));
      expect(rejected).toEqual([]);
      expect(await h.db.movie.count({ where: { tmdbId } })).toBe(1);
      const movie = await h.db.movie.findUniqueOrThrow({
        where: { tmdbId },
        include: { genres: true, translations: true },
      });
      expect(movie.translations).toHaveLength(2);
      expect(movie.genres).toHaveLength(expected(tmdbId).record.genreIds.length);
    }
  });

  it('two queued syncs of one title (on demand and from the changes feed) both complete', async () => {
    const tmdbId = h.standIn.catalog.movieIds()[30]!;
    const worker = h.worker({ concurrency: 4 });
    try {
      await Promise.all([
        h.queues.enqueue('catalog.movie-sync', { tmdbId }),
        h.queues.enqueue('catalog.movie-sync', { tmdbId, fresh: true, day: '2026-06-14' }),
        h.queues.enqueue('catalog.movie-sync', { tmdbId, fresh: true, day: '2026-06-15' }),
      ]);
      await h.drained();
      expect(worker.failed).toEqual([]);
      expect(worker.completed.map((c) => c.id).sort()).toEqual([
        `movie-sync.${tmdbId}`,
        `movie-sync.${tmdbId}.2026-06-14`,
        `movie-sync.${tmdbId}.2026-06-15`,
      ]);
      expect(await h.db.movieTranslation.count({ where: { movie: { tmdbId } } })).toBe(2);
    } finally {
      await worker.close();
    }
  });

  it('asking for the same movie twice is one job', async () => {
    const tmdbId = h.standIn.catalog.movieIds()[40]!;
    const a = await h.queues.enqueue('catalog.movie-sync', { tmdbId });
    const b = await h.queues.enqueue('catalog.movie-sync', { tmdbId });
    expect(a.id).toBe(`movie-sync.${tmdbId}`);
    expect(b.id).toBe(a.id);
    expect((await h.pending()).filter((j) => j.id === a.id)).toHaveLength(1);
    await h.clearQueue();
  });

  it('a title TMDB does not have fails for good with tmdb_not_found and stores nothing', async () => {
    const tmdbId = 999_999;
    const run = h.run('catalog.movie-sync', { tmdbId });
    await expect(run).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(run).rejects.toThrow(new RegExp(`^${TMDB_NOT_FOUND}: /movie/${tmdbId}`));
    expect(await h.db.movie.findUnique({ where: { tmdbId } })).toBeNull();
  });
});

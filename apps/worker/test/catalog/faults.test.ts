import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@cinenest/testkit';
import { TMDB_NOT_FOUND, TMDB_UNAVAILABLE } from '@cinenest/queue';
import { movieSnapshot, startHarness, type Harness } from './support.js';

/** Retries fast, so that BullMQ's own retries are seen within a test. */
const QUICK_RETRY = { backoff: { type: 'fixed', delay: 100 } };

describe('a 429 storm', () => {
  let h: Harness;

  beforeAll(async () => {
    // TMDB's real budget (40 requests/s) and the client's real retries: Retry-After is what it waits.
    h = await startHarness({
      env: { TMDB_RATE_LIMIT: '40' },
      tmdb: { retryBaseMs: 500, retryMaxDelayMs: 30_000 },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('ends with every movie-sync completed and none failed', async () => {
    const ids = h.standIn.catalog.movieIds().slice(0, 30);
    h.standIn.fault('rate-limit', { probability: 0.3, retryAfter: 1 });
    const worker = h.worker({ concurrency: 5 });
    try {
      await Promise.all(ids.map((tmdbId) => h.queues.enqueue('catalog.movie-sync', { tmdbId })));
      await h.drained(90_000);
    } finally {
      await worker.close();
      h.standIn.fault('none');
    }
    const limited = h.standIn.requestLog().filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(worker.failed).toEqual([]);
    expect(worker.completed.map((c) => c.data.tmdbId).sort()).toEqual([...ids].sort());
    expect(await h.db.movie.count({ where: { tmdbId: { in: ids }, syncedAt: { not: null } } })).toBe(
      ids.length,
    );
    expect(await h.db.movieTranslation.count({ where: { movie: { tmdbId: { in: ids } } } })).toBe(
      ids.length * 2,
    );
  }, 120_000);
});

describe('TMDB errors', () => {
  let h: Harness;

  beforeAll(async () => {
    // One retry in the client, so an outage reaches BullMQ quickly.
    h = await startHarness({ tmdb: { maxRetries: 1 } });
  });

  afterAll(async () => {
    h.standIn.fault('none');
    await h.close();
  });

  it('500, 502 and 503 are retried by the client and the sync completes', async () => {
    const tmdbId = h.standIn.catalog.movieIds()[1]!;
    const client = h.client({ maxRetries: 4 });
    h.standIn.fault('server-error', { count: 3, paths: new RegExp(`^/movie/${tmdbId}$`) });
    const requests = await h.requestsDuring(() => h.run('catalog.movie-sync', { tmdbId }, { tmdb: client }));
    expect(requests.map((r) => r.status)).toEqual([500, 502, 503, 200]);
    expect((await h.db.movie.findUniqueOrThrow({ where: { tmdbId } })).syncedAt).not.toBeNull();
  });

  it('bodies that are not JSON and reset connections are retried too', async () => {
    const client = h.client({ maxRetries: 4 });
    for (const kind of ['bad-json', 'reset'] as const) {
      const tmdbId = h.standIn.catalog.movieIds()[kind === 'reset' ? 2 : 3]!;
      h.standIn.fault(kind, { count: 2, paths: new RegExp(`^/movie/${tmdbId}$`) });
      await h.run('catalog.movie-sync', { tmdbId }, { tmdb: client });
      expect((await h.db.movie.findUniqueOrThrow({ where: { tmdbId } })).syncedAt).not.toBeNull();
    }
  });

  it('a real 404 fails the job for good, after one attempt, with tmdb_not_found', async () => {
    const worker = h.worker();
    try {
      const job = await h.queues.enqueue('catalog.movie-sync', { tmdbId: 999_999 }, QUICK_RETRY);
      await waitFor(async () => (await job.getState()) === 'failed');
      const failed = (await h.queues.get('catalog').getJob(job.id!))!;
      expect(failed.failedReason).toMatch(new RegExp(`^${TMDB_NOT_FOUND}: /movie/999999`));
      expect(failed.attemptsMade).toBe(1);
      expect(worker.failed).toHaveLength(1);
    } finally {
      await worker.close();
    }
    expect(await h.db.movie.findUnique({ where: { tmdbId: 999_999 } })).toBeNull();
  });

  it('an outage fails the attempt with tmdb_unavailable, is retried, and leaves the held title alone', async () => {
    const tmdbId = h.standIn.catalog.movieIds()[5]!;
    await h.run('catalog.movie-sync', { tmdbId });
    const held = await movieSnapshot(h.db, tmdbId);
    const syncedAt = (await h.db.movie.findUniqueOrThrow({ where: { tmdbId } })).syncedAt;

    // Each attempt makes two requests (one client retry): two attempts fail, the third gets through.
    h.standIn.fault('server-error', { count: 4, paths: new RegExp(`^/movie/${tmdbId}$`) });
    const worker = h.worker();
    try {
      const job = await h.queues.enqueue(
        'catalog.movie-sync',
        { tmdbId, fresh: true, day: '2026-06-15' },
        QUICK_RETRY,
      );
      await waitFor(() => worker.failed.length >= 1);
      // Failed for this attempt only: kept for a retry, the reason saying why.
      const retried = (await h.queues.get('catalog').getJob(job.id!))!;
      expect(retried.failedReason).toMatch(new RegExp(`^${TMDB_UNAVAILABLE}: `));
      expect(await movieSnapshot(h.db, tmdbId)).toEqual(held);

      await waitFor(async () => (await job.getState()) === 'completed');
      expect(worker.failed.map((f) => [f.attempt, f.reason.split(':')[0]])).toEqual([
        [1, TMDB_UNAVAILABLE],
        [2, TMDB_UNAVAILABLE],
      ]);
    } finally {
      await worker.close();
    }
    expect(await movieSnapshot(h.db, tmdbId)).toEqual(held);
    const after = await h.db.movie.findUniqueOrThrow({ where: { tmdbId } });
    expect(after.syncedAt!.getTime()).toBeGreaterThan(syncedAt!.getTime());
  });

  it('an outage that outlasts every attempt ends as tmdb_unavailable, never as tmdb_not_found', async () => {
    const tmdbId = h.standIn.catalog.movieIds()[6]!;
    // Seen in a list: the row stays, waiting for its details.
    await h.db.movie.create({ data: { tmdbId, title: 'From a list' } });
    h.standIn.fault('server-error', { paths: new RegExp(`^/movie/${tmdbId}$`) });
    const worker = h.worker();
    try {
      const job = await h.queues.enqueue('catalog.movie-sync', { tmdbId }, { ...QUICK_RETRY, attempts: 3 });
      await waitFor(async () => (await job.getState()) === 'failed');
      const failed = (await h.queues.get('catalog').getJob(job.id!))!;
      expect(failed.attemptsMade).toBe(3);
      expect(failed.failedReason).toMatch(new RegExp(`^${TMDB_UNAVAILABLE}: `));
      expect(worker.failed.every((f) => f.reason.startsWith(TMDB_UNAVAILABLE))).toBe(true);
    } finally {
      await worker.close();
      h.standIn.fault('none');
    }
    const row = await h.db.movie.findUniqueOrThrow({ where: { tmdbId } });
    expect(row).toMatchObject({ title: 'From a list', syncedAt: null });
  });

  it('an outage during a show-sync and a season-sync leaves the show and its episodes as they were', async () => {
    const tmdbId = h.standIn.catalog.showIds()[0]!;
    await h.run('catalog.show-sync', { tmdbId });
    await h.run('catalog.season-sync', { showTmdbId: tmdbId, seasonNumber: 1 });
    const before = await h.db.tVShow.findUniqueOrThrow({
      where: { tmdbId },
      include: { seasons: { include: { episodes: true } } },
    });
    h.standIn.fault('server-error', { paths: new RegExp(`^/tv/${tmdbId}`) });
    try {
      await expect(h.run('catalog.show-sync', { tmdbId, fresh: true })).rejects.toThrow(
        new RegExp(`^${TMDB_UNAVAILABLE}: `),
      );
      await h.forgetTmdbCache();
      await expect(h.run('catalog.season-sync', { showTmdbId: tmdbId, seasonNumber: 1 })).rejects.toThrow(
        new RegExp(`^${TMDB_UNAVAILABLE}: `),
      );
    } finally {
      h.standIn.fault('none');
    }
    const after = await h.db.tVShow.findUniqueOrThrow({
      where: { tmdbId },
      include: { seasons: { include: { episodes: true } } },
    });
    expect(after).toEqual(before);
  });
});

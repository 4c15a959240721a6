import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { waitFor, type YtsStandInMovie } from '@cinenest/testkit';
import { YtsUnavailableError } from '@cinenest/yts';
import type { Job } from 'bullmq';
import { sameKeyring, startSourcesHarness, type SourcesHarness } from './support.js';

// Each test gets a world of its own: the mirrors' circuit breakers live in Redis under the prefix.
let h: SourcesHarness;

beforeEach(async () => {
  h = await startSourcesHarness();
});

afterEach(async () => {
  await h?.close();
});

const withTorrents = (m: YtsStandInMovie | undefined) => (m?.torrents.length ?? 0) >= 2;

/** A synced movie YTS lists torrents for. */
async function movieWithTorrents() {
  const tmdbId = h.moviesWhere(withTorrents)[0]!;
  const movie = await h.sync(tmdbId);
  return { tmdbId, movie, torrents: h.ytsMovieOf(tmdbId)!.torrents };
}

const allMirrors = (mode: 'down' | 'ok') => {
  for (const m of h.yts.mirrors) m.mode(mode);
};

async function jobState(id: string): Promise<{ state: string; job: Job }> {
  const job = (await h.sources.getJob(id))!;
  return { state: await job.getState(), job };
}

describe('every YTS mirror down', () => {
  it('a direct run asks to be put back and neither marks the movie nor stores anything', async () => {
    const { tmdbId, movie } = await movieWithTorrents();
    allMirrors('down');
    const asked: Array<{ ms: number; reason: string }> = [];
    const run = h.run(
      'sources.search',
      { tmdbId },
      {
        delay: async (ms, reason) => {
          asked.push({ ms, reason });
          throw new Error('put back');
        },
      },
    );
    await expect(run).rejects.toThrow('put back');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.reason).toMatch(/YTS/);
    expect(asked[0]!.ms).toBeGreaterThan(0);
    const after = await h.db.movie.findUniqueOrThrow({ where: { id: movie.id } });
    expect(after).toMatchObject({ sourceSearchedAt: null, nextSourceSearchAt: null });
    expect(await h.db.movieSource.count({ where: { movieId: movie.id } })).toBe(0);
    // An outage is not an answer: the client throws rather than returning no movies.
    await expect(
      h.ytsClient().moviesByImdb(h.tmdbStandIn.catalog.movie(tmdbId)!.imdbId),
    ).rejects.toBeInstanceOf(YtsUnavailableError);
  });

  it('through a worker: the job is delayed, never failed, attempts unused; back up, it completes', async () => {
    const { tmdbId, movie, torrents } = await movieWithTorrents();
    // Every failure opens a circuit for a moment: when all are open, YTS says when to come back
    // (YtsUnavailableError.retryAfterMs), and the job waits that long instead of 1–3 minutes.
    const openMs = 500;
    const yts = h.ytsClient({ rounds: 1, breaker: { failureThreshold: 1, openMs } });
    allMirrors('down');
    const worker = h.worker({ concurrency: 1, yts });
    const id = `source-search.${tmdbId}`;
    try {
      const job = await h.queues.enqueue('sources.search', { tmdbId });
      expect(job.id).toBe(id);
      const attempts = job.opts.attempts!;
      expect(attempts).toBeGreaterThan(1);
      // Tried more times than it has attempts, and every time put back.
      await waitFor(
        async () => {
          const { state, job: j } = await jobState(id);
          return state === 'delayed' && (j.attemptsStarted ?? 0) > attempts;
        },
        { timeoutMs: 20_000, intervalMs: 25 },
      );
      const { job: delayed } = await jobState(id);
      expect(delayed.attemptsMade).toBe(0);
      expect(delayed.failedReason ?? '').toBe('');
      expect(delayed.delay).toBeGreaterThan(0);
      expect(delayed.delay).toBeLessThanOrEqual(openMs);
      expect(worker.failed).toEqual([]);
      expect(await h.sources.getJobCounts('failed', 'completed')).toEqual({ failed: 0, completed: 0 });
      const during = await h.db.movie.findUniqueOrThrow({ where: { id: movie.id } });
      expect(during.sourceSearchedAt).toBeNull();
      expect(await h.db.movieSource.count({ where: { movieId: movie.id } })).toBe(0);

      allMirrors('ok');
      await waitFor(async () => (await jobState(id)).state === 'completed', { timeoutMs: 20_000 });
      const { job: done } = await jobState(id);
      expect(done.attemptsMade).toBe(1);
      expect(done.returnvalue).toMatchObject({ tmdbId, added: torrents.length });
      expect(worker.failed).toEqual([]);
      const rows = await h.db.movieSource.findMany({ where: { movieId: movie.id } });
      const keys = sameKeyring(h.config);
      expect(rows.map((r) => keys.decryptText(r.infoHashEnc)).sort()).toEqual(
        torrents.map((t) => t.hash.toLowerCase()).sort(),
      );
      const after = await h.db.movie.findUniqueOrThrow({ where: { id: movie.id } });
      expect(after.sourceSearchedAt).not.toBeNull();
    } finally {
      allMirrors('ok');
      await worker.close();
    }
  });

  it('with circuits still closed (no hint from YTS) the job waits 1–3 minutes, then completes once promoted', async () => {
    const { tmdbId, movie, torrents } = await movieWithTorrents();
    allMirrors('down');
    const worker = h.worker({ concurrency: 1 });
    const id = `source-search.${tmdbId}`;
    try {
      await h.queues.enqueue('sources.search', { tmdbId });
      await waitFor(async () => (await jobState(id)).state === 'delayed', {
        timeoutMs: 20_000,
        intervalMs: 25,
      });
      const { job } = await jobState(id);
      expect(job.attemptsMade).toBe(0);
      expect(job.delay).toBeGreaterThanOrEqual(60_000);
      expect(job.delay).toBeLessThanOrEqual(180_000);
      expect(worker.failed).toEqual([]);
      expect((await h.db.movie.findUniqueOrThrow({ where: { id: movie.id } })).sourceSearchedAt).toBeNull();

      allMirrors('ok');
      await job.promote();
      await waitFor(async () => (await jobState(id)).state === 'completed', { timeoutMs: 20_000 });
      expect(await h.db.movieSource.count({ where: { movieId: movie.id } })).toBe(torrents.length);
      expect(worker.failed).toEqual([]);
    } finally {
      allMirrors('ok');
      await worker.close();
    }
  });
});

describe('some YTS mirrors failing', () => {
  it('the search fails over and stores the rows; the torrent URL is the answering mirror’s', async () => {
    const { tmdbId, movie, torrents } = await movieWithTorrents();
    const [first, second, third] = h.yts.mirrors;
    first!.mode('html');
    second!.mode('down');
    const result = await h.run('sources.search', { tmdbId });
    expect(result).toMatchObject({ added: torrents.length });
    expect(third!.requests()).toBeGreaterThan(0);
    const rows = await h.db.movieSource.findMany({ where: { movieId: movie.id } });
    const keys = sameKeyring(h.config);
    for (const row of rows)
      expect(keys.decryptText(row.torrentUrlEnc!).startsWith(`${third!.origin}/torrent/download/`)).toBe(
        true,
      );
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CHANGES_WINDOW_DAYS, TMDB_UNAVAILABLE } from '@cinenest/queue';
import type { StandInRequest } from '@cinenest/testkit';
import { askTmdb, paramsOf, startHarness, TODAY, type Harness } from './support.js';

type Kind = 'movie' | 'tv';

let h: Harness;
let heldMovies: number[];
let heldShows: number[];
let stubMovies: number[];

const HOUR = 3600_000;

function addDays(day: string, n: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/** Every day from first to last, both included. */
function daysFrom(first: string, last: string): string[] {
  const days: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
  return days;
}

/** The ids TMDB's changes feed lists for one day. */
async function changedOn(kind: Kind, day: string): Promise<number[]> {
  const ids: number[] = [];
  for (let page = 1; ; page++) {
    const body = await askTmdb<{ results: Array<{ id: number }>; total_pages: number }>(
      h.standIn,
      `/${kind}/changes?start_date=${day}&end_date=${day}&page=${page}`,
    );
    ids.push(...body.results.map((r) => r.id));
    if (page >= body.total_pages) return ids;
  }
}

/** The refresh jobs the walk of these days must enqueue: one per held title changed on a day. */
async function expectedRefreshes(kind: Kind, days: string[]): Promise<string[]> {
  const held = new Set(kind === 'movie' ? heldMovies : heldShows);
  const name = kind === 'movie' ? 'movie-sync' : 'show-sync';
  const ids: string[] = [];
  for (const day of days) {
    for (const id of await changedOn(kind, day)) if (held.has(id)) ids.push(`${name}.${id}.${day}`);
  }
  return ids.sort();
}

async function pendingRefreshes(kind: Kind): Promise<string[]> {
  const name = kind === 'movie' ? 'catalog.movie-sync' : 'catalog.show-sync';
  return (await h.pending())
    .filter((j) => j.name === name)
    .map((j) => j.id!)
    .sort();
}

async function setState(kind: Kind, cursor: string | null, lastRunAt: Date | null) {
  const key = `tmdb.changes.${kind}`;
  const data = { cursor: cursor ? new Date(`${cursor}T00:00:00Z`) : null, lastRunAt };
  await h.db.syncState.upsert({ where: { key }, create: { key, ...data }, update: data });
}

const state = (kind: Kind) => h.db.syncState.findUnique({ where: { key: `tmdb.changes.${kind}` } });
const cursorOf = async (kind: Kind) => (await state(kind))?.cursor?.toISOString().slice(0, 10);

/** The days a run asked the changes feed about, per kind, in order. */
function walkedDays(requests: StandInRequest[], kind: Kind): string[] {
  return requests
    .filter((r) => r.path === `/${kind}/changes`)
    .map((r) => {
      const p = paramsOf(r);
      // Day by day: every request covers one day.
      expect(p.get('end_date')).toBe(p.get('start_date'));
      return p.get('start_date')!;
    });
}

beforeAll(async () => {
  h = await startHarness({ standIn: { movies: 80, shows: 20 } });
  const movies = h.standIn.catalog.movieIds();
  const shows = h.standIn.catalog.showIds();
  heldMovies = movies.slice(0, 50);
  stubMovies = movies.slice(50, 60);
  heldShows = shows.slice(0, 12);
  for (const tmdbId of heldMovies) await h.run('catalog.movie-sync', { tmdbId });
  for (const tmdbId of heldShows) await h.run('catalog.show-sync', { tmdbId });
  await h.db.movie.createMany({ data: stubMovies.map((tmdbId) => ({ tmdbId, title: `stub ${tmdbId}` })) });
  // Today's feed names a held movie, a movie seen only in a list, and one we do not hold at all.
  h.standIn.touch('movie', heldMovies[7]!, TODAY);
  h.standIn.touch('movie', stubMovies[0]!, TODAY);
  h.standIn.touch('movie', movies[75]!, TODAY);
}, 60_000);

afterAll(async () => {
  await h.close();
});

beforeEach(async () => {
  await h.clearQueue();
});

describe('catalog.changes-sync', () => {
  it('first run: walks yesterday and today, refreshing only the titles we hold', async () => {
    let result: unknown;
    const requests = await h.requestsDuring(async () => {
      result = await h.run('catalog.changes-sync', { today: TODAY });
    });
    const days = [addDays(TODAY, -1), TODAY];
    expect(result).toEqual({
      movie: { days, refreshed: (await expectedRefreshes('movie', days)).length },
      tv: { days, refreshed: (await expectedRefreshes('tv', days)).length },
    });
    expect(walkedDays(requests, 'movie')).toEqual(days);
    expect(walkedDays(requests, 'tv')).toEqual(days);

    const movieJobs = await pendingRefreshes('movie');
    expect(movieJobs).toEqual(await expectedRefreshes('movie', days));
    expect(await pendingRefreshes('tv')).toEqual(await expectedRefreshes('tv', days));
    expect(movieJobs.length).toBeGreaterThan(0);
    expect(movieJobs).toContain(`movie-sync.${heldMovies[7]}.${TODAY}`);
    expect(movieJobs.some((id) => id.startsWith(`movie-sync.${stubMovies[0]}.`))).toBe(false);
    const job = (await h.pending()).find((j) => j.id === `movie-sync.${heldMovies[7]}.${TODAY}`)!;
    expect(job.data).toEqual({ tmdbId: heldMovies[7], fresh: true, day: TODAY });

    for (const kind of ['movie', 'tv'] as const) {
      const s = await state(kind);
      expect(s?.cursor?.toISOString().slice(0, 10)).toBe(TODAY);
      expect(s?.lastRunAt).toBeInstanceOf(Date);
    }
  });

  it('is skipped while the last run is more recent than CHANGES_MIN_GAP, and runs after it', async () => {
    await setState('movie', TODAY, new Date(Date.now() - 10 * 60_000));
    await setState('tv', TODAY, new Date(Date.now() - 10 * 60_000));
    const skipped = await h.requestsDuring(async () => {
      const result = (await h.run('catalog.changes-sync', { today: TODAY })) as Record<string, unknown>;
      expect(result.movie).toMatchObject({ skipped: true });
      expect(result.tv).toMatchObject({ skipped: true });
    });
    expect(walkedDays(skipped, 'movie')).toEqual([]);
    expect(await h.pending()).toEqual([]);

    // The gap is configuration: ten minutes are enough when it is five.
    const ran = await h.requestsDuring(() =>
      h.run('catalog.changes-sync', { today: TODAY }, { config: { ...h.config, CHANGES_MIN_GAP: 300 } }),
    );
    // The cursor's own day is walked again: titles can change after the last run looked at it.
    expect(walkedDays(ran, 'movie')).toEqual([TODAY]);
    expect(walkedDays(ran, 'tv')).toEqual([TODAY]);
  });

  it('one kind is skipped while the other runs', async () => {
    await setState('movie', TODAY, new Date());
    await setState('tv', addDays(TODAY, -2), new Date(Date.now() - 2 * HOUR));
    const requests = await h.requestsDuring(() => h.run('catalog.changes-sync', { today: TODAY }));
    expect(walkedDays(requests, 'movie')).toEqual([]);
    expect(walkedDays(requests, 'tv')).toEqual(daysFrom(addDays(TODAY, -2), TODAY));
  });

  it('walks from the cursor to today, one day at a time', async () => {
    const from = addDays(TODAY, -3);
    await setState('movie', from, new Date(Date.now() - 2 * HOUR));
    await setState('tv', from, new Date(Date.now() - 2 * HOUR));
    const requests = await h.requestsDuring(() => h.run('catalog.changes-sync', { today: TODAY }));
    const days = daysFrom(from, TODAY);
    expect(days).toHaveLength(4);
    expect(walkedDays(requests, 'movie')).toEqual(days);
    expect(walkedDays(requests, 'tv')).toEqual(days);
    expect(await pendingRefreshes('movie')).toEqual(await expectedRefreshes('movie', days));
    expect(await pendingRefreshes('tv')).toEqual(await expectedRefreshes('tv', days));
  });

  it('a cursor 30 days old walks only the last 14 days and today', async () => {
    await setState('movie', addDays(TODAY, -30), new Date(Date.now() - 2 * HOUR));
    await setState('tv', addDays(TODAY, -30), new Date(Date.now() - 2 * HOUR));
    let result: unknown;
    const requests = await h.requestsDuring(async () => {
      result = await h.run('catalog.changes-sync', { today: TODAY });
    });
    const days = daysFrom(addDays(TODAY, -CHANGES_WINDOW_DAYS), TODAY);
    expect(CHANGES_WINDOW_DAYS).toBe(14);
    expect(days).toHaveLength(15);
    expect(days[0]).toBe('2026-06-01');
    expect(walkedDays(requests, 'movie')).toEqual(days);
    expect(walkedDays(requests, 'tv')).toEqual(days);
    expect(result).toMatchObject({ movie: { days }, tv: { days } });
    expect(await pendingRefreshes('movie')).toEqual(await expectedRefreshes('movie', days));
    expect(await cursorOf('movie')).toBe(TODAY);
    expect(await cursorOf('tv')).toBe(TODAY);
  });

  it('the refreshes it enqueues fetch the title again, past the TMDB cache', async () => {
    const tmdbId = heldMovies[7]!;
    const title = (await h.db.movie.findUniqueOrThrow({ where: { tmdbId } })).title;
    await h.db.movie.update({ where: { tmdbId }, data: { title: 'stale title' } });
    await setState('movie', TODAY, new Date(Date.now() - 2 * HOUR));
    await setState('tv', TODAY, new Date());
    const worker = h.worker({ concurrency: 4 });
    try {
      const requests = await h.requestsDuring(async () => {
        await h.run('catalog.changes-sync', { today: TODAY });
        await h.drained();
      });
      expect(worker.failed).toEqual([]);
      // Synced before (so cached), asked again all the same.
      expect(requests.filter((r) => r.path === `/movie/${tmdbId}`)).toHaveLength(1);
    } finally {
      await worker.close();
    }
    expect((await h.db.movie.findUniqueOrThrow({ where: { tmdbId } })).title).toBe(title);
  });

  it('a title changed again on the cursor’s day is refreshed again by the next run', async () => {
    const tmdbId = heldMovies[7]!;
    const title = (await h.db.movie.findUniqueOrThrow({ where: { tmdbId } })).title;
    const worker = h.worker({ concurrency: 4 });
    try {
      // The first run of the day refreshes it …
      await setState('movie', TODAY, new Date(Date.now() - 2 * HOUR));
      await setState('tv', TODAY, new Date());
      await h.run('catalog.changes-sync', { today: TODAY });
      await h.drained();
      // … then it changes again later that day; the next run walks today again.
      await h.db.movie.update({ where: { tmdbId }, data: { title: 'changed after the first run' } });
      await setState('movie', TODAY, new Date(Date.now() - 2 * HOUR));
      await h.run('catalog.changes-sync', { today: TODAY });
      await h.drained();
      expect(worker.failed).toEqual([]);
    } finally {
      await worker.close();
    }
    expect((await h.db.movie.findUniqueOrThrow({ where: { tmdbId } })).title).toBe(title);
  });

  it('an outage stops the walk where it failed: the cursor keeps the last day done, nothing is lost', async () => {
    const from = addDays(TODAY, -6);
    await setState('movie', from, new Date(Date.now() - 2 * HOUR));
    await setState('tv', from, new Date(Date.now() - 2 * HOUR));
    const lastRun = (await state('movie'))!.lastRunAt!;
    // No retries in the client: a faulted request fails its day at once. The stand-in draws its faults
    // from its seed; at 10 % on /movie/changes the first one falls on the walk's seventh day.
    const flaky = h.client({ maxRetries: 0 });
    h.standIn.fault('server-error', { probability: 0.1, paths: /^\/movie\/changes$/ });
    let requests;
    try {
      requests = await h.requestsDuring(async () => {
        await expect(h.run('catalog.changes-sync', { today: TODAY }, { tmdb: flaky })).rejects.toThrow(
          new RegExp(`^${TMDB_UNAVAILABLE}: `),
        );
      });
    } finally {
      h.standIn.fault('none');
    }
    const movieRequests = requests.filter((r) => r.path === '/movie/changes');
    const failedAt = movieRequests.findIndex((r) => r.status >= 500);
    // Some days were done before the failure (else this test would not test a walk stopped midway).
    expect(failedAt).toBeGreaterThan(0);
    const failedDay = paramsOf(movieRequests[failedAt]!).get('start_date')!;
    // Days before the failure were walked and their refreshes enqueued; the failed day was not passed.
    const done = daysFrom(from, addDays(failedDay, -1));
    expect(walkedDays(movieRequests.slice(0, failedAt), 'movie')).toEqual(done);
    expect(await cursorOf('movie')).toBe(done.length ? done[done.length - 1] : from);
    expect((await state('movie'))!.lastRunAt).toEqual(lastRun);
    expect(await pendingRefreshes('movie')).toEqual(await expectedRefreshes('movie', done));
    // The walk stopped there: tv was not reached, and no held title was touched.
    expect(await cursorOf('tv')).toBe(from);
    expect(await h.db.movie.count({ where: { tmdbId: { in: heldMovies }, syncedAt: null } })).toBe(0);

    // The retry (TMDB back) goes on from the cursor, walking its day again.
    const retry = await h.requestsDuring(() => h.run('catalog.changes-sync', { today: TODAY }));
    const resumeFrom = done.length ? done[done.length - 1]! : from;
    expect(walkedDays(retry, 'movie')).toEqual(daysFrom(resumeFrom, TODAY));
    expect(walkedDays(retry, 'tv')).toEqual(daysFrom(from, TODAY));
    expect(await cursorOf('movie')).toBe(TODAY);
  });
});

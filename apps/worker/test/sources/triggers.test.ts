import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PRIORITY } from '@cinenest/queue';
import { waitFor } from '@cinenest/testkit';
import { DAY, MINUTE, startSourcesHarness, type SourcesHarness } from './support.js';

let h: SourcesHarness;

beforeAll(async () => {
  h = await startSourcesHarness();
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await h.clearSources();
});

const ids = () => h.tmdbStandIn.catalog.movieIds();
const pendingIds = async () =>
  (await h.sources.getJobs(['waiting', 'prioritized', 'delayed'])).map((j) => j.id!).sort();

describe('catalog.movie-sync', () => {
  it('a movie’s first full sync enqueues its source search on the sources queue', async () => {
    const tmdbId = ids()[0]!;
    await h.sync(tmdbId);
    const job = await h.sources.getJob(`source-search.${tmdbId}`);
    expect(job).toBeDefined();
    expect(job!.name).toBe('sources.search');
    expect(job!.data).toEqual({ tmdbId });
    expect(await job!.getState()).toMatch(/^(waiting|prioritized)$/);
  });

  it('a first sync of a title seen only in a list enqueues it too; a later sync does not', async () => {
    const tmdbId = ids()[1]!;
    await h.db.movie.create({ data: { tmdbId, title: 'Seen in a list' } });
    await h.sync(tmdbId);
    expect(await pendingIds()).toEqual([`source-search.${tmdbId}`]);
    await h.clearSources();
    await h.run('catalog.movie-sync', { tmdbId, fresh: true });
    expect(await pendingIds()).toEqual([]);
  });
});

describe('sources.search-sweep', () => {
  it('enqueues the movies due (never searched, or next search passed) and no others', async () => {
    const [never, due, later, stub, noImdb, searchedNow] = ids().slice(10, 16) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (const id of [never, due, later, noImdb, searchedNow]) await h.sync(id);
    await h.clearSources();
    await h.db.movie.create({ data: { tmdbId: stub, title: 'Only in a list', imdbId: 'tt0999999' } });
    const now = Date.now();
    const set = (tmdbId: number, searched: number, next: number) =>
      h.db.movie.update({
        where: { tmdbId },
        data: { sourceSearchedAt: new Date(searched), nextSourceSearchAt: new Date(next) },
      });
    await set(due, now - 2 * DAY, now - MINUTE);
    await set(later, now - DAY, now + 30 * MINUTE);
    await set(searchedNow, now, now + 7 * DAY);
    await h.db.movie.update({ where: { tmdbId: noImdb }, data: { imdbId: null } });
    // Everything else the file synced before is out of the way.
    await h.db.movie.updateMany({
      where: { tmdbId: { notIn: [never, due, later, stub, noImdb, searchedNow] } },
      data: { sourceSearchedAt: new Date(now), nextSourceSearchAt: new Date(now + DAY) },
    });

    const result = await h.run('sources.search-sweep', {});
    expect(result).toEqual({ enqueued: 2 });
    expect(await pendingIds()).toEqual([`source-search.${never}`, `source-search.${due}`].sort());
    for (const job of await h.sources.getJobs(['waiting', 'prioritized'])) {
      expect(job.name).toBe('sources.search');
      expect(job.opts.priority).toBe(PRIORITY.background);
    }

    // Swept again: the same jobs, not twice.
    await h.run('sources.search-sweep', {});
    expect(await pendingIds()).toEqual([`source-search.${never}`, `source-search.${due}`].sort());
  });

  it('a search that completed earlier is asked again once due', async () => {
    const tmdbId = ids()[20]!;
    await h.sync(tmdbId);
    await h.clearSources();
    const worker = h.worker();
    try {
      await h.queues.enqueue('sources.search', { tmdbId });
      await waitFor(() => worker.completed.length === 1);
    } finally {
      await worker.close();
    }
    const id = `source-search.${tmdbId}`;
    expect(await (await h.sources.getJob(id))!.getState()).toBe('completed');
    await h.db.movie.updateMany({
      data: { sourceSearchedAt: new Date(), nextSourceSearchAt: new Date(Date.now() + DAY) },
    });
    await h.db.movie.update({
      where: { tmdbId },
      data: { nextSourceSearchAt: new Date(Date.now() - MINUTE) },
    });

    expect(await h.run('sources.search-sweep', {})).toEqual({ enqueued: 1 });
    const again = (await h.sources.getJob(id))!;
    expect(await again.getState()).toMatch(/^(waiting|prioritized)$/);
    expect(again.data).toEqual({ tmdbId });
  });
});

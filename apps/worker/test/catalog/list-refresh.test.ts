import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LISTS, TMDB_UNAVAILABLE, type ListSpec } from '@cinenest/queue';
import { listIds, startHarness, type Harness } from './support.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

const pathOf = (spec: ListSpec) =>
  spec.list === 'trending' ? `/trending/${spec.kind}/week` : `/${spec.kind}/${spec.list}`;

/** What TMDB's lists hold on their first pages, first place kept for a title seen twice. */
async function expectedLists(pages = 1): Promise<Map<string, number[]>> {
  const lists = new Map<string, number[]>();
  for (const spec of LISTS) {
    const ids: number[] = [];
    for (let page = 1; page <= pages; page++) {
      for (const id of await listIds(h.standIn, pathOf(spec), page)) if (!ids.includes(id)) ids.push(id);
    }
    lists.set(spec.slug, ids);
  }
  return lists;
}

/** Each stored list as TMDB ids in position order. */
async function storedLists(): Promise<Map<string, number[]>> {
  const lists = await h.db.mediaList.findMany({
    include: {
      items: {
        orderBy: { position: 'asc' },
        include: { movie: { select: { tmdbId: true } }, show: { select: { tmdbId: true } } },
      },
    },
  });
  return new Map(lists.map((l) => [l.slug, l.items.map((i) => (i.movie ?? i.show)!.tmdbId)]));
}

describe('catalog.list-refresh', () => {
  it('stores every list in TMDB order and enqueues a sync for each title not synced yet', async () => {
    // One movie of the popular list is held already: it is not synced again.
    const popular = await listIds(h.standIn, '/movie/popular');
    await h.run('catalog.movie-sync', { tmdbId: popular[2]! });

    const result = (await h.run('catalog.list-refresh', {})) as Record<
      string,
      { items: number; enqueued: number }
    >;
    const expected = await expectedLists();
    expect(await storedLists()).toEqual(expected);
    for (const spec of LISTS) {
      expect(result[spec.slug]!.items).toBe(expected.get(spec.slug)!.length);
      const list = await h.db.mediaList.findUniqueOrThrow({ where: { slug: spec.slug } });
      expect(list).toMatchObject({ name: spec.name, kind: spec.kind === 'movie' ? 'MOVIE' : 'SHOW' });
    }
    expect(result['movies-popular']!.enqueued).toBe(expected.get('movies-popular')!.length - 1);

    const movieIds = new Set(LISTS.filter((l) => l.kind === 'movie').flatMap((l) => expected.get(l.slug)!));
    const showIds = new Set(LISTS.filter((l) => l.kind === 'tv').flatMap((l) => expected.get(l.slug)!));
    movieIds.delete(popular[2]!);
    const pending = await h.pending();
    // A title on two lists is one job.
    expect(
      pending
        .filter((j) => j.name === 'catalog.movie-sync')
        .map((j) => j.data.tmdbId)
        .sort(),
    ).toEqual([...movieIds].sort());
    expect(
      pending
        .filter((j) => j.name === 'catalog.show-sync')
        .map((j) => j.data.tmdbId)
        .sort(),
    ).toEqual([...showIds].sort());
    // Listed at once, as stubs, before their details arrive.
    const stub = await h.db.movie.findUniqueOrThrow({ where: { tmdbId: popular[0]! } });
    expect(stub.title).toEqual(expect.any(String));
    expect(stub.syncedAt).toBeNull();
  });

  it('the worker then syncs every listed title, and nothing fails', async () => {
    const worker = h.worker({ concurrency: 5 });
    try {
      await h.drained();
      expect(worker.failed).toEqual([]);
      expect(worker.errors).toEqual([]);
    } finally {
      await worker.close();
    }
    const expected = await expectedLists();
    const movieIds = LISTS.filter((l) => l.kind === 'movie').flatMap((l) => expected.get(l.slug)!);
    const showIds = LISTS.filter((l) => l.kind === 'tv').flatMap((l) => expected.get(l.slug)!);
    expect(await h.db.movie.count({ where: { tmdbId: { in: movieIds }, syncedAt: null } })).toBe(0);
    expect(await h.db.tVShow.count({ where: { tmdbId: { in: showIds }, syncedAt: null } })).toBe(0);
    expect(await h.db.movie.count({ where: { tmdbId: { in: movieIds } } })).toBe(new Set(movieIds).size);
    // A synced movie has its translations.
    expect(await h.db.movieTranslation.count({ where: { movie: { tmdbId: movieIds[0]! } } })).toBe(2);
  });

  it('a second refresh leaves the same lists and enqueues nothing', async () => {
    const before = await storedLists();
    const refreshed = await h.db.mediaList.findUniqueOrThrow({ where: { slug: 'movies-popular' } });
    const result = (await h.run('catalog.list-refresh', {})) as Record<string, { enqueued: number }>;
    expect(Object.values(result).map((r) => r.enqueued)).toEqual(LISTS.map(() => 0));
    expect(await storedLists()).toEqual(before);
    expect(await h.pending()).toEqual([]);
    const after = await h.db.mediaList.findUniqueOrThrow({ where: { slug: 'movies-popular' } });
    expect(after.refreshedAt!.getTime()).toBeGreaterThanOrEqual(refreshed.refreshedAt!.getTime());
  });

  it('refreshes only the lists asked for, as many pages as LIST_PAGES says', async () => {
    await h.forgetTmdbCache();
    const requests = await h.requestsDuring(() =>
      h.run(
        'catalog.list-refresh',
        { slugs: ['movies-popular'] },
        { config: { ...h.config, LIST_PAGES: 2 } },
      ),
    );
    expect(requests.map((r) => `${r.path}${r.query}`)).toEqual([
      '/movie/popular?page=1',
      '/movie/popular?page=2',
    ]);
    const popular = (await expectedLists(2)).get('movies-popular')!;
    expect(popular).toHaveLength(40);
    expect((await storedLists()).get('movies-popular')).toEqual(popular);
    // The other lists kept their one page.
    expect((await storedLists()).get('movies-top-rated')).toEqual(
      (await expectedLists(1)).get('movies-top-rated'),
    );
    await h.clearQueue();
  });

  it('a TMDB outage fails the attempt as tmdb_unavailable and leaves the stored list as it was', async () => {
    const before = await storedLists();
    await h.forgetTmdbCache();
    h.standIn.fault('server-error', { paths: /^\/movie\/top_rated$/ });
    try {
      await expect(h.run('catalog.list-refresh', { slugs: ['movies-top-rated'] })).rejects.toThrow(
        new RegExp(`^${TMDB_UNAVAILABLE}: `),
      );
    } finally {
      h.standIn.fault('none');
    }
    expect(await storedLists()).toEqual(before);
    expect(before.get('movies-top-rated')!.length).toBeGreaterThan(0);
  });
});

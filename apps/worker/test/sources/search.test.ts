import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cipher, DecryptError, parseKeyring } from '@cinenest/secrets';
import { waitFor, type YtsStandInMovie } from '@cinenest/testkit';
import { UnrecoverableError } from 'bullmq';
import {
  DAY,
  dumpDatabase,
  dumpRedis,
  expectedSource,
  MINUTE,
  sameKeyring,
  startSourcesHarness,
  type SourcesHarness,
} from './support.js';

let h: SourcesHarness;
/** Movies given out so far: each test takes its own, so no test sees another's rows. */
const taken = new Set<number>();

beforeAll(async () => {
  h = await startSourcesHarness();
});

afterAll(async () => {
  await h?.close();
});

/** A stand-in movie not used by another test whose YTS entry satisfies the test. */
function take(test: (m: YtsStandInMovie | undefined) => boolean, what: string): number {
  const id = h.moviesWhere(test).find((m) => !taken.has(m));
  if (id === undefined) throw new Error(`the stand-ins have no (more) movie with ${what}`);
  taken.add(id);
  return id;
}

const withTorrents = (min: number) => (m: YtsStandInMovie | undefined) => (m?.torrents.length ?? 0) >= min;
const withHevc = (m: YtsStandInMovie | undefined) =>
  withTorrents(3)(m) && !!m?.torrents.some((t) => t.quality === '1080p.x265');

const rowsOf = (movieId: number) => h.db.movieSource.findMany({ where: { movieId }, orderBy: { id: 'asc' } });

/** Syncs the movie, then runs its source search directly. */
async function searched(tmdbId: number) {
  const movie = await h.sync(tmdbId);
  const result = (await h.run('sources.search', { tmdbId })) as Record<string, unknown>;
  return { movie, result, yts: h.ytsMovieOf(tmdbId)! };
}

describe('sources.search stores what YTS lists', () => {
  it('one row per torrent, quality and codec apart (1080p.x265 → 1080p x265), next search in days', async () => {
    const tmdbId = take(withHevc, 'a 1080p.x265 torrent and two others');
    const { movie, result, yts } = await searched(tmdbId);
    const n = yts.torrents.length;
    expect(result).toEqual({ tmdbId, found: n, added: n, total: n });

    const rows = await rowsOf(movie.id);
    expect(rows).toHaveLength(n);
    const byQuality = (a: { quality: string; codec: string }, b: { quality: string; codec: string }) =>
      `${a.quality}.${a.codec}`.localeCompare(`${b.quality}.${b.codec}`);
    const stored = rows
      .map((r) => ({
        quality: r.quality,
        codec: r.codec,
        type: r.type,
        sizeBytes: r.sizeBytes,
        seeds: r.seeds,
        peers: r.peers,
      }))
      .sort(byQuality);
    const listed = yts.torrents
      .map((t) => {
        const { hash: _hash, ...rest } = expectedSource(t);
        return rest;
      })
      .sort(byQuality);
    expect(stored).toEqual(listed);
    expect(rows.filter((r) => r.quality === '1080p' && r.codec === 'x265')).toHaveLength(1);
    expect(rows.filter((r) => r.quality === '1080p' && r.codec === 'x264')).toHaveLength(
      yts.torrents.filter((t) => t.quality === '1080p').length,
    );
    for (const row of rows) {
      expect(row).toMatchObject({ provider: 'yts', metadataStatus: 'PENDING', torrentFileEnc: null });
      expect(row.quality).not.toContain('.');
    }
    expect(rows.map((r) => r.uploadedAt?.getTime()).sort()).toEqual(
      yts.torrents.map((t) => t.date_uploaded_unix * 1000).sort(),
    );

    const after = await h.db.movie.findUniqueOrThrow({ where: { id: movie.id } });
    expect(after.sourceSearchedAt).not.toBeNull();
    expect(after.nextSourceSearchAt!.getTime() - after.sourceSearchedAt!.getTime()).toBe(
      h.config.SOURCE_RESEARCH_DAYS * DAY,
    );
  });

  it('each row decrypts, with the same keyring, to the lower-case hash, its magnet and its torrent URL', async () => {
    const tmdbId = take(withTorrents(2), 'two torrents');
    const { movie, yts } = await searched(tmdbId);
    const rows = await rowsOf(movie.id);
    expect(rows).toHaveLength(yts.torrents.length);
    const keys = sameKeyring(h.config);
    const keyId = h.config.SOURCE_ENCRYPTION_KEYS.split(':')[0]!;
    const decrypted = rows.map((r) => ({
      hash: keys.decryptText(r.infoHashEnc),
      magnet: keys.decryptText(r.magnetEnc),
      url: r.torrentUrlEnc === null ? null : keys.decryptText(r.torrentUrlEnc),
    }));
    expect(decrypted.map((d) => d.hash).sort()).toEqual(yts.torrents.map((t) => t.hash.toLowerCase()).sort());
    for (const row of rows)
      for (const value of [row.infoHashEnc, row.magnetEnc, row.torrentUrlEnc!])
        expect(value.startsWith(`${keyId}:`)).toBe(true);

    for (const d of decrypted) {
      const listed = yts.torrents.find((t) => t.hash.toLowerCase() === d.hash)!;
      expect(d.hash).toMatch(/^[0-9a-f]{40}$/);
      // The torrent URL as the (first, healthy) mirror gave it.
      expect(d.url).toBe(`${h.yts.mirrors[0]!.origin}/torrent/download/${listed.hash}`);
      expect(d.magnet.startsWith(`magnet:?xt=urn:btih:${d.hash}&`)).toBe(true);
      const params = new URLSearchParams(d.magnet.slice('magnet:?'.length));
      expect(params.getAll('xt')).toEqual([`urn:btih:${d.hash}`]);
      expect(params.get('dn')).toBe(yts.title_long);
      expect(params.getAll('tr').length).toBeGreaterThan(0);
      for (const tracker of params.getAll('tr')) expect(tracker).toMatch(/^(udp|https?):\/\//);
    }

    // Another key cannot read them: the columns are sealed, not encoded.
    const stranger = new Cipher(parseKeyring(`${keyId}:${randomBytes(32).toString('base64')}`));
    expect(() => stranger.decryptText(rows[0]!.infoHashEnc)).toThrow(DecryptError);
  });

  it('hashLookup is the keyed hash of the lower-case hash, and finds the row', async () => {
    const tmdbId = take(withTorrents(2), 'two torrents');
    const { movie, yts } = await searched(tmdbId);
    const keys = sameKeyring(h.config);
    // Without SOURCE_LOOKUP_SECRET the lookup key is another one: the secret is what keys the lookup.
    const withoutSecret = new Cipher(parseKeyring(h.config.SOURCE_ENCRYPTION_KEYS));
    for (const t of yts.torrents) {
      const hash = t.hash.toLowerCase();
      const lookup = keys.lookup(hash);
      expect(lookup).toMatch(/^[0-9a-f]{64}$/);
      expect(lookup).toBe(h.cipher.lookup(hash));
      expect(lookup).not.toBe(withoutSecret.lookup(hash));
      expect(lookup).not.toBe(createHash('sha256').update(hash).digest('hex'));
      const found = await h.db.movieSource.findMany({ where: { hashLookup: lookup } });
      expect(found).toHaveLength(1);
      expect(found[0]!.movieId).toBe(movie.id);
      expect(keys.decryptText(found[0]!.infoHashEnc)).toBe(hash);
      const unique = await h.db.movieSource.findUnique({
        where: { movieId_hashLookup: { movieId: movie.id, hashLookup: lookup } },
      });
      expect(unique?.id).toBe(found[0]!.id);
      // YTS's upper-case form is not what is looked up.
      expect(await h.db.movieSource.count({ where: { hashLookup: keys.lookup(t.hash) } })).toBe(0);
    }
  });

  it('nothing plain at rest: a dump of every row finds no hash (either case), magnet or torrent URL', async () => {
    const ids = [take(withTorrents(3), 'three torrents'), take(withHevc, 'a 1080p.x265 torrent')];
    for (const id of ids) await searched(id);
    // One more through a real worker, so Redis holds a job record (payload and return value) too.
    const viaWorker = take(withTorrents(2), 'two torrents');
    await h.sync(viaWorker);
    await h.clearSources();
    const worker = h.worker();
    try {
      await h.queues.enqueue('sources.search', { tmdbId: viaWorker });
      await waitFor(() => worker.completed.some((c) => c.id === `source-search.${viaWorker}`));
      expect(worker.failed).toEqual([]);
    } finally {
      await worker.close();
    }
    ids.push(viaWorker);

    const keys = sameKeyring(h.config);
    const sources = await h.db.movieSource.findMany({ where: { movie: { tmdbId: { in: ids } } } });
    const secrets: string[] = [];
    for (const id of ids) {
      for (const t of h.ytsMovieOf(id)!.torrents) secrets.push(t.hash, t.hash.toLowerCase());
    }
    for (const s of sources) {
      secrets.push(keys.decryptText(s.magnetEnc));
      if (s.torrentUrlEnc) secrets.push(keys.decryptText(s.torrentUrlEnc));
    }
    expect(secrets.length).toBe(sources.length * 4);

    // Every column of every MovieSource row, as text.
    const rows = await h.db.$queryRaw<Array<{ line: string }>>`SELECT s::text AS line FROM "MovieSource" s`;
    expect(rows.length).toBeGreaterThanOrEqual(sources.length);
    const movieSourceText = rows.map((r) => r.line).join('\n');
    // The scan sees the columns: the sealed values and the plain ones are in it.
    for (const s of sources) {
      expect(movieSourceText).toContain(s.infoHashEnc);
      expect(movieSourceText).toContain(s.hashLookup);
    }
    const dump = (await dumpDatabase(h.db)).join('\n');
    expect(dump).toContain(h.tmdbStandIn.catalog.movie(viaWorker)!.imdbId);
    const redisDump = (await dumpRedis(h.redis, h.prefix)).join('\n');
    expect(redisDump).toContain(`source-search.${viaWorker}`);

    for (const secret of secrets) {
      expect([secret, movieSourceText.includes(secret)]).toEqual([secret, false]);
      expect([secret, dump.includes(secret)]).toEqual([secret, false]);
      expect([secret, redisDump.includes(secret)]).toEqual([secret, false]);
    }
  });
});

describe('sources.search run again', () => {
  it('twice in a row leaves one set of rows, untouched', async () => {
    const tmdbId = take(withTorrents(2), 'two torrents');
    const { movie, yts } = await searched(tmdbId);
    const first = await rowsOf(movie.id);
    const again = await h.run('sources.search', { tmdbId });
    const n = yts.torrents.length;
    expect(again).toEqual({ tmdbId, found: n, added: 0, total: n });
    expect(await rowsOf(movie.id)).toEqual(first);
  });

  it('adds only what YTS lists anew', async () => {
    const tmdbId = take(withTorrents(2), 'two torrents');
    const { movie, yts } = await searched(tmdbId);
    const before = await rowsOf(movie.id);
    const listed = yts.torrents.length;
    const added = h.yts.setTorrents(yts.imdb_code, [...yts.torrents, { quality: '480p' }])[listed]!;
    const result = await h.run('sources.search', { tmdbId });
    expect(result).toMatchObject({ added: 1, total: before.length + 1 });
    const after = await rowsOf(movie.id);
    expect(after.slice(0, before.length)).toEqual(before);
    const fresh = after[before.length]!;
    expect(sameKeyring(h.config).decryptText(fresh.infoHashEnc)).toBe(added.hash.toLowerCase());
    expect(fresh).toMatchObject({ quality: '480p', codec: 'x264' });
  });

  it('several runs of one search at once add one set of rows', async () => {
    const ids = [0, 1, 2].map(() => take(withTorrents(2), 'two torrents'));
    for (const tmdbId of ids) {
      const movie = await h.sync(tmdbId);
      const n = h.ytsMovieOf(tmdbId)!.torrents.length;
      // Two runs sharing one client (one HTTP answer, two writers at the same instant) and two with
      // clients of their own.
      const runs = await Promise.allSettled([
        h.run('sources.search', { tmdbId }),
        h.run('sources.search', { tmdbId }),
        h.run('sources.search', { tmdbId }, { yts: h.ytsClient() }),
        h.run('sources.search', { tmdbId }, { yts: h.ytsClient() }),
      ]);
      const rejected = runs.filter((r) => r.status === 'rejected').map((r) => String(r.reason));
      expect(rejected).toEqual([]);
      const results = runs.map((r) => (r as PromiseFulfilledResult<{ added: number; total: number }>).value);
      expect(results.reduce((sum, r) => sum + r.added, 0)).toBe(n);
      for (const r of results) expect(r.total).toBe(n);
      const rows = await rowsOf(movie.id);
      expect(rows).toHaveLength(n);
      expect(new Set(rows.map((r) => r.hashLookup)).size).toBe(n);
    }
  });

  it('two workers running two searches of one movie at once leave one set of rows', async () => {
    const tmdbId = take(withTorrents(3), 'three torrents');
    const movie = await h.sync(tmdbId);
    const n = h.ytsMovieOf(tmdbId)!.torrents.length;
    // Only the two jobs below are on the queue (a first sync may have asked for a search already).
    await h.clearSources();
    // A slow first mirror keeps both searches in flight together.
    h.yts.mirrors[0]!.mode('slow', { delayMs: 800 });
    const a = h.worker({ concurrency: 1, yts: h.ytsClient() });
    const b = h.worker({ concurrency: 1, yts: h.ytsClient() });
    try {
      await Promise.all([a.worker.waitUntilReady(), b.worker.waitUntilReady()]);
      // The same search asked twice is one job; a second one under another id is a real duplicate.
      const first = await h.queues.enqueue('sources.search', { tmdbId });
      const same = await h.queues.enqueue('sources.search', { tmdbId });
      const other = await h.queues.enqueue('sources.search', { tmdbId }, { jobId: `${first.id}.again` });
      expect(same.id).toBe(first.id);
      await waitFor(() => a.completed.length + b.completed.length === 2, { timeoutMs: 20_000 });
      expect([...a.failed, ...b.failed]).toEqual([]);
      expect([a.completed.length, b.completed.length]).toEqual([1, 1]);
      expect([...a.completed, ...b.completed].map((c) => c.id).sort()).toEqual([first.id, other.id].sort());
      const results = [...a.completed, ...b.completed].map((c) => c.result as { added: number });
      expect(results.reduce((sum, r) => sum + r.added, 0)).toBe(n);
      expect(await rowsOf(movie.id)).toHaveLength(n);
    } finally {
      h.yts.mirrors[0]!.mode('ok');
      await a.close();
      await b.close();
      await h.clearSources();
    }
  });
});

describe('sources.search finding nothing', () => {
  const expectRetrySoon = async (movieId: number) => {
    const movie = await h.db.movie.findUniqueOrThrow({ where: { id: movieId } });
    expect(movie.sourceSearchedAt).not.toBeNull();
    const wait = movie.nextSourceSearchAt!.getTime() - movie.sourceSearchedAt!.getTime();
    expect(wait).toBeGreaterThanOrEqual(45 * MINUTE);
    expect(wait).toBeLessThanOrEqual(75 * MINUTE);
    return wait;
  };

  it('a movie YTS does not know: no rows, searched, next search in 45–75 minutes', async () => {
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const tmdbId = take((m) => m === undefined, 'no YTS entry');
      const { movie, result } = await searched(tmdbId);
      expect(result).toEqual({ tmdbId, found: 0, added: 0, total: 0 });
      expect(await h.db.movieSource.count({ where: { movieId: movie.id } })).toBe(0);
      waits.push(await expectRetrySoon(movie.id));
    }
    // Spread out, not one fixed delay (three equal draws out of 30 minutes' worth of ms would be a fluke).
    expect(new Set(waits).size).toBeGreaterThan(1);
  });

  it('a movie YTS lists without torrents: the same', async () => {
    const tmdbId = take((m) => m !== undefined && m.torrents.length === 0, 'a YTS entry without torrents');
    const { movie, result } = await searched(tmdbId);
    expect(result).toEqual({ tmdbId, found: 0, added: 0, total: 0 });
    expect(await h.db.movieSource.count({ where: { movieId: movie.id } })).toBe(0);
    await expectRetrySoon(movie.id);
  });

  it('a movie without an IMDb id: YTS is not asked, the movie is marked, next look in SOURCE_RESEARCH_DAYS', async () => {
    const tmdbId = take(withTorrents(1), 'a torrent');
    const movie = await h.sync(tmdbId);
    await h.db.movie.update({ where: { id: movie.id }, data: { imdbId: null } });
    const asked = h.yts.mirrors.map((m) => m.requests());
    const result = await h.run('sources.search', { tmdbId });
    expect(result).toEqual({ tmdbId, found: 0, reason: 'no_imdb_id' });
    expect(h.yts.mirrors.map((m) => m.requests())).toEqual(asked);
    expect(await h.db.movieSource.count({ where: { movieId: movie.id } })).toBe(0);
    const after = await h.db.movie.findUniqueOrThrow({ where: { id: movie.id } });
    expect(after.nextSourceSearchAt!.getTime() - after.sourceSearchedAt!.getTime()).toBe(
      h.config.SOURCE_RESEARCH_DAYS * DAY,
    );
  });

  it('a movie whose IMDb id is malformed is handled like one without: no retries, no YTS request', async () => {
    const tmdbId = take(withTorrents(1), 'a torrent');
    const movie = await h.sync(tmdbId);
    for (const bad of ['tt12', 'nm0000001', 'tt 1234567']) {
      await h.db.movie.update({
        where: { id: movie.id },
        data: { imdbId: bad, sourceSearchedAt: null, nextSourceSearchAt: null },
      });
      const asked = h.yts.mirrors.map((m) => m.requests());
      const result = await h.run('sources.search', { tmdbId });
      expect([bad, result]).toEqual([bad, { tmdbId, found: 0, reason: 'no_imdb_id' }]);
      expect(h.yts.mirrors.map((m) => m.requests())).toEqual(asked);
      const after = await h.db.movie.findUniqueOrThrow({ where: { id: movie.id } });
      expect(after.nextSourceSearchAt!.getTime() - after.sourceSearchedAt!.getTime()).toBe(
        h.config.SOURCE_RESEARCH_DAYS * DAY,
      );
    }
    expect(await h.db.movieSource.count({ where: { movieId: movie.id } })).toBe(0);
  });

  it('a movie not held fails for good', async () => {
    const run = h.run('sources.search', { tmdbId: 987_654 });
    await expect(run).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(run).rejects.toThrow(/987654/);
  });
});

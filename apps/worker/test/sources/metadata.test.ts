import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jobByName, PRIORITY } from '@cinenest/queue';
import { Cipher, parseKeyring } from '@cinenest/secrets';
import {
  makeTestTorrent,
  serveTestTorrents,
  waitFor,
  type TestTorrent,
  type TestTorrentOptions,
  type YtsMirror,
  type YtsStandInMovie,
} from '@cinenest/testkit';
import { UnrecoverableError } from 'bullmq';
import { DAY, dumpRedis, MINUTE, sameKeyring, startSourcesHarness, type SourcesHarness } from './support.js';

const KiB = 1024;
const HOUR = 60 * MINUTE;

let h: SourcesHarness;
/** Movies given out so far: each test takes its own, so no test sees another's rows. */
const taken = new Set<number>();

beforeAll(async () => {
  h = await startSourcesHarness();
});

afterAll(async () => {
  await h?.close();
});

type Source = Awaited<ReturnType<SourcesHarness['db']['movieSource']['findUniqueOrThrow']>>;

/** A synced stand-in movie that YTS lists and no other test has used. */
async function takeMovie(): Promise<{ tmdbId: number; movieId: number; yts: YtsStandInMovie }> {
  const tmdbId = h
    .moviesWhere((m: YtsStandInMovie | undefined) => m !== undefined)
    .find((id) => !taken.has(id));
  if (tmdbId === undefined) throw new Error('the stand-ins have no more movies YTS lists');
  taken.add(tmdbId);
  const movie = await h.sync(tmdbId);
  return { tmdbId, movieId: movie.id, yts: h.ytsMovieOf(tmdbId)! };
}

/** A real torrent named after the movie, of content no other torrent of this file has. */
const torrentOf = (yts: YtsStandInMovie, options: TestTorrentOptions = {}) =>
  makeTestTorrent({
    title: yts.title,
    year: yts.year,
    seed: `${yts.imdb_code}:${randomBytes(4).toString('hex')}`,
    ...options,
  });

/** The row sources.search stored for a torrent (found by its keyed hash). */
const sourceOf = (movieId: number, t: TestTorrent): Promise<Source> =>
  h.db.movieSource.findUniqueOrThrow({
    where: { movieId_hashLookup: { movieId, hashLookup: h.cipher.lookup(t.infoHash) } },
  });

type Movie = Awaited<ReturnType<typeof takeMovie>>;

/**
 * The movie's YTS entry lists these torrents, and it is searched: each is served by every mirror,
 * except those in `unserved` (they answer 404). Returns the stored sources in the torrents' order.
 */
async function searchedWith(movie: Movie, torrents: TestTorrent[], unserved: TestTorrent[] = []) {
  serveTestTorrents(h.yts, movie.yts.imdb_code, torrents);
  h.yts.setTorrents(movie.yts.imdb_code, [
    ...h.yts.catalog.byImdb(movie.yts.imdb_code)!.torrents,
    ...unserved.map((t) => ({
      hash: t.infoHash.toUpperCase(),
      size_bytes: t.length,
      quality: '480p' as const,
    })),
  ]);
  await h.run('sources.search', { tmdbId: movie.tmdbId });
  return Promise.all([...torrents, ...unserved].map((t) => sourceOf(movie.movieId, t)));
}

const runMetadata = (sourceId: number) => h.run('sources.metadata', { sourceId });

const urlOf = (source: Source) => sameKeyring(h.config).decryptText(source.torrentUrlEnc!);
/** The mirror a source's torrent URL points at. */
const mirrorOf = (source: Source): YtsMirror => {
  const origin = new URL(urlOf(source)).origin;
  return h.yts.mirrors.find((m) => m.origin === origin)!;
};
const downloadsOf = (t: TestTorrent) =>
  h.yts.mirrors
    .flatMap((m) => m.requestLog())
    .filter((r) => r.path === `/torrent/download/${t.infoHash.toUpperCase()}`).length;

const reread = (source: Source) => h.db.movieSource.findUniqueOrThrow({ where: { id: source.id } });

/** Runs the job, and checks the next attempt was put between `min` and `max` ms after the run. */
async function runExpectingWait(source: Source, min: number, max: number) {
  const before = Date.now();
  const result = await runMetadata(source.id);
  const after = Date.now();
  const row = await reread(source);
  expect(row.nextMetadataAt).not.toBeNull();
  const next = row.nextMetadataAt!.getTime();
  expect(next).toBeGreaterThanOrEqual(before + min);
  expect(next).toBeLessThanOrEqual(after + max);
  return { result, row };
}

describe('sources.metadata reads the .torrent', () => {
  it('READY with the piece length, file count and main video file; the file stored encrypted, byte for byte', async () => {
    const movie = await takeMovie();
    const hd = await torrentOf(movie.yts, { quality: '1080p', pieceLength: 32 * KiB, videoSize: 400 * KiB });
    const sd = await torrentOf(movie.yts, { quality: '720p', pieceLength: 16 * KiB, videoSize: 200 * KiB });
    serveTestTorrents(h.yts, movie.yts.imdb_code, [
      { torrent: hd, quality: '1080p' },
      { torrent: sd, quality: '720p' },
    ]);
    await h.run('sources.search', { tmdbId: movie.tmdbId });
    const keys = sameKeyring(h.config);
    const keyId = h.config.SOURCE_ENCRYPTION_KEYS.split(':')[0]!;

    for (const [t, quality, pieceLength, videoSize] of [
      [hd, '1080p', 32 * KiB, 400 * KiB],
      [sd, '720p', 16 * KiB, 200 * KiB],
    ] as const) {
      const source = await sourceOf(movie.movieId, t);
      expect(source).toMatchObject({ metadataStatus: 'PENDING', torrentFileEnc: null, nextMetadataAt: null });
      const downloads = downloadsOf(t);
      const result = await runMetadata(source.id);
      expect(result).toEqual({ sourceId: source.id, status: 'READY', fileCount: 3, pieceLength });
      expect(downloadsOf(t)).toBe(downloads + 1);

      const row = await reread(source);
      expect(row).toMatchObject({
        metadataStatus: 'READY',
        pieceLength,
        fileCount: 3,
        videoFileIndex: 0,
        videoFileName: `${movie.yts.title} (${movie.yts.year}) [${quality}].mp4`,
        videoFileSize: BigInt(videoSize),
        metadataAttempts: 0,
        metadataError: null,
        nextMetadataAt: null,
      });
      expect(t.files[0]!.length).toBe(videoSize);
      expect(row.torrentFileEnc!.startsWith(`${keyId}:`)).toBe(true);
      expect(keys.decrypt(row.torrentFileEnc!).equals(t.torrentFile)).toBe(true);
      // Sealed, not encoded: another key cannot read it.
      const stranger = new Cipher(parseKeyring(`${keyId}:${randomBytes(32).toString('base64')}`));
      expect(() => stranger.decrypt(row.torrentFileEnc!)).toThrow();

      // Done is done: another run neither downloads nor rewrites.
      expect(await runMetadata(source.id)).toEqual({ sourceId: source.id, status: 'READY', fetched: false });
      expect(downloadsOf(t)).toBe(downloads + 1);
      expect(await reread(source)).toEqual(row);
    }
  });

  it('nothing plain at rest: no info-hash, torrent URL or .torrent bytes in the row', async () => {
    const movie = await takeMovie();
    const t = await torrentOf(movie.yts, { announce: ['udp://tracker.example:1337/announce'] });
    serveTestTorrents(h.yts, movie.yts.imdb_code, [t]);
    await h.run('sources.search', { tmdbId: movie.tmdbId });
    const source = await sourceOf(movie.movieId, t);
    const url = urlOf(source);
    expect(await runMetadata(source.id)).toMatchObject({ status: 'READY' });

    const [{ line }] = (await h.db.$queryRaw<Array<{ line: string }>>`
      SELECT s::text AS line FROM "MovieSource" s WHERE id = ${source.id}`) as [{ line: string }];
    const row = await reread(source);
    // The scan sees the columns: the sealed file and the plain facts are in it.
    expect(line).toContain(row.torrentFileEnc!);
    expect(line).toContain(row.videoFileName!);
    const secrets = [
      t.infoHash,
      t.infoHash.toUpperCase(),
      Buffer.from(t.infoHash, 'hex').toString('base64'),
      url,
      t.torrentFile.toString('base64'),
      t.torrentFile.toString('hex'),
      t.torrentFile.subarray(0, 200).toString('base64'),
      // Bencoded text a plain .torrent always holds.
      '4:info',
      '6:pieces',
      '12:piece length',
      'tracker.example',
    ];
    for (const secret of secrets) expect([secret, line.includes(secret)]).toEqual([secret, false]);
  });

  it('the main file is the largest with a video extension (any case), else the largest file', async () => {
    const movie = await takeMovie();
    const extras = await torrentOf(movie.yts, {
      name: 'Extras Edition',
      files: [
        { path: 'Extras/Behind the Scenes.zip', size: 300 * KiB },
        { path: 'Sample/sample.mkv', size: 40 * KiB },
        { path: 'Movie.MKV', size: 200 * KiB },
        { path: 'Movie.ts', size: 120 * KiB },
        { path: 'Movie.srt', content: '1\n00:00:01,000 --> 00:00:02,000\nHello\n' },
      ],
    });
    const noVideo = await torrentOf(movie.yts, {
      name: 'Disc',
      files: [
        { path: 'readme.txt', content: 'no video here' },
        { path: 'disc.iso', size: 150 * KiB },
        { path: 'cover.jpg', size: 20 * KiB },
      ],
    });
    const single = await torrentOf(movie.yts, {
      files: [{ path: 'Single (2001) [720p].webm', size: 64 * KiB }],
    });
    const sources = await searchedWith(movie, [extras, noVideo, single]);
    const expected = [
      { fileCount: 5, videoFileIndex: 2, videoFileName: 'Movie.MKV', videoFileSize: BigInt(200 * KiB) },
      { fileCount: 3, videoFileIndex: 1, videoFileName: 'disc.iso', videoFileSize: BigInt(150 * KiB) },
      {
        fileCount: 1,
        videoFileIndex: 0,
        videoFileName: 'Single (2001) [720p].webm',
        videoFileSize: BigInt(64 * KiB),
      },
    ];
    for (const [i, source] of sources.entries()) {
      expect(await runMetadata(source.id)).toMatchObject({ status: 'READY' });
      expect(await reread(source)).toMatchObject({ metadataStatus: 'READY', ...expected[i] });
    }
    // The index is the file's place in the torrent, as a client numbers them.
    expect(extras.files[2]!.name).toBe('Movie.MKV');
    expect(noVideo.files[1]!.name).toBe('disc.iso');
  });
});

describe('sources.metadata when the file cannot be had', () => {
  it('a 404: one attempt, PENDING, back in 30 min, doubling; UNAVAILABLE after 5, then daily; READY once served', async () => {
    const movie = await takeMovie();
    const t = await torrentOf(movie.yts);
    const [source] = (await searchedWith(movie, [], [t])) as [Source];
    const first = await runExpectingWait(source, 0.9 * 30 * MINUTE, 30 * MINUTE);
    expect(first.result).toEqual({ sourceId: source.id, status: 'PENDING', attempts: 1, error: 'HTTP 404' });
    expect(first.row).toMatchObject({
      metadataStatus: 'PENDING',
      metadataAttempts: 1,
      metadataError: 'HTTP 404',
      torrentFileEnc: null,
    });
    // A 404 is final for the run: no retry within it.
    expect(downloadsOf(t)).toBe(1);

    for (const [attempts, wait] of [
      [2, HOUR],
      [3, 2 * HOUR],
      [4, 4 * HOUR],
    ] as const) {
      const { row } = await runExpectingWait(source, 0.9 * wait, wait);
      expect(row).toMatchObject({ metadataStatus: 'PENDING', metadataAttempts: attempts });
    }
    const fifth = await runExpectingWait(source, DAY, DAY);
    expect(fifth.result).toMatchObject({ status: 'UNAVAILABLE', attempts: 5 });
    expect(fifth.row).toMatchObject({
      metadataStatus: 'UNAVAILABLE',
      metadataAttempts: 5,
      metadataError: 'HTTP 404',
    });
    const sixth = await runExpectingWait(source, DAY, DAY);
    expect(sixth.row).toMatchObject({ metadataStatus: 'UNAVAILABLE', metadataAttempts: 6 });
    expect(downloadsOf(t)).toBe(6);

    // YTS serves it again: the next (daily) run gets it, and the failures are forgotten.
    h.yts.setTorrentFile(t.infoHash, t.torrentFile);
    expect(await runMetadata(source.id)).toMatchObject({ status: 'READY' });
    expect(await reread(source)).toMatchObject({
      metadataStatus: 'READY',
      metadataAttempts: 0,
      metadataError: null,
      nextMetadataAt: null,
      fileCount: 3,
    });
  });

  it('an HTML page, a truncated file, bytes that are no torrent and a huge body are marked, not crashes', async () => {
    const movie = await takeMovie();
    const torrents = await Promise.all([0, 1, 2, 3, 4, 5, 6].map(() => torrentOf(movie.yts)));
    serveTestTorrents(h.yts, movie.yts.imdb_code, torrents);
    await h.run('sources.search', { tmdbId: movie.tmdbId });
    const [html, truncated, random, noInfo, huge, htmlBody, bare] = (await Promise.all(
      torrents.map((t) => sourceOf(movie.movieId, t)),
    )) as [Source, Source, Source, Source, Source, Source, Source];
    h.yts.setTorrentFile(torrents[2]!.infoHash, randomBytes(4000).fill(0x78, 0, 1));
    // Bencoded, but no torrent: parse-torrent refuses a dictionary without info.
    h.yts.setTorrentFile(torrents[3]!.infoHash, Buffer.from('d8:announce21:udp://tracker.test:80e'));
    h.yts.setTorrentFile(
      torrents[4]!.infoHash,
      Buffer.concat([Buffer.from('d4:info'), randomBytes(11 * 1024 * 1024)]),
    );
    // A 200 HTML page where the file should be (what a mirror's "not found" page often is).
    h.yts.setTorrentFile(
      torrents[5]!.infoHash,
      Buffer.from('\n  <!DOCTYPE html><html><body>Not here</body></html>'),
    );
    // 20 bytes: parse-torrent reads them as a bare info-hash, a "torrent" without files.
    h.yts.setTorrentFile(torrents[6]!.infoHash, Buffer.concat([Buffer.from('d'), randomBytes(19)]));

    const expectMarked = async (source: Source, error: string) => {
      const result = await runMetadata(source.id);
      expect(result).toEqual({ sourceId: source.id, status: 'PENDING', attempts: 1, error });
      const row = await reread(source);
      expect(row).toMatchObject({
        metadataStatus: 'PENDING',
        metadataAttempts: 1,
        metadataError: error,
        torrentFileEnc: null,
      });
      expect(row.nextMetadataAt!.getTime()).toBeGreaterThan(Date.now());
    };

    const cloudflare = mirrorOf(html);
    cloudflare.mode('html');
    try {
      await expectMarked(html, 'an HTML page, not a torrent file');
    } finally {
      cloudflare.mode('ok');
    }
    const cut = mirrorOf(truncated);
    cut.mode('garbage');
    try {
      await expectMarked(truncated, 'not a torrent file (unparseable)');
    } finally {
      cut.mode('ok');
    }
    await expectMarked(random, 'not a torrent file');
    await expectMarked(noInfo, 'not a torrent file (unparseable)');
    await expectMarked(bare, 'not a torrent file (no info or files)');
    await expectMarked(huge, `larger than ${10 * 1024 * 1024} bytes`);
    await expectMarked(htmlBody, 'an HTML page, not a torrent file');
  });

  it('a file whose info-hash is another torrent’s is UNAVAILABLE at once', async () => {
    const movie = await takeMovie();
    const listed = await torrentOf(movie.yts);
    const other = await torrentOf(movie.yts, { quality: '720p' });
    const [source] = (await searchedWith(movie, [listed])) as [Source];
    h.yts.setTorrentFile(listed.infoHash, other.torrentFile);
    const { result, row } = await runExpectingWait(source, DAY, DAY);
    expect(result).toEqual({
      sourceId: source.id,
      status: 'UNAVAILABLE',
      attempts: 1,
      error: 'the file is the torrent of another info-hash',
    });
    expect(row).toMatchObject({
      metadataStatus: 'UNAVAILABLE',
      metadataAttempts: 1,
      torrentFileEnc: null,
      pieceLength: null,
      fileCount: null,
      videoFileIndex: null,
    });
    // The error names no hash.
    expect(row.metadataError).not.toContain(other.infoHash);
    expect(row.metadataError).not.toContain(listed.infoHash);
  });

  it('the mirror host down or failing: a few quick retries within the run, then the same backoff', async () => {
    const movie = await takeMovie();
    const down = await torrentOf(movie.yts);
    const failing = await torrentOf(movie.yts, { quality: '720p' });
    const [a, b] = (await searchedWith(movie, [down, failing])) as [Source, Source];

    const mirror = mirrorOf(a);
    expect(mirrorOf(b)).toBe(mirror);
    mirror.mode('down');
    try {
      const { result, row } = await runExpectingWait(a, 0.9 * 30 * MINUTE, 30 * MINUTE);
      expect(result).toEqual({
        sourceId: a.id,
        status: 'PENDING',
        attempts: 1,
        error: 'network error (ECONNREFUSED)',
      });
      expect(row).toMatchObject({ metadataStatus: 'PENDING', metadataAttempts: 1 });
      // The error carries neither the URL nor its host.
      expect(row.metadataError).not.toContain(mirror.origin);
    } finally {
      mirror.mode('ok');
    }

    mirror.mode('error');
    try {
      const before = downloadsOf(failing);
      const { result } = await runExpectingWait(b, 0.9 * 30 * MINUTE, 30 * MINUTE);
      expect(result).toMatchObject({ status: 'PENDING', attempts: 1, error: 'HTTP 503' });
      // The first try and two retries.
      expect(downloadsOf(failing)).toBe(before + 3);
    } finally {
      mirror.mode('ok');
    }
    // Back up: the next run gets both.
    for (const s of [a, b]) expect(await runMetadata(s.id)).toMatchObject({ status: 'READY' });
  });

  it('no torrent URL: UNAVAILABLE; a source gone: nothing to do', async () => {
    const movie = await takeMovie();
    const t = await torrentOf(movie.yts);
    const [source] = (await searchedWith(movie, [t])) as [Source];
    await h.db.movieSource.update({ where: { id: source.id }, data: { torrentUrlEnc: null } });
    const { result, row } = await runExpectingWait(source, DAY, DAY);
    expect(result).toMatchObject({ status: 'UNAVAILABLE', error: 'no torrent URL' });
    expect(row).toMatchObject({
      metadataStatus: 'UNAVAILABLE',
      metadataAttempts: 1,
      metadataError: 'no torrent URL',
    });
    expect(downloadsOf(t)).toBe(0);

    expect(await runMetadata(2_000_000_000)).toEqual({ sourceId: 2_000_000_000, status: 'GONE' });
  });

  it('a torrent URL this keyring cannot read fails the job for good, and counts no attempt', async () => {
    const movie = await takeMovie();
    const t = await torrentOf(movie.yts);
    const [source] = (await searchedWith(movie, [t])) as [Source];
    const keyId = h.config.SOURCE_ENCRYPTION_KEYS.split(':')[0]!;
    const stranger = new Cipher(parseKeyring(`${keyId}:${randomBytes(32).toString('base64')}`));
    await h.db.movieSource.update({
      where: { id: source.id },
      data: { torrentUrlEnc: stranger.encrypt('http://127.0.0.1:9/torrent/download/x') },
    });
    const before = Date.now();
    await expect(runMetadata(source.id)).rejects.toBeInstanceOf(UnrecoverableError);
    const row = await reread(source);
    expect(row).toMatchObject({
      metadataStatus: 'PENDING',
      metadataAttempts: 0,
      metadataError: 'torrent URL cannot be decrypted',
    });
    expect(row.nextMetadataAt!.getTime()).toBeGreaterThanOrEqual(before + HOUR);
  });
});

describe('sources.metadata-sweep', () => {
  const swarm = () => h.queues.get('swarm');
  const pendingIds = async () =>
    (await swarm().getJobs(['waiting', 'prioritized', 'delayed'])).map((j) => j.id!).sort();
  const idOf = (s: { id: number }) => `source-metadata.${s.id}`;

  it('the download runs behind the VPN on the swarm queue; the sweep on the sources queue', () => {
    const metadata = jobByName('sources.metadata')!;
    expect(metadata.queue).toBe('swarm');
    expect(metadata.needsVpn).toBe(true);
    expect(metadata.jobId?.({ sourceId: 7 })).toBe('source-metadata.7');
    expect(metadata.every).toBeUndefined();
    const sweep = jobByName('sources.metadata-sweep')!;
    expect(sweep.queue).toBe('sources');
    expect(sweep.needsVpn).toBeFalsy();
    expect(sweep.every?.(h.config)).toBe(h.config.METADATA_SWEEP_INTERVAL * 1000);
  });

  it('enqueues the due sources (new, backoff passed, UNAVAILABLE for a day) and no others', async () => {
    const movie = await takeMovie();
    const torrents = await Promise.all([0, 1, 2, 3, 4, 5].map(() => torrentOf(movie.yts)));
    serveTestTorrents(h.yts, movie.yts.imdb_code, torrents);
    await h.run('sources.search', { tmdbId: movie.tmdbId });
    const [fresh, due, later, unavailableDue, unavailableLater, ready] = (await Promise.all(
      torrents.map((t) => sourceOf(movie.movieId, t)),
    )) as [Source, Source, Source, Source, Source, Source];
    const now = Date.now();
    const set = (s: Source, data: Parameters<SourcesHarness['db']['movieSource']['update']>[0]['data']) =>
      h.db.movieSource.update({ where: { id: s.id }, data });
    await set(due, { metadataAttempts: 2, nextMetadataAt: new Date(now - MINUTE) });
    await set(later, { metadataAttempts: 1, nextMetadataAt: new Date(now + 30 * MINUTE) });
    await set(unavailableDue, {
      metadataStatus: 'UNAVAILABLE',
      metadataAttempts: 7,
      nextMetadataAt: new Date(now - HOUR),
    });
    await set(unavailableLater, {
      metadataStatus: 'UNAVAILABLE',
      metadataAttempts: 5,
      nextMetadataAt: new Date(now + DAY),
    });
    await set(ready, { metadataStatus: 'READY', nextMetadataAt: null });
    // Every other test's sources are out of the way.
    await h.db.movieSource.updateMany({
      where: { movieId: { not: movie.movieId } },
      data: { nextMetadataAt: new Date(now + DAY) },
    });
    await swarm().obliterate({ force: true });
    await h.clearSources();

    expect(await h.run('sources.metadata-sweep', {})).toEqual({ enqueued: 3 });
    const expected = [fresh, due, unavailableDue].map(idOf).sort();
    expect(await pendingIds()).toEqual(expected);
    for (const job of await swarm().getJobs(['waiting', 'prioritized'])) {
      expect(job.name).toBe('sources.metadata');
      expect([fresh.id, due.id, unavailableDue.id]).toContain(job.data.sourceId);
      expect(job.data).toEqual({ sourceId: Number(job.id!.split('.')[1]) });
      expect(job.opts.priority).toBe(PRIORITY.background);
    }
    // Nothing of it on the sources queue.
    expect(await h.sources.getJobs(['waiting', 'prioritized', 'delayed'])).toEqual([]);
    // Swept again before they ran: the same three jobs.
    expect(await h.run('sources.metadata-sweep', {})).toEqual({ enqueued: 3 });
    expect(await pendingIds()).toEqual(expected);
    await swarm().obliterate({ force: true });
  });

  it('new sources from a search get their .torrent through a swarm worker; a finished run makes room for the next', async () => {
    const movie = await takeMovie();
    const served = await torrentOf(movie.yts);
    const missing = await torrentOf(movie.yts, { quality: '720p' });
    const [good, bad] = (await searchedWith(movie, [served], [missing])) as [Source, Source];
    await h.db.movieSource.updateMany({
      where: { movieId: { not: movie.movieId } },
      data: { nextMetadataAt: new Date(Date.now() + DAY) },
    });
    await swarm().obliterate({ force: true });

    expect(await h.run('sources.metadata-sweep', {})).toEqual({ enqueued: 2 });
    expect(await pendingIds()).toEqual([idOf(good), idOf(bad)].sort());
    const worker = h.worker({ queue: 'swarm', concurrency: 2 });
    try {
      await waitFor(() => worker.completed.length === 2);
      expect(worker.failed).toEqual([]);
      const results = Object.fromEntries(worker.completed.map((c) => [c.id, c.result]));
      expect(results[idOf(good)]).toMatchObject({ status: 'READY' });
      expect(results[idOf(bad)]).toMatchObject({ status: 'PENDING', attempts: 1, error: 'HTTP 404' });
      expect(await reread(good)).toMatchObject({ metadataStatus: 'READY', fileCount: 3 });
      expect(await reread(bad)).toMatchObject({ metadataStatus: 'PENDING', metadataAttempts: 1 });

      // Redis holds the jobs and their results, and none of the source's secrets.
      const redisDump = (await dumpRedis(h.redis, h.prefix)).join('\n');
      expect(redisDump).toContain(idOf(good));
      for (const secret of [
        served.infoHash,
        served.infoHash.toUpperCase(),
        missing.infoHash,
        missing.infoHash.toUpperCase(),
        served.torrentFile.toString('base64'),
      ])
        expect([secret, redisDump.includes(secret)]).toEqual([secret, false]);

      // Nothing is due now: the READY one is done, the failed one waits its backoff.
      expect(await h.run('sources.metadata-sweep', {})).toEqual({ enqueued: 0 });
      // Its backoff passed: the completed run is removed and a new one runs.
      await h.db.movieSource.update({
        where: { id: bad.id },
        data: { nextMetadataAt: new Date(Date.now() - 1) },
      });
      expect(await h.run('sources.metadata-sweep', {})).toEqual({ enqueued: 1 });
      await waitFor(() => worker.completed.length === 3);
      expect(worker.completed[2]).toMatchObject({
        id: idOf(bad),
        result: { status: 'PENDING', attempts: 2 },
      });
      expect(await reread(bad)).toMatchObject({ metadataAttempts: 2 });
    } finally {
      await worker.close();
      await swarm().obliterate({ force: true });
    }
  });
});

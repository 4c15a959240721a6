import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signStreamToken } from '@cinenest/streaming';
import { waitFor, type TestTorrent } from '@cinenest/testkit';
import {
  diskUsage,
  expectNoInfoHash,
  fetchStream,
  MiB,
  sha256,
  sleep,
  startWorld,
  tokenOf,
  videoTorrent,
  type Movie,
  type StreamBody,
  type World,
} from './support.js';

/**
 * Login → movie → POST stream → the bytes, through the API's proxy and straight from the streamer:
 * whole file, Ranges, HEAD, 416, bad and revoked tokens; then the admin storage endpoints.
 */

let world: World;
let torrent: TestTorrent;
let movie: Movie;
let content: Buffer;

beforeAll(async () => {
  torrent = await videoTorrent('Stream Me (2001) [720p]', 4 * MiB + 12_345);
  content = torrent.content(0);
  world = await startWorld({ movies: [[torrent]], seeded: [torrent], directApi: true });
  movie = world.movies[0]!;
}, 60_000);

afterAll(async () => {
  await world?.close();
}, 60_000);

const modes = [
  { mode: 'through the API proxy (STREAM_PUBLIC_URL unset)', direct: false },
  { mode: 'straight from the streamer (STREAM_PUBLIC_URL set)', direct: true },
];

describe.each(modes)('a stream URL $mode', ({ direct }) => {
  let stream: StreamBody;
  const base = () => (direct ? world.directApiUrl : world.apiUrl);

  beforeAll(async () => {
    const answer = await world.play(movie, { base: base() });
    if (answer.status !== 200)
      throw new Error(`POST stream: ${answer.status} ${JSON.stringify(answer.body)}\n${world.logs()}`);
    stream = answer.body;
  }, 40_000);

  it('is answered by POST /movies/:id/stream with the source, its type and no fallback', async () => {
    const origin = direct ? world.streamerUrl : world.apiUrl;
    expect(stream.streamUrl.startsWith(`${origin}/stream/`)).toBe(true);
    expect(stream.mimeType).toBe('video/mp4');
    expect(stream.source).toMatchObject({ id: await world.sourceId(torrent), sizeBytes: content.length });
    expect(stream.fallbacks).toEqual([]);
    expect(tokenOf(stream.streamUrl).grant).toMatchObject({
      tokenId: stream.tokenId,
      userId: world.admin.userId,
    });
    expect(new Date(stream.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(stream.streamUrl.toLowerCase()).not.toContain(torrent.infoHash);
  });

  it('GET without Range: 200 and the whole file', async () => {
    const { res, bytes } = await fetchStream(stream.streamUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(content.length));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(bytes.length).toBe(content.length);
    expect(sha256(bytes)).toBe(sha256(content));
  });

  it('GET with Ranges: 206, Content-Range and the very bytes', async () => {
    const size = content.length;
    const ranges: Array<[number, number]> = [
      [0, 0],
      [0, 1023],
      [262_100, 262_200], // across a piece boundary
      [1_000_000, 2_500_000],
      [size - 1, size - 1],
    ];
    for (const [start, end] of ranges) {
      const { res, bytes } = await fetchStream(stream.streamUrl, { range: `bytes=${start}-${end}` });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(bytes.equals(content.subarray(start, end + 1))).toBe(true);
    }
  });

  it('seeks to the middle (bytes=mid-) and reads the tail', async () => {
    const size = content.length;
    const mid = Math.floor(size / 2);
    const { res, bytes } = await fetchStream(stream.streamUrl, { range: `bytes=${mid}-` });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${mid}-${size - 1}/${size}`);
    expect(sha256(bytes)).toBe(sha256(content.subarray(mid)));
  });

  it('serves a suffix range (bytes=-500): the last 500 bytes', async () => {
    const size = content.length;
    const { res, bytes } = await fetchStream(stream.streamUrl, { range: 'bytes=-500' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${size - 500}-${size - 1}/${size}`);
    expect(bytes.equals(content.subarray(size - 500))).toBe(true);
  });

  it('HEAD: the headers of the whole file, no body', async () => {
    const { res, bytes } = await fetchStream(stream.streamUrl, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(content.length));
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(bytes.length).toBe(0);
    const ranged = await fetchStream(stream.streamUrl, { method: 'HEAD', range: 'bytes=100-199' });
    expect(ranged.res.status).toBe(206);
    expect(ranged.res.headers.get('content-length')).toBe('100');
    expect(ranged.res.headers.get('content-range')).toBe(`bytes 100-199/${content.length}`);
  });

  it('a player that goes away mid-stream leaves no reader behind', async () => {
    const abort = new AbortController();
    const res = await fetch(stream.streamUrl, { signal: abort.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    abort.abort();
    await reader.cancel().catch(() => undefined);
    await waitFor(async () => (await world.torrentStatus(stream.source.id))?.readers === 0, {
      timeoutMs: 5000,
    });
  });

  it('an unsatisfiable Range: 416 with Content-Range bytes */size', async () => {
    const { res, text } = await fetchStream(stream.streamUrl, { range: `bytes=${content.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${content.length}`);
    expect(JSON.parse(text())).toMatchObject({ error: { code: 'range_not_satisfiable' } });
    expectNoInfoHash(text(), [torrent]);
  });

  it('a foreign token (another secret) and a tampered one: 401, naming no torrent', async () => {
    const { token, grant } = tokenOf(stream.streamUrl);
    const urlWith = (t: string) => stream.streamUrl.replace(token, t);
    const foreign = signStreamToken(
      'another secret, 32 bytes or more, not ours',
      grant,
      new Date(Date.now() + 3600_000),
    );
    const [head, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), f: grant.fileIndex + 1 }),
    ).toString('base64url');
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    for (const bad of [
      foreign,
      `${head}.${forged}.${signature}`,
      `${head}.${payload}.${flipped}`,
      'garbage',
    ]) {
      const { res, text } = await fetchStream(urlWith(bad), { range: 'bytes=0-99' });
      expect(res.status).toBe(401);
      expect(JSON.parse(text())).toMatchObject({ error: { code: 'invalid_token' } });
      expectNoInfoHash(text(), [torrent]);
    }
  });

  it('an expired token: 401 token_expired', async () => {
    const { token, grant } = tokenOf(stream.streamUrl);
    // Signed with the streamer's secret for the same grant, valid for a second at most.
    const expiring = stream.streamUrl.replace(
      token,
      signStreamToken(world.streamerSecret, grant, new Date()),
    );
    const { exp } = tokenOf(expiring);
    expect(tokenOf(expiring).grant).toEqual(grant);
    await sleep(Math.max(0, exp * 1000 + 50 - Date.now()));
    const { res, text } = await fetchStream(expiring, { range: 'bytes=0-9' });
    expect(res.status).toBe(401);
    expect(JSON.parse(text())).toMatchObject({ error: { code: 'token_expired' } });
    expectNoInfoHash(text(), [torrent]);
  });
});

/** Revokes a fresh URL of the movie (from the API at `base`) and polls it until it stops answering 206. */
async function revokeAndWatch(base: string) {
  const answer = await world.play(movie, { base });
  expect(answer.status).toBe(200);
  const { streamUrl, tokenId } = answer.body;
  expect((await fetchStream(streamUrl, { range: 'bytes=0-9' })).res.status).toBe(206);
  // Only its owner (or an admin) may revoke it.
  const byOther = await world.call(world.user, 'DELETE', `/api/v1/streams/${tokenId}`);
  expect(byOther.status).toBe(403);
  const revoked = await world.call(world.admin, 'DELETE', `/api/v1/streams/${tokenId}`);
  expect(revoked.status).toBe(204);
  const at = Date.now();
  let last = await fetchStream(streamUrl, { range: 'bytes=0-9' });
  while (last.res.status === 206 && Date.now() - at < 8000) {
    await sleep(100);
    last = await fetchStream(streamUrl, { range: 'bytes=0-9' });
  }
  return { status: last.res.status, body: last.text(), took: Date.now() - at };
}

describe('a revoked stream URL', () => {
  it('answers 403 within 5 s of DELETE /streams/:tokenId, in both modes; other URLs still play', async () => {
    // Both modes at once: each waits out the streamer's few seconds of grant cache.
    const outcomes = await Promise.all([revokeAndWatch(world.apiUrl), revokeAndWatch(world.directApiUrl)]);
    for (const { status, body, took } of outcomes) {
      expect(status).toBe(403);
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'forbidden' } });
      expect(took).toBeLessThanOrEqual(5500);
      expectNoInfoHash(body, [torrent]);
    }
    const other = await world.play(movie);
    expect((await fetchStream(other.body.streamUrl, { range: 'bytes=0-9' })).res.status).toBe(206);
  }, 25_000);
});

describe('admin storage', () => {
  it('GET /admin/storage: the admin sees the stored torrent; a user 403, anonymous 401', async () => {
    const report = await world.storage();
    const id = await world.sourceId(torrent);
    expect(report.torrents).toHaveLength(1);
    expect(report.torrents[0]).toMatchObject({
      sourceId: id,
      movie: { tmdbId: movie.tmdbId },
      fileSize: content.length,
      reservedBytes: Math.ceil(content.length / torrent.pieceLength) * torrent.pieceLength,
      progress: 1,
      state: 'active',
    });
    expect(report.torrents[0]!.bytesOnDisk).toBeGreaterThanOrEqual(content.length);
    expect(report).toMatchObject({ activeTorrents: 1, vpn: 'disabled' });
    expectNoInfoHash(JSON.stringify(report), [torrent]);

    const asUser = await world.call(world.user, 'GET', '/api/v1/admin/storage');
    expect(asUser.status).toBe(403);
    const anonymous = await world.call(null, 'GET', '/api/v1/admin/storage');
    expect(anonymous.status).toBe(401);
    const deleteAsUser = await world.call(
      world.user,
      'DELETE',
      `/api/v1/admin/storage/${report.torrents[0]!.id}`,
    );
    expect(deleteAsUser.status).toBe(403);
  });

  it('DELETE /admin/storage/:id: 204, then the torrent and its pieces are gone', async () => {
    const [stored] = (await world.storage()).torrents;
    const res = await world.call(world.admin, 'DELETE', `/api/v1/admin/storage/${stored!.id}`);
    expect(res.status).toBe(204);
    const after = await world.storage();
    expect(after.torrents).toEqual([]);
    expect(after).toMatchObject({ activeTorrents: 0, reservedBytes: 0, bytesOnDisk: 0 });
    expect(await world.db.storage.count()).toBe(0);
    expect(await diskUsage(world.storageDir)).toBe(0);
    const again = await world.call(world.admin, 'DELETE', `/api/v1/admin/storage/${stored!.id}`);
    expect(again.status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Seeder, TestTorrent } from '@cinenest/testkit';
import {
  expectNoInfoHash,
  fetchStream,
  MiB,
  sha256,
  startWorld,
  type Movie,
  type StreamBody,
  videoTorrent,
  type World,
} from './support.js';

/**
 * The streamer stops (SIGTERM) after streaming two videos, their seeder leaves, and the streamer starts
 * again: the same URLs serve the stored videos from their pieces, with no peer anywhere. One source
 * came with its .torrent file, the other with only its magnet (metadata from peers).
 */

let world: World;
let seeder: Seeder;
let withFile: TestTorrent;
let magnetOnly: TestTorrent;
let streams: StreamBody[];

beforeAll(async () => {
  withFile = await videoTorrent('Restart A (2005) [720p]', 3 * MiB + 1000);
  magnetOnly = await videoTorrent('Restart B (2005) [720p] magnet', 2 * MiB);
  world = await startWorld({
    movies: [[withFile], [{ torrent: magnetOnly, magnetOnly: true }]],
    seeded: [withFile, magnetOnly],
  });
  seeder = world.seeder!;
}, 60_000);

afterAll(async () => {
  await world?.close();
}, 60_000);

const videos = () => [withFile, magnetOnly];

describe('a streamer restart', () => {
  it('before: both videos stream whole', async () => {
    streams = [];
    for (const [i, movie] of (world.movies as Movie[]).entries()) {
      const answer = await world.play(movie);
      expect(answer.status).toBe(200);
      streams.push(answer.body);
      const { res, bytes } = await fetchStream(answer.body.streamUrl);
      expect(res.status).toBe(200);
      expect(sha256(bytes)).toBe(sha256(videos()[i]!.content(0)));
    }
  }, 30_000);

  it('SIGTERM: it exits 0; meanwhile the proxy answers 503, naming no torrent', async () => {
    const streamer = world.streamer();
    streamer.child.kill('SIGTERM');
    expect(await streamer.exitWithin(10_000)).toBe(0);
    const { res, text } = await fetchStream(streams[0]!.streamUrl, { range: 'bytes=0-99' });
    expect(res.status).toBe(503);
    expect(JSON.parse(text())).toMatchObject({ error: { code: 'service_unavailable' } });
    expectNoInfoHash(text(), videos());
  }, 15_000);

  it('started again with no seeder left, the same URLs serve the stored videos from their pieces', async () => {
    await seeder.stop();
    await world.startStreamer();
    // As a player does: several requests at once, the torrents being added again from disk meanwhile.
    await Promise.all(
      streams.map(async (stream, i) => {
        const content = videos()[i]!.content(0);
        const mid = Math.floor(content.length / 2) + 7;
        const [whole, part, head] = await Promise.all([
          fetchStream(stream.streamUrl),
          fetchStream(stream.streamUrl, { range: `bytes=${mid}-` }),
          fetchStream(stream.streamUrl, { method: 'HEAD' }),
        ]);
        expect(whole.res.status).toBe(200);
        expect(sha256(whole.bytes)).toBe(sha256(content));
        expect(part.res.status).toBe(206);
        expect(part.bytes.equals(content.subarray(mid))).toBe(true);
        expect(head.res.status).toBe(200);
        expect(head.res.headers.get('content-length')).toBe(String(content.length));
      }),
    );
    const report = await world.storage();
    expect(report.torrents.map((t) => [t.sourceId, t.progress, t.state]).sort()).toEqual(
      [
        [await world.sourceId(withFile), 1, 'active'],
        [await world.sourceId(magnetOnly), 1, 'active'],
      ].sort(),
    );
    for (const t of report.torrents) expect((await world.torrentStatus(t.sourceId))?.peers).toBe(0);
  }, 30_000);
});

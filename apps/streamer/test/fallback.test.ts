import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestTorrent } from '@cinenest/testkit';
import { fetchStream, MiB, sha256, startWorld, videoTorrent, type World } from './support.js';

/** A movie whose best-scored source has no seeder: the stream starts on the next one. */

const SOURCE_TIMEOUT_S = 3;

let world: World;
let dead: TestTorrent;
let alive: TestTorrent;

beforeAll(async () => {
  dead = await videoTorrent('Fallback (2002) [720p] unseeded', 2 * MiB);
  alive = await videoTorrent('Fallback (2002) [720p] seeded', 2 * MiB);
  world = await startWorld({
    // YTS (and the tracker's scrape) say the unseeded one has far more seeds: it ranks first.
    movies: [
      [
        { torrent: dead, seeds: 900 },
        { torrent: alive, seeds: 3 },
      ],
    ],
    seeded: [alive],
    env: { STREAM_SOURCE_TIMEOUT: String(SOURCE_TIMEOUT_S) },
  });
}, 60_000);

afterAll(async () => {
  await world?.close();
}, 60_000);

describe('source fallback', () => {
  it('ranks the unseeded source first', async () => {
    const res = await world.call(world.admin, 'GET', `/api/v1/movies/${world.movies[0]!.tmdbId}/sources`);
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Array<{ id: number }> };
    expect(items.map((s) => s.id)).toEqual([await world.sourceId(dead), await world.sourceId(alive)]);
  });

  it('POST stream gives up on it after STREAM_SOURCE_TIMEOUT and answers with the seeded one', async () => {
    const answer = await world.play(world.movies[0]!);
    expect(answer.status).toBe(200);
    expect(answer.body.source.id).toBe(await world.sourceId(alive));
    expect(answer.body.fallbacks).toHaveLength(1);
    expect(answer.body.fallbacks[0]).toMatchObject({ quality: '720p', codec: 'x264' });
    expect(['no_peers', 'no_progress']).toContain(answer.body.fallbacks[0]!.reason);
    expect(answer.ms).toBeGreaterThanOrEqual(SOURCE_TIMEOUT_S * 1000 - 100);
    expect(JSON.stringify(answer.body).toLowerCase()).not.toContain(dead.infoHash);

    const { res, bytes } = await fetchStream(answer.body.streamUrl);
    expect(res.status).toBe(200);
    expect(sha256(bytes)).toBe(sha256(alive.content(0)));
  }, 30_000);

  it('keeps nothing of the source given up: only the seeded one is stored', async () => {
    const report = await world.storage();
    expect(report.torrents.map((t) => t.sourceId)).toEqual([await world.sourceId(alive)]);
    expect(report.reservedBytes).toBe(2 * MiB);
  });
});

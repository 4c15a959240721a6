import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestTorrent } from '@cinenest/testkit';
import {
  diskUsage,
  fetchStream,
  MiB,
  PIECE,
  sha256,
  sleep,
  startWorld,
  type Movie,
  type StreamBody,
  videoTorrent,
  type World,
} from './support.js';

/**
 * A storage budget that holds one video only: streaming a second one deletes the first (the least
 * recently used, nobody watching it), and what is on disk never crosses the budget.
 */

/** Just above one video's reservation (4 MiB), well below two. */
const BUDGET = 6 * MiB;

let world: World;
let first: TestTorrent;
let second: TestTorrent;
let movieA: Movie;
let movieB: Movie;

beforeAll(async () => {
  first = await videoTorrent('Budget A (2003) [720p]', 4 * MiB);
  second = await videoTorrent('Budget B (2003) [720p]', 4 * MiB);
  world = await startWorld({
    movies: [[first], [second]],
    seeded: [first, second],
    streamerEnv: { STORAGE_LIMIT: String(BUDGET) },
  });
  [movieA, movieB] = world.movies as [Movie, Movie];
}, 60_000);

afterAll(async () => {
  await world?.close();
}, 60_000);

/** Samples the bytes on disk of STORAGE_DIR every few milliseconds until stopped; resolves with the peak. */
function sampleDisk(dir: string): { stop: () => Promise<{ peak: number; samples: number }> } {
  let running = true;
  let peak = 0;
  let samples = 0;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await diskUsage(dir));
      samples++;
      await sleep(10);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { peak, samples };
    },
  };
}

let streamA: StreamBody;
let streamB: StreamBody;

describe('a storage budget of one video', () => {
  it('streaming B deletes A (least recently used, idle); the disk never holds more than the budget', async () => {
    const sampler = sampleDisk(world.storageDir);
    try {
      const a = await world.play(movieA);
      expect(a.status).toBe(200);
      streamA = a.body;
      const gotA = await fetchStream(a.body.streamUrl);
      expect(gotA.res.status).toBe(200);
      expect(sha256(gotA.bytes)).toBe(sha256(first.content(0)));
      const sourceA = await world.sourceId(first);
      expect((await world.storage()).torrents.map((t) => t.sourceId)).toEqual([sourceA]);

      const b = await world.play(movieB);
      expect(b.status).toBe(200);
      streamB = b.body;
      const gotB = await fetchStream(b.body.streamUrl);
      expect(gotB.res.status).toBe(200);
      expect(sha256(gotB.bytes)).toBe(sha256(second.content(0)));
    } finally {
      const { peak, samples } = await sampler.stop();
      expect(samples).toBeGreaterThan(10);
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(BUDGET + PIECE);
    }

    const report = await world.storage();
    expect(report.budgetBytes).toBe(BUDGET);
    expect(report.torrents.map((t) => t.sourceId)).toEqual([await world.sourceId(second)]);
    expect(report.torrents[0]).toMatchObject({ progress: 1, movie: { tmdbId: movieB.tmdbId } });
    expect(report.reservedBytes).toBeLessThanOrEqual(BUDGET);
    expect(await diskUsage(world.storageDir)).toBeLessThanOrEqual(BUDGET);
    expect(await world.db.storage.count()).toBe(1);
  }, 40_000);

  it("A's URL plays again: A comes back from the swarm and B, idle, makes room", async () => {
    const sampler = sampleDisk(world.storageDir);
    try {
      const got = await fetchStream(streamA.streamUrl, { range: 'bytes=1000-1999' });
      expect(got.res.status).toBe(206);
      expect(got.bytes.equals(first.content(0).subarray(1000, 2000))).toBe(true);
      expect((await world.storage()).torrents.map((t) => t.sourceId)).toEqual([await world.sourceId(first)]);
      // And B's URL too (A, idle, makes room in turn).
      const gotB = await fetchStream(streamB.streamUrl);
      expect(gotB.res.status).toBe(200);
      expect(sha256(gotB.bytes)).toBe(sha256(second.content(0)));
    } finally {
      expect((await sampler.stop()).peak).toBeLessThanOrEqual(BUDGET + PIECE);
    }
    expect((await world.storage()).torrents.map((t) => t.sourceId)).toEqual([await world.sourceId(second)]);
  }, 40_000);
});

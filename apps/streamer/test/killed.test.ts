import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestTorrent } from '@cinenest/testkit';
import { waitFor } from '@cinenest/testkit';
import {
  fetchStream,
  MiB,
  sha256,
  startWorld,
  videoTorrent,
  type StreamBody,
  type World,
} from './support.js';

/**
 * The streamer killed (SIGKILL) in the middle of a stream: the player gets a clean error, not a hang
 * nor a silently short file; new plays answer 503; started again, with the seeder gone, the same URL
 * plays the whole video from the pieces kept on disk.
 */

let world: World;
let video: TestTorrent;
let stream: StreamBody;

beforeAll(async () => {
  video = await videoTorrent('Killed (2006) [720p]', 12 * MiB);
  world = await startWorld({ movies: [[video]], seeded: [video] });
}, 60_000);

afterAll(async () => {
  await world?.close();
}, 60_000);

describe('a streamer killed during a stream', () => {
  it('the player gets a clean error, and the streamer resumes from the stored pieces', async () => {
    const answer = await world.play(world.movies[0]!);
    expect(answer.status).toBe(200);
    stream = answer.body;
    const first = await fetchStream(stream.streamUrl);
    expect(sha256(first.bytes)).toBe(sha256(video.content(0)));
    // Its pieces are recorded (the streamer saves them every 5 s).
    const sourceId = await world.sourceId(video);
    await waitFor(async () => (await world.db.storage.findUnique({ where: { sourceId } }))?.progress === 1, {
      timeoutMs: 15_000,
    });

    // A player reading slowly, through the API's proxy.
    const res = await fetch(stream.streamUrl, { signal: AbortSignal.timeout(30_000) });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const head = await reader.read();
    expect(head.done).toBe(false);
    world.streamer().child.kill('SIGKILL');
    expect(await world.streamer().exitWithin(5000)).toBe('SIGKILL');
    const started = Date.now();
    let received = head.value!.length;
    const outcome = await (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return 'ended';
          received += value.length;
        }
      } catch {
        return 'error';
      }
    })();
    // Never a silently complete-looking short file: the read fails (or the file really was all sent).
    expect(outcome === 'error' || received === video.length).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);

    const meanwhile = await world.play(world.movies[0]!);
    expect(meanwhile.status).toBe(503);

    await world.seeder!.stop();
    await world.startStreamer();
    const again = await fetchStream(stream.streamUrl);
    expect(again.res.status).toBe(200);
    expect(sha256(again.bytes)).toBe(sha256(video.content(0)));
  }, 60_000);
});

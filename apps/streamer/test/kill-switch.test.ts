import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startVpnCheckStandIn, waitFor, type TestTorrent, type VpnCheckStandIn } from '@cinenest/testkit';
import {
  fetchStream,
  MiB,
  sha256,
  sleep,
  startWorld,
  type Movie,
  type StreamBody,
  videoTorrent,
  type World,
} from './support.js';

/**
 * The kill switch: the streamer polls VPN_CHECK_URL; once it fails, no torrent starts and every
 * running one drops its peers, while bytes already on disk still play; once it passes again,
 * streaming resumes.
 */

let vpn: VpnCheckStandIn;
let world: World;
let first: TestTorrent;
let second: TestTorrent;
let movieA: Movie;
let movieB: Movie;
let streamA: StreamBody;

beforeAll(async () => {
  first = await videoTorrent('Tunnel A (2004) [720p]', 2 * MiB);
  second = await videoTorrent('Tunnel B (2004) [720p]', 2 * MiB);
  vpn = await startVpnCheckStandIn(true);
  world = await startWorld({
    movies: [[first], [second]],
    seeded: [first, second],
    // Only the streamer checks the VPN here (the worker's jobs are not what is tested).
    streamerEnv: { DISABLE_VPN_CHECK: 'false', VPN_CHECK_URL: vpn.url, VPN_CHECK_INTERVAL: '1' },
  });
  [movieA, movieB] = world.movies as [Movie, Movie];
}, 60_000);

afterAll(async () => {
  await world?.close();
  await vpn?.close();
}, 60_000);

describe('the kill switch', () => {
  it('while the VPN is up, a movie streams', async () => {
    expect((await world.storage()).vpn).toBe('up');
    const a = await world.play(movieA);
    expect(a.status).toBe(200);
    streamA = a.body;
    const { res, bytes } = await fetchStream(streamA.streamUrl);
    expect(res.status).toBe(200);
    expect(sha256(bytes)).toBe(sha256(first.content(0)));
    const status = await world.torrentStatus(a.body.source.id);
    expect(status).toMatchObject({ state: 'active', progress: 1 });
    expect(status!.peers).toBeGreaterThan(0);
  }, 30_000);

  it('VPN down: within 5 s every torrent is paused without peers and POST stream answers 503', async () => {
    const sourceA = streamA.source.id;
    vpn.setProtected(false);
    const at = Date.now();
    await waitFor(async () => (await world.storage()).vpn === 'down', { timeoutMs: 6000, intervalMs: 100 });
    expect(Date.now() - at).toBeLessThanOrEqual(5000);

    const b = await world.play(movieB);
    expect(b.status).toBe(503);
    expect(b.body.error?.code).toBe('service_unavailable');
    expect(b.headers.get('retry-after')).not.toBeNull();
    expect(Date.now() - at).toBeLessThanOrEqual(5500);

    const report = await world.storage();
    expect(report.torrents.map((t) => [t.sourceId, t.state])).toEqual([[sourceA, 'paused']]);
    await waitFor(async () => (await world.torrentStatus(sourceA))?.peers === 0, { timeoutMs: 3000 });
    expect(await world.torrentStatus(sourceA)).toMatchObject({ state: 'paused', peers: 0 });
    // Nothing of B was started, not even its torrent.
    expect(await world.torrentStatus(await world.sourceId(second))).toBeNull();
  }, 20_000);

  it('VPN down: it stays quiet (no peer comes back), and bytes already downloaded still play', async () => {
    await sleep(1500);
    expect(await world.torrentStatus(streamA.source.id)).toMatchObject({ state: 'paused', peers: 0 });
    const { res, bytes } = await fetchStream(streamA.streamUrl, { range: 'bytes=1048576-' });
    expect(res.status).toBe(206);
    expect(bytes.equals(first.content(0).subarray(1048576))).toBe(true);
    const b = await world.play(movieB);
    expect(b.status).toBe(503);
  }, 15_000);

  it('VPN up again: torrents resume, and a new movie streams', async () => {
    vpn.setProtected(true);
    await waitFor(async () => (await world.storage()).vpn === 'up', { timeoutMs: 6000, intervalMs: 100 });
    const b = await world.play(movieB);
    expect(b.status).toBe(200);
    const { res, bytes } = await fetchStream(b.body.streamUrl);
    expect(res.status).toBe(200);
    expect(sha256(bytes)).toBe(sha256(second.content(0)));
    const report = await world.storage();
    expect(report.torrents.map((t) => t.state)).toEqual(['active', 'active']);
  }, 30_000);
});

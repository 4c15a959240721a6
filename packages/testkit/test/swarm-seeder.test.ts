// webtorrent ships no types; the testkit's declaration covers what the test's leecher uses.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../src/swarm/webtorrent.d.ts" />
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebTorrent from 'webtorrent';
import {
  generatedBytes,
  makeFileTorrent,
  makeTestTorrent,
  startSeeder,
  startTrackerStandIn,
  startUnresponsiveTracker,
  torrentVariant,
  type Seeder,
  type TrackerStandIn,
} from '../src/index.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const KiB = 1024;

let tracker: TrackerStandIn;
let root: string;
const seeders: Seeder[] = [];
let n = 0;
const folder = (name: string) => join(root, `${name}-${++n}`);

async function seeder(options: Parameters<typeof startSeeder>[0]): Promise<Seeder> {
  const started = await startSeeder(options);
  seeders.push(started);
  return started;
}

/**
 * A WebTorrent client in the test's own process (Jest's ESM VM runs it), with only the trackers
 * (no DHT, LSD or PEX) to find peers: what it downloads came from the seeder through the tracker.
 */
async function leech(torrentFile: Buffer, announce: string[], timeoutMs = 20_000): Promise<string> {
  const dir = folder('leecher');
  const client = new WebTorrent({ dht: false, lsd: false, utPex: false, natUpnp: false, natPmp: false });
  client.on('error', () => undefined);
  try {
    const torrent = client.add(new Uint8Array(torrentFile), { path: dir, announce });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `the leecher had ${Math.floor(torrent.progress * 100)}% from ${torrent.numPeers} peers after ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      torrent.once('done', () => {
        clearTimeout(timer);
        resolve();
      });
      torrent.once('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(err));
      });
    });
    return dir;
  } finally {
    await new Promise<void>((resolve) => client.destroy(() => resolve()));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  tracker = await startTrackerStandIn();
  root = mkdtempSync(join(tmpdir(), 'cinenest-swarm-'));
});
afterAll(async () => {
  await Promise.all(seeders.map((s) => s.kill()));
  await tracker?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('startSeeder', () => {
  it('seeds a generated torrent that a leecher downloads through the tracker, byte for byte', async () => {
    const torrent = await makeTestTorrent({ title: 'Swarm Test', videoSize: 2 * 1024 * KiB + 123 });
    const s = await seeder({
      torrents: [torrent],
      announce: [tracker.httpAnnounce, tracker.udpAnnounce],
      dir: folder('seeder'),
    });
    expect(s.infoHashes).toEqual([torrent.infoHash]);
    expect(s.peerAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(s.peerAddress).toBe(`127.0.0.1:${s.port}`);
    expect(s.output()).toMatch(new RegExp(`^seeder: seeding ${torrent.infoHash} `, 'm'));

    // The leecher knows only the tracker (its .torrent lists none): the seeder's announce told it where to go.
    const dir = await leech(torrent.torrentFile, [tracker.udpAnnounce]);
    expect(torrent.files).toHaveLength(3);
    for (const [i, file] of torrent.files.entries())
      expect(sha256(readFileSync(join(dir, file.path)))).toBe(sha256(torrent.content(i)));
  });

  it('seeds torrents whose files are already on disk, several at once, one file behind two torrents', async () => {
    const media = folder('media');
    mkdirSync(media);
    const content = generatedBytes('on-disk', 700 * KiB + 5);
    writeFileSync(join(media, 'Demo Movie.mp4'), content);
    const base = await makeFileTorrent(join(media, 'Demo Movie.mp4'), { announce: [tracker.httpAnnounce] });
    const variant = await torrentVariant(base, 'cinenest-demo 42');
    expect(variant.infoHash).not.toBe(base.infoHash);
    expect(variant).toMatchObject({ name: 'Demo Movie.mp4', length: content.length, dir: media });
    const generated = await makeTestTorrent({ title: 'Other' });

    const s = await seeder({ torrents: [base, generated, variant], dir: folder('seeder') });
    expect(s.infoHashes).toEqual([base.infoHash, generated.infoHash, variant.infoHash]);

    // The .torrent names the tracker; the leecher adds none.
    for (const torrent of [base, variant]) {
      const dir = await leech(torrent.torrentFile, []);
      expect(sha256(readFileSync(join(dir, 'Demo Movie.mp4')))).toBe(sha256(content));
    }
  });

  it('kill() ends it at once (SIGKILL); stop() lets it leave the swarm and exit 0', async () => {
    const torrent = await makeTestTorrent({ title: 'Killed' });
    const killed = await seeder({
      torrents: [torrent],
      announce: [tracker.udpAnnounce],
      dir: folder('seeder'),
    });
    expect(await accepts(killed.port)).toBe(true);
    await killed.kill();
    expect(await killed.exited).toBe('SIGKILL');
    expect(await accepts(killed.port)).toBe(false);

    const stopped = await seeder({
      torrents: [torrent],
      announce: [tracker.udpAnnounce],
      dir: folder('seeder'),
    });
    const started = Date.now();
    await stopped.stop();
    expect(await stopped.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await accepts(stopped.port)).toBe(false);
  });

  it('leaves when the process that started it is gone without stopping it', async () => {
    // A parent in a hurry: starts a seeder and exits at once.
    const testkit = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script =
      `const { makeTestTorrent, startSeeder } = await import(${JSON.stringify(testkit)});` +
      `const s = await startSeeder({ torrents: [await makeTestTorrent()], dir: ${JSON.stringify(folder('orphan'))} });` +
      `process.stdout.write(String(s.port)); process.exit(0);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise((resolve) => parent.once('exit', resolve));
    const port = Number(out);
    expect(port).toBeGreaterThan(0);
    const deadline = Date.now() + 5000;
    while ((await accepts(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await accepts(port)).toBe(false);
  });

  it('fails fast and says why when the files on disk are not the torrent’s', async () => {
    const media = folder('media');
    mkdirSync(media);
    writeFileSync(join(media, 'clip.mp4'), generatedBytes('right', 100 * KiB));
    const torrent = await makeFileTorrent(join(media, 'clip.mp4'));
    writeFileSync(join(media, 'clip.mp4'), generatedBytes('wrong', 100 * KiB));
    const started = Date.now();
    await expect(startSeeder({ torrents: [torrent], dir: folder('seeder') })).rejects.toThrow(
      /the seeder failed: .*clip\.mp4\): the files in .* do not match the \.torrent \(0% of 102400 bytes verified\)/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up within its bound when no tracker answers, with the process output', async () => {
    const silent = await startUnresponsiveTracker();
    try {
      const started = Date.now();
      const err = await startSeeder({
        torrents: [await makeTestTorrent({ title: 'Unannounced' })],
        announce: [silent.httpAnnounce],
        dir: folder('seeder'),
        timeoutMs: 1500,
      }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(
        /not every torrent was verified and announced within 1500 ms \(.*: no tracker answered its announce\)/,
      );
      expect((err as Error).message).toMatch(/--- seeder output ---\nseeder: listening 127\.0\.0\.1:/);
      expect(Date.now() - started).toBeLessThan(8000);
      expect(silent.received().http).toBeGreaterThan(0);
    } finally {
      await silent.close();
    }
  });
});

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '../process.js';
import type { TestTorrent } from '../torrents/make.js';
import {
  CONFIG_ENV,
  failedLine,
  readyLine,
  type SeederConfig,
  type SeederReady,
  type SeederTorrentConfig,
} from './protocol.js';

/** A torrent whose files are already on disk: the .torrent and the folder its file paths start from. */
export interface TorrentOnDisk {
  torrentFile: Buffer | Uint8Array;
  /** A single-file torrent: the folder holding the file; several files: the folder holding the torrent's folder. */
  dir: string;
}

/** What the seeder seeds: a generated test torrent (its files are written out first) or one on disk. */
export type SeedableTorrent = TestTorrent | TorrentOnDisk;

export interface SeederOptions {
  torrents: SeedableTorrent[];
  /** Announce URLs, added to each .torrent's own (for example a tracker stand-in's two). */
  announce?: string[];
  /** A folder of the seeder's own: its config, the .torrent files, and the test torrents' content. */
  dir: string;
  /** The TCP/uTP port on 127.0.0.1; default a free one. */
  port?: number;
  /** uTP besides TCP (default true). */
  utp?: boolean;
  /** Ready only once a tracker has answered each torrent's announce (default: when there are announce URLs). */
  waitForAnnounce?: boolean;
  /** How long verifying the files and announcing may take, all torrents together (default 30 s). */
  timeoutMs?: number;
  /** Extra environment for the process (for example DEBUG=webtorrent*). */
  env?: Record<string, string>;
}

export interface Seeder {
  /** "127.0.0.1:PORT": where peers reach the seeder (TCP, and uTP when `utp`). */
  peerAddress: string;
  port: number;
  /** Lower case, in the order given. */
  infoHashes: string[];
  utp: boolean;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM (it leaves the swarm, announcing 'stopped'), SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>;
  /** SIGKILL: gone at once, no goodbye to trackers or peers; resolves once it exited. */
  kill(): Promise<void>;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
}

const isTestTorrent = (t: SeedableTorrent): t is TestTorrent =>
  'content' in t && typeof t.content === 'function';

/** The built process entry: beside this module in dist, or in dist when a test runs the sources. */
function seederEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'seeder-main.js'), join(here, '../../dist/swarm/seeder-main.js')];
  const found = candidates.find((file) => existsSync(file));
  if (!found)
    throw new Error(
      'the seeder process is not built: run `npx tsc -b packages/testkit` (or `npm run build`)',
    );
  return found;
}

const tail = (text: string, chars = 3000) => (text.length > chars ? `…${text.slice(-chars)}` : text);

async function writeTestTorrentFiles(torrent: TestTorrent, dir: string): Promise<void> {
  await Promise.all(
    torrent.files.map(async (file, index) => {
      const path = resolve(dir, file.path);
      if (!path.startsWith(dir + sep)) throw new Error(`a file path leaves the folder: ${file.path}`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, torrent.content(index));
    }),
  );
}

function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  // A test runner's Node flags (--experimental-vm-modules) are not for this process.
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

/**
 * A seeder in a process of its own: a WebTorrent 3 client on 127.0.0.1 (no DHT, LSD, PEX or port
 * mapping; TCP and uTP) seeding the given torrents and announcing them to the given trackers.
 * Resolves once every torrent's files were verified against its pieces and (when there are
 * trackers) a tracker answered its announce; rejects with the process's output otherwise, after a
 * bounded wait. Needs the built testkit (dist/swarm/seeder-main.js).
 *
 *   const tracker = await startTrackerStandIn();
 *   const seeder = await startSeeder({
 *     torrents: [await makeTestTorrent()],
 *     announce: [tracker.httpAnnounce, tracker.udpAnnounce],
 *     dir: mkdtempSync(join(tmpdir(), 'seeder-')),
 *   });
 *   ...
 *   await seeder.stop();
 */
export async function startSeeder(options: SeederOptions): Promise<Seeder> {
  if (options.torrents.length === 0) throw new RangeError('the seeder needs at least one torrent');
  const entry = seederEntry();
  const dir = resolve(options.dir);
  await mkdir(join(dir, 'torrents'), { recursive: true });
  const announce = options.announce ?? [];
  const torrents: SeederTorrentConfig[] = await Promise.all(
    options.torrents.map(async (torrent, i) => {
      const torrentFile = join(dir, 'torrents', `${i}.torrent`);
      await writeFile(torrentFile, torrent.torrentFile);
      if (!isTestTorrent(torrent)) return { torrentFile, dir: resolve(torrent.dir) };
      const contentDir = join(dir, 'content', torrent.infoHash);
      await writeTestTorrentFiles(torrent, contentDir);
      return { torrentFile, dir: contentDir };
    }),
  );
  const config: SeederConfig = {
    torrents,
    announce,
    port: options.port ?? 0,
    utp: options.utp ?? true,
    waitForAnnounce: options.waitForAnnounce ?? announce.length > 0,
    timeoutMs: options.timeoutMs ?? 30_000,
  };
  const configFile = join(dir, 'seeder.json');
  await writeFile(configFile, JSON.stringify(config, null, 2));

  const proc = startProcess(entry, childEnv({ ...options.env, [CONFIG_ENV]: configFile }), dir);
  const running = () => proc.child.exitCode === null && proc.child.signalCode === null;
  const kill = async () => {
    if (running()) proc.child.kill('SIGKILL');
    await proc.exited;
  };
  // Beyond the process's own bound, so that it has had its chance to say what is missing.
  const budget = config.timeoutMs + 10_000;
  let ready: SeederReady;
  try {
    ready = await new Promise<SeederReady>((resolveReady, reject) => {
      let settled = false;
      const settle = (err: Error | undefined, line?: SeederReady) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        proc.child.stdout?.off('data', check);
        if (err) reject(err);
        else resolveReady(line!);
      };
      // startProcess collects the output in a listener registered before this one.
      const check = () => {
        const out = proc.output();
        const failed = failedLine(out);
        if (failed !== undefined) settle(new Error(`the seeder failed: ${failed}`));
        else {
          const line = readyLine(out);
          if (line) settle(undefined, line);
        }
      };
      const timer = setTimeout(
        () => settle(new Error(`the seeder was not ready within ${budget} ms`)),
        budget,
      );
      proc.child.stdout?.on('data', check);
      void proc.exited.then((code) => {
        check();
        settle(new Error(`the seeder exited (${code}) before it was ready`));
      });
    });
  } catch (err) {
    await kill();
    throw new Error(`${(err as Error).message}\n--- seeder output ---\n${tail(proc.output())}`, {
      cause: err,
    });
  }
  return {
    peerAddress: `${ready.host}:${ready.port}`,
    port: ready.port,
    infoHashes: ready.infoHashes,
    utp: ready.utp,
    output: proc.output,
    exited: proc.exited,
    kill,
    stop: async () => {
      if (running()) proc.child.kill('SIGTERM');
      if ((await proc.exitWithin(5000)) === 'still running') await kill();
    },
  };
}

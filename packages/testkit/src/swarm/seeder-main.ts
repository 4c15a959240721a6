// webtorrent ships no types; see the declaration beside this file.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./webtorrent.d.ts" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import WebTorrent, { type Torrent } from 'webtorrent';
import { CONFIG_ENV, type SeederConfig, type SeederReady } from './protocol.js';

/**
 * The seeder process: a WebTorrent 3 client on loopback (no DHT, LSD, PEX or UPnP/NAT-PMP; TCP and,
 * unless turned off, uTP, both bound to 127.0.0.1) seeding the torrents of the JSON config named on
 * its command line (or in SWARM_CONFIG) from the files already on disk, verified piece by piece
 * first. See protocol.ts for what it prints. SIGTERM / SIGINT: it leaves the swarm and exits 0.
 */

const HOST = '127.0.0.1';
const say = (line: string) => process.stdout.write(`seeder: ${line}\n`);

function fail(message: string): never {
  say(`failed ${message.replace(/\s+/g, ' ')}`);
  process.exit(2);
}

process.on('uncaughtException', (err) => fail(`uncaught: ${err.stack ?? String(err)}`));
process.on('unhandledRejection', (err) => fail(`unhandled rejection: ${String(err)}`));

const configFile = process.argv[2] ?? process.env[CONFIG_ENV];
if (!configFile) fail(`usage: node seeder-main.js <config.json> (or ${CONFIG_ENV}=<config.json>)`);
const config = JSON.parse(readFileSync(configFile, 'utf8')) as SeederConfig;

/**
 * WebTorrent listens on every interface (`server.listen(port)`); this process wants loopback only,
 * so while the client starts, a TCP listen without a host gets 127.0.0.1.
 */
function bindToLoopback<T>(start: () => T): T {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function'))
      args.splice(1, 0, HOST);
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof listen;
  try {
    return start();
  } finally {
    net.Server.prototype.listen = listen;
  }
}

/** The same for uTP: utp-native (found beside webtorrent) binds a moment later, so this patch stays. */
type UtpBind = (port?: unknown, ip?: unknown, cb?: unknown) => unknown;
function bindUtpToLoopback(): void {
  let UTP: { prototype: { bind: UtpBind } } | undefined;
  try {
    const fromWebtorrent = createRequire(createRequire(import.meta.url).resolve('webtorrent'));
    UTP = fromWebtorrent('utp-native') as typeof UTP;
  } catch {
    return; // no uTP here: WebTorrent runs TCP only
  }
  const bind = UTP!.prototype.bind;
  UTP!.prototype.bind = function (this: unknown, port, ip, cb) {
    if (typeof port === 'function') return bind.call(this, 0, HOST, port);
    if (typeof ip === 'function') return bind.call(this, port, HOST, ip);
    return bind.call(this, port, ip ?? HOST, cb);
  };
}

function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const errorText = (err: Error | string) => (typeof err === 'string' ? err : err.message);

if (config.utp) bindUtpToLoopback();
const client = bindToLoopback(
  () =>
    new WebTorrent({
      dht: false,
      lsd: false,
      utPex: false,
      natUpnp: false,
      natPmp: false,
      webSeeds: false,
      utp: config.utp,
      torrentPort: config.port,
    }),
);
client.on('error', (err) => {
  // uTP failing to bind only turns uTP off; anything else ends the client.
  if (client.destroyed) fail(`client: ${errorText(err)}`);
  else say(`warning ${errorText(err)}`);
});

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  const exit = () => process.exit(0);
  // Leaving the swarm announces 'stopped' to the trackers; a tracker that does not answer must not hold us.
  setTimeout(exit, 3000).unref();
  client.destroy(exit);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// No orphans: when whoever started the seeder is gone without stopping it (killed, or exited in a
// hurry), the seeder leaves too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid === parent) return;
  say('the process that started the seeder is gone; leaving');
  stop();
}, 1000).unref();

await withTimeout(
  'the client was not listening',
  10_000,
  new Promise<void>((resolve) => (client.listening ? resolve() : client.once('listening', resolve))),
).catch((err: Error) => fail(err.message));
const address = client.address();
if (!address) fail('the client has no address');
say(`listening ${address.address}:${address.port} (${client.utp ? 'tcp, utp' : 'tcp'})`);

/** Where each torrent still is (by its .torrent file), for the message when one takes too long. */
const pending = new Map<string, () => string>();

/** Adds one torrent; resolves once its files are verified complete and (if asked) a tracker answered. */
function seed(torrentFile: string, dir: string): Promise<Torrent> {
  return new Promise((resolve, rejectWith) => {
    // A torrent that fails says why itself; it is no longer pending.
    const reject = (err: Error) => {
      pending.delete(torrentFile);
      rejectWith(err);
    };
    const torrent = client.add(new Uint8Array(readFileSync(torrentFile)), {
      path: dir,
      announce: config.announce,
    });
    // The .torrent is parsed asynchronously: its hash and name are known from 'metadata' on.
    const label = () => (torrent.infoHash ? `${torrent.infoHash} (${torrent.name})` : torrentFile);
    let announced = !config.waitForAnnounce;
    let verified = false;
    pending.set(torrentFile, () => `${label()}: checking its files in ${dir}`);
    const settle = () => {
      if (verified && !announced)
        pending.set(torrentFile, () => `${label()}: no tracker answered its announce`);
      if (!verified || !announced) return;
      pending.delete(torrentFile);
      resolve(torrent);
    };
    torrent.on('error', (err) => reject(new Error(`${label()}: ${errorText(err)}`)));
    torrent.on('warning', (err) => say(`warning ${label()}: ${errorText(err)}`));
    torrent.once('trackerAnnounce', () => {
      announced = true;
      settle();
    });
    torrent.once('ready', () => {
      // 'ready' follows the check of the files on disk; `done` is set right after, when all were there.
      setImmediate(() => {
        if (!torrent.done) {
          const share = Math.floor(torrent.progress * 1000) / 10;
          reject(
            new Error(
              `${label()}: the files in ${dir} do not match the .torrent ` +
                `(${share}% of ${torrent.length} bytes verified)`,
            ),
          );
          return;
        }
        say(`seeding ${torrent.infoHash} ${torrent.name} (${torrent.length} bytes)`);
        verified = true;
        settle();
      });
    });
  });
}

try {
  const torrents = await withTimeout(
    `not every torrent was verified${config.waitForAnnounce ? ' and announced' : ''}`,
    config.timeoutMs,
    Promise.all(config.torrents.map((t) => seed(t.torrentFile, t.dir))),
  );
  const ready: SeederReady = {
    host: address.address,
    port: address.port,
    infoHashes: torrents.map((t) => t.infoHash),
    utp: client.utp,
  };
  say(`ready ${JSON.stringify(ready)}`);
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  const where = [...pending.values()].map((state) => state());
  fail(`${message}${where.length ? ` (still pending: ${where.join('; ')})` : ''}`);
}

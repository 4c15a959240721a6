// The floor of the stream bench: a bare WebTorrent 3 client behind a plain node:http server, in a
// process of its own like the streamer, with the streamer's client options (no DHT, LSD, UPnP,
// NAT-PMP or web seeds). It knows the .torrent files named in FLOOR_TORRENTS (a JSON array of paths)
// and adds torrent i on the first GET /t/<i> (as the streamer adds a torrent when play is pressed),
// then serves its largest file with Range over file.createReadStream. POST /reset removes every
// torrent and its files, so the next request starts cold. PORT, FLOOR_DIR (where pieces go),
// FLOOR_ANNOUNCE (comma-separated announce URLs added to each torrent), FLOOR_STORE_CACHE_SLOTS
// (WebTorrent's storeCacheSlots; default its own), FLOOR_UTP=false (TCP only). Prints "listening" when ready.
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import rangeParser from 'range-parser';
import WebTorrent from 'webtorrent';

const torrentFiles = JSON.parse(process.env.FLOOR_TORRENTS ?? '[]');
const dir = process.env.FLOOR_DIR;
const announce = (process.env.FLOOR_ANNOUNCE ?? '').split(',').filter(Boolean);
// WebTorrent's in-memory piece cache per torrent (default 20 pieces); FLOOR_STORE_CACHE_SLOTS sets it.
const cacheSlots = process.env.FLOOR_STORE_CACHE_SLOTS
  ? Number(process.env.FLOOR_STORE_CACHE_SLOTS)
  : undefined;
if (!dir || torrentFiles.length === 0) throw new Error('FLOOR_DIR and FLOOR_TORRENTS are needed');

const client = new WebTorrent({
  dht: false,
  lsd: false,
  natUpnp: false,
  natPmp: false,
  webSeeds: false,
  torrentPort: 0,
  // TCP only, as the streamer by default (TORRENT_UTP=false); FLOOR_UTP=true: uTP first, as WebTorrent
  // does when it has it.
  utp: process.env.FLOOR_UTP === 'true',
});
client.on('error', (err) => process.stderr.write(`floor: client error ${String(err)}\n`));

/** Torrent index → Promise of the running torrent (added once, on the first request). */
const added = new Map();
let generation = 0;

function torrentAt(index) {
  let pending = added.get(index);
  if (!pending) {
    pending = new Promise((resolve, reject) => {
      const torrent = client.add(readFileSync(torrentFiles[index]), {
        path: join(dir, `${generation}-${index}`),
        announce,
        ...(cacheSlots === undefined ? {} : { storeCacheSlots: cacheSlots }),
      });
      torrent.once('ready', () => resolve(torrent));
      torrent.once('error', reject);
    });
    added.set(index, pending);
  }
  return pending;
}

async function reset() {
  const torrents = await Promise.allSettled([...added.values()]);
  added.clear();
  generation++;
  await Promise.all(
    torrents
      .filter((t) => t.status === 'fulfilled' && !t.value.destroyed)
      .map((t) => new Promise((resolve) => t.value.destroy({ destroyStore: true }, () => resolve()))),
  );
  rmSync(dir, { recursive: true, force: true });
}

const server = createServer((req, res) => {
  const fail = (status, message) => {
    if (res.headersSent) res.destroy();
    else res.writeHead(status, { 'content-type': 'text/plain' }).end(`${message}\n`);
  };
  if (req.method === 'POST' && req.url === '/reset') {
    reset().then(
      () => res.writeHead(204).end(),
      (err) => fail(500, String(err)),
    );
    return;
  }
  const match = /^\/t\/(\d+)$/.exec(req.url ?? '');
  const index = match ? Number(match[1]) : NaN;
  if (req.method !== 'GET' || !(index >= 0 && index < torrentFiles.length)) return fail(404, 'not found');
  torrentAt(index).then(
    (torrent) => {
      const file = torrent.files.reduce((a, b) => (b.length > a.length ? b : a));
      let start = 0;
      let end = file.length - 1;
      let status = 200;
      const ranges = req.headers.range ? rangeParser(file.length, req.headers.range) : -2;
      if (ranges === -1) return fail(416, 'range not satisfiable');
      if (Array.isArray(ranges) && ranges.length > 0) {
        ({ start, end } = ranges[0]);
        status = 206;
      }
      const headers = {
        'accept-ranges': 'bytes',
        'content-type': 'video/mp4',
        'content-length': String(end - start + 1),
      };
      if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${file.length}`;
      res.writeHead(status, headers);
      pipeline(file.createReadStream({ start, end }), res, () => undefined);
    },
    (err) => fail(500, String(err)),
  );
});

server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
const stop = () => {
  server.closeAllConnections();
  server.close();
  client.destroy(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

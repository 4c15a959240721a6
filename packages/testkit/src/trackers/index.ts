// bittorrent-tracker ships no types; testkit's own tests reach this file through ../src and needs them too.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./bittorrent-tracker.d.ts" />
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'bittorrent-tracker';

export interface TrackerScrape {
  protocol: 'http' | 'udp';
  /** Info-hashes the request carried. */
  hashes: number;
  /** Date.now() when it arrived. */
  at: number;
}

export interface SwarmFigures {
  /** Seeders. */
  complete: number;
  /** Leechers. */
  incomplete: number;
}

export interface TrackerStandIn {
  /** http://127.0.0.1:port/announce (its scrape URL is /scrape, as clients derive it). */
  httpAnnounce: string;
  /** udp://127.0.0.1:port/announce */
  udpAnnounce: string;
  /** What both protocols answer for this info-hash (hex, either case) from now on. */
  setSwarm(infoHash: string, figures: SwarmFigures): void;
  /** Every scrape request received so far, oldest first. */
  scrapes(): TrackerScrape[];
  close(): Promise<void>;
}

const listening = (socket: HttpServer | Socket, listen: () => void) =>
  new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('listening', () => {
      socket.off('error', reject);
      resolve();
    });
    listen();
  });

/**
 * A real bittorrent-tracker Server on loopback, HTTP and UDP (IPv4 only; no WebSocket), answering
 * scrapes for many hashes at once as public trackers do; a hash it does not know is answered 0/0.
 *
 * Counts: setSwarm() writes them into the server's own swarm record (a `Server.Swarm` in
 * `server.torrents`, what its scrape handler reads), so no fake peers have to announce and any
 * figures — thousands of seeders — cost nothing. Announces still work and move the same counters.
 *
 * Scrapes are recorded as they arrive, from the raw request (the query's info_hash parameters, the
 * UDP packet's length), by listeners placed ahead of the server's own.
 */
export async function startTrackerStandIn(): Promise<TrackerStandIn> {
  const server = new Server({ http: true, udp: true, ws: false, stats: false });
  const log: TrackerScrape[] = [];
  server.on('warning', () => undefined);
  server.on('error', () => undefined);
  // Loopback IPv4 only: the udp6 socket would not bind to 127.0.0.1; it is never bound, so close it.
  server.udp6?.close();
  server.udp6 = null;
  const http = server.http!;
  const udp = server.udp4!;
  http.prependListener('request', (req) => {
    const url = new URL(req.url ?? '/', 'http://tracker');
    if (url.pathname === '/scrape')
      log.push({ protocol: 'http', hashes: url.searchParams.getAll('info_hash').length, at: Date.now() });
  });
  udp.prependListener('message', (msg: Buffer) => {
    // BEP 15: connection id (8), action (4; 2 = scrape), transaction id (4), then 20 bytes a hash.
    if (msg.length >= 16 && msg.readUInt32BE(8) === 2)
      log.push({ protocol: 'udp', hashes: Math.floor((msg.length - 16) / 20), at: Date.now() });
  });
  await Promise.all([
    listening(http, () => http.listen(0, '127.0.0.1')),
    listening(udp, () => udp.bind(0, '127.0.0.1')),
  ]);
  const httpPort = (http.address() as AddressInfo).port;
  const udpPort = udp.address().port;
  return {
    httpAnnounce: `http://127.0.0.1:${httpPort}/announce`,
    udpAnnounce: `udp://127.0.0.1:${udpPort}/announce`,
    setSwarm: (infoHash, { complete, incomplete }) => {
      const hash = infoHash.toLowerCase();
      const swarm = (server.torrents[hash] ??= new Server.Swarm(hash, server));
      swarm.complete = complete;
      swarm.incomplete = incomplete;
    },
    scrapes: () => log.map((s) => ({ ...s })),
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface UnresponsiveTracker {
  /** A UDP tracker address that takes every packet and never answers. */
  udpAnnounce: string;
  /** An HTTP tracker address that accepts every request and never answers. */
  httpAnnounce: string;
  /** Packets and requests received so far. */
  received(): { udp: number; http: number };
  close(): Promise<void>;
}

/** A tracker that is "down" the slow way: it is there, takes requests, and says nothing. */
export async function startUnresponsiveTracker(): Promise<UnresponsiveTracker> {
  const counts = { udp: 0, http: 0 };
  const udp = createSocket('udp4');
  udp.on('message', () => counts.udp++);
  const http = createServer(() => {
    counts.http++; // and no answer
  });
  await Promise.all([
    listening(udp, () => udp.bind(0, '127.0.0.1')),
    listening(http, () => http.listen(0, '127.0.0.1')),
  ]);
  return {
    udpAnnounce: `udp://127.0.0.1:${udp.address().port}/announce`,
    httpAnnounce: `http://127.0.0.1:${(http.address() as AddressInfo).port}/announce`,
    received: () => ({ ...counts }),
    close: async () => {
      udp.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

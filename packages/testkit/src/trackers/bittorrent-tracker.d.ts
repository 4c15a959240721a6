/**
 * The part of bittorrent-tracker@11's server the tracker stand-in uses (the package ships no types).
 * Only `Server` is declared here; packages/queue declares `Client` in a declaration of its own, and
 * the two merge should one program see both.
 */
declare module 'bittorrent-tracker' {
  import type { EventEmitter } from 'node:events';
  import type { Server as HttpServer } from 'node:http';
  import type { Socket } from 'node:dgram';

  export interface ServerOptions {
    http?: boolean;
    udp?: boolean;
    ws?: boolean;
    stats?: boolean;
    interval?: number;
  }

  /** A torrent's swarm as the server keeps it: a scrape answers its two counters. */
  export interface Swarm {
    infoHash: string;
    complete: number;
    incomplete: number;
  }

  export class Server extends EventEmitter {
    constructor(opts?: ServerOptions);
    /** The default swarm implementation (what announces create and scrapes read). */
    static Swarm: new (infoHash: string, server: Server) => Swarm;
    readonly http: HttpServer | null;
    udp4: Socket | null;
    udp6: Socket | null;
    /** Swarms by lower-case hex info-hash. */
    torrents: Record<string, Swarm>;
    close(cb?: (err?: Error | null) => void): void;
  }
}

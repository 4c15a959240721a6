/**
 * The part of webtorrent@3 the testkit's seeder (and its tests' leecher) use; the package ships no
 * types. The streamer keeps a declaration of its own; should one program see both, they merge.
 */
declare module 'webtorrent' {
  import type { EventEmitter } from 'node:events';
  import type { AddressInfo } from 'node:net';

  export interface WebTorrentOptions {
    /** false: no DHT. */
    dht?: boolean | object;
    /** false: no Local Service Discovery. */
    lsd?: boolean;
    /** false: no peer exchange. */
    utPex?: boolean;
    /** false: no UPnP / NAT-PMP port mapping. */
    natUpnp?: boolean | 'permanent';
    natPmp?: boolean;
    /** The TCP (and uTP) port; 0 or absent: one the kernel picks. */
    torrentPort?: number;
    /** false: TCP only. */
    utp?: boolean;
    /** false: no trackers; an object: options for bittorrent-tracker's client. */
    tracker?: boolean | Record<string, unknown>;
    webSeeds?: boolean;
    maxConns?: number;
  }

  export interface AddOptions {
    /** The folder the torrent's files are (or go) in: file paths are joined to it. */
    path?: string;
    /** Announce URLs added to the .torrent's own. */
    announce?: string[];
    /** Trust the files on disk without hashing them. */
    skipVerify?: boolean;
    /** Peers to connect to directly ("host:port"). */
    peerAddresses?: string[];
    /** Do not select any piece at first. */
    deselect?: boolean;
  }

  export interface TorrentFile {
    name: string;
    /** "<torrent name>/<path>" for a multi-file torrent, the name for a single file. */
    path: string;
    length: number;
    offset: number;
    done: boolean;
  }

  export interface Torrent extends EventEmitter {
    /** 40 hex digits, lower case. */
    readonly infoHash: string;
    readonly name: string;
    readonly path: string;
    readonly length: number;
    readonly pieceLength: number;
    /** Verified bytes. */
    readonly downloaded: number;
    readonly uploaded: number;
    /** 0..1 */
    readonly progress: number;
    /** Open wires. */
    readonly numPeers: number;
    readonly ready: boolean;
    readonly done: boolean;
    readonly destroyed: boolean;
    readonly files: TorrentFile[];
    destroy(opts?: { destroyStore?: boolean } | null, cb?: (err?: Error | null) => void): void;
    on(event: 'ready' | 'done' | 'trackerAnnounce' | 'metadata', listener: () => void): this;
    on(event: 'error' | 'warning', listener: (err: Error | string) => void): this;
    on(event: 'wire', listener: (wire: unknown, addr?: string) => void): this;
    once(event: 'ready' | 'done' | 'trackerAnnounce' | 'metadata', listener: () => void): this;
    once(event: 'error' | 'warning', listener: (err: Error | string) => void): this;
  }

  export default class WebTorrent extends EventEmitter {
    constructor(opts?: WebTorrentOptions);
    static readonly UTP_SUPPORT: boolean;
    readonly torrents: Torrent[];
    readonly listening: boolean;
    readonly destroyed: boolean;
    /** The port the client listens on (once `listening`). */
    readonly torrentPort: number;
    /** Whether uTP is on (it turns off when its socket fails). */
    readonly utp: boolean;
    /** The TCP server's address, null until listening. */
    address(): AddressInfo | null;
    add(torrentId: Uint8Array | string, opts?: AddOptions, ontorrent?: (torrent: Torrent) => void): Torrent;
    destroy(cb?: (err?: Error | null) => void): void;
    on(event: 'listening', listener: () => void): this;
    on(event: 'error', listener: (err: Error | string) => void): this;
    on(event: 'torrent', listener: (torrent: Torrent) => void): this;
    once(event: 'listening', listener: () => void): this;
    once(event: 'error', listener: (err: Error | string) => void): this;
  }
}

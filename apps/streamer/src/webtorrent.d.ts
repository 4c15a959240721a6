/** The parts of webtorrent@3 the streamer uses (the package ships no types). Checked against 3.0.x. */
declare module 'webtorrent' {
  import { EventEmitter } from 'node:events';

  export interface TorrentFile {
    readonly name: string;
    readonly path: string;
    readonly length: number;
    readonly offset: number;
    readonly downloaded: number;
    readonly progress: number;
    readonly done: boolean;
    select(priority?: number): void;
    deselect(): void;
    /** Yields the bytes from start to end (inclusive), waiting for pieces as needed. */
    [Symbol.asyncIterator](opts?: { start?: number; end?: number }): AsyncIterator<Uint8Array>;
  }

  export interface Bitfield {
    readonly buffer: Uint8Array;
    get(index: number): boolean;
  }

  export interface Wire {
    destroy(): void;
  }

  export interface Discovery {
    destroy(cb?: () => void): void;
  }

  export interface Torrent extends EventEmitter {
    readonly infoHash: string;
    readonly name: string;
    readonly ready: boolean;
    readonly destroyed: boolean;
    readonly paused: boolean;
    readonly done: boolean;
    readonly files: TorrentFile[];
    readonly pieceLength: number;
    readonly lastPieceLength: number;
    /** The .torrent file (bencoded), known once the metadata is. */
    readonly torrentFile: Uint8Array | undefined;
    readonly pieces: unknown[];
    readonly bitfield: Bitfield | null;
    readonly numPeers: number;
    readonly downloaded: number;
    readonly downloadSpeed: number;
    readonly uploadSpeed: number;
    readonly wires: Wire[];
    readonly length: number;
    readonly path: string;
    discovery: Discovery | null;
    _peers: Map<string, unknown> | null;
    _noPeersIntervalId: NodeJS.Timeout | null;
    _startDiscovery(): void;
    removePeer(id: string): void;
    select(start: number, end: number, priority?: number): void;
    deselect(start: number, end: number): void;
    critical(start: number, end: number): void;
    pause(): void;
    resume(): void;
    destroy(opts?: { destroyStore?: boolean }, cb?: (err?: Error | null) => void): void;
  }

  export interface AddOptions {
    path?: string;
    announce?: string[];
    deselect?: boolean;
    bitfield?: Uint8Array;
    paused?: boolean;
    strategy?: 'sequential' | 'rarest';
    storeCacheSlots?: number;
  }

  export interface Options {
    dht?: boolean | object;
    lsd?: boolean;
    utPex?: boolean;
    natUpnp?: boolean;
    natPmp?: boolean;
    webSeeds?: boolean;
    torrentPort?: number;
    dhtPort?: number;
    utp?: boolean;
    maxConns?: number;
    tracker?: boolean | object;
  }

  export default class WebTorrent extends EventEmitter {
    constructor(opts?: Options);
    readonly torrents: Torrent[];
    readonly torrentPort: number;
    readonly dhtPort: number;
    readonly nodeId: string;
    dht: (EventEmitter & { destroy(cb?: () => void): void; listen(port?: number): void }) | false;
    readonly downloadSpeed: number;
    readonly uploadSpeed: number;
    add(torrentId: Uint8Array | string, opts?: AddOptions, onTorrent?: (torrent: Torrent) => void): Torrent;
    get(torrentId: string): Promise<Torrent | null>;
    destroy(cb?: (err?: Error | null) => void): void;
  }
}

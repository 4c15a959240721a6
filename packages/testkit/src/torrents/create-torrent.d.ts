/** The part of create-torrent@6 the stand-ins use (the package ships no types). */
declare module 'create-torrent' {
  export interface CreateTorrentOptions {
    /** The torrent's name: its folder (several files) or its file (one). */
    name?: string;
    creationDate?: Date;
    comment?: string;
    createdBy?: string;
    private?: boolean;
    pieceLength?: number;
    /** Tiers of announce URLs; [] for none (left out, create-torrent adds public trackers). */
    announceList?: string[][];
    urlList?: string[];
    /** Leave out hidden and OS junk files (default true). */
    filterJunkFiles?: boolean;
  }

  /** Buffers named by a `name` property (a path inside the torrent, '/'-separated). */
  export type CreateTorrentInput = Buffer | Uint8Array | Array<Buffer | Uint8Array>;

  export default function createTorrent(
    input: CreateTorrentInput,
    opts: CreateTorrentOptions,
    cb: (err: Error | null, torrent: Uint8Array) => void,
  ): void;
}

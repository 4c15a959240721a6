import type { Torrent, TorrentFile } from 'webtorrent';

/** A torrent in the WebTorrent client, with the one file it streams. */
export interface Entry {
  sourceId: number;
  storageId: number;
  folder: string;
  torrent: Torrent;
  file: TorrentFile;
  fileIndex: number;
  firstPiece: number;
  lastPiece: number;
  reservedBytes: number;
  /** Open stream responses reading from it. */
  readers: number;
  lastAccessAt: number;
  /** A peer connected at some point (tells "no peers" from "no progress"). */
  peersSeen: boolean;
}

/** Set bits between two piece indexes (inclusive). */
export function countBits(bits: Uint8Array | undefined, from: number, to: number): number {
  if (!bits) return 0;
  let n = 0;
  for (let i = from; i <= to; i++) if ((bits[i >> 3]! >> (7 - (i & 7))) & 1) n++;
  return n;
}

/**
 * Share of the file's pieces verified. (WebTorrent's own file.progress misses the last piece of a
 * file that ends exactly on a piece boundary.)
 */
export function fileProgress(entry: Pick<Entry, 'torrent' | 'file' | 'firstPiece' | 'lastPiece'>): number {
  if (entry.file.done) return 1;
  const total = entry.lastPiece - entry.firstPiece + 1;
  return countBits(entry.torrent.bitfield?.buffer, entry.firstPiece, entry.lastPiece) / total;
}

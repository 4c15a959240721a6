import type { Db } from '@cinenest/db';
import type { Cipher } from '@cinenest/secrets';
import type { Torrent } from 'webtorrent';

export interface LoadedSource {
  sourceId: number;
  /** The .torrent file when sources.metadata fetched it, else the magnet link (metadata from peers). */
  torrentId: Buffer | string;
  /** The main video file as sources.metadata chose it; null until metadata is known. */
  videoFileIndex: number | null;
  quality: string;
}

/** Reads a source and decrypts what the streamer needs to add it; null when there is no such source. */
export async function loadSource(db: Db, cipher: Cipher, sourceId: number): Promise<LoadedSource | null> {
  const row = await db.movieSource.findUnique({
    where: { id: sourceId },
    select: { id: true, torrentFileEnc: true, magnetEnc: true, videoFileIndex: true, quality: true },
  });
  if (!row) return null;
  return {
    sourceId: row.id,
    torrentId: row.torrentFileEnc
      ? cipher.decrypt(row.torrentFileEnc)
      : cipher.decrypt(row.magnetEnc).toString('utf8'),
    videoFileIndex: row.videoFileIndex,
    quality: row.quality,
  };
}

/**
 * Keeps the metadata a magnet got from peers as the source's .torrent (encrypted, with the facts
 * sources.metadata would have stored). Without it a stopped torrent — after a restart, an idle stop —
 * could not be added again from its pieces on disk unless some peer sent the metadata again.
 * A .torrent already held is left as it is.
 */
export async function keepTorrentFile(
  db: Db,
  cipher: Cipher,
  sourceId: number,
  torrent: Pick<Torrent, 'torrentFile' | 'pieceLength' | 'files'>,
  videoFileIndex: number,
): Promise<void> {
  const video = torrent.files[videoFileIndex];
  if (!torrent.torrentFile || !video) return;
  await db.movieSource.updateMany({
    where: { id: sourceId, torrentFileEnc: null },
    data: {
      torrentFileEnc: cipher.encrypt(Buffer.from(torrent.torrentFile)),
      pieceLength: torrent.pieceLength,
      fileCount: torrent.files.length,
      videoFileIndex,
      videoFileName: video.name,
      videoFileSize: BigInt(video.length),
      metadataStatus: 'READY',
      metadataAttempts: 0,
      metadataError: null,
      nextMetadataAt: null,
    },
  });
}

import type { Db } from '@cinenest/db';
import type { Cipher } from '@cinenest/secrets';

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

import type { Db } from '@cinenest/db';
import type { Cipher } from '@cinenest/secrets';
import { normaliseHash, type YtsMovie, type YtsTorrent } from '@cinenest/yts';

export interface SourceRow {
  quality: string;
  codec: string;
  type: string | null;
  sizeBytes: bigint;
  infoHash: string;
}

const QUALITIES = new Set(['480p', '720p', '1080p', '2160p', '3D']);

/** YTS says "1080p.x265" for HEVC; Cinenest keeps quality and codec apart. */
export function qualityAndCodec(t: YtsTorrent): { quality: string; codec: string } | null {
  const [quality, suffix] = String(t.quality).split('.');
  if (!quality || !QUALITIES.has(quality)) return null;
  const codec = suffix === 'x265' || /265|hevc/i.test(t.video_codec ?? '') ? 'x265' : 'x264';
  return { quality, codec };
}

export function magnetOf(hash: string, title: string, trackers: readonly string[]): string {
  const params = [
    `xt=urn:btih:${hash}`,
    `dn=${encodeURIComponent(title)}`,
    ...trackers.map((tr) => `tr=${encodeURIComponent(tr)}`),
  ];
  return `magnet:?${params.join('&')}`;
}

/**
 * Stores a movie's YTS torrents, encrypted; a source already held (same movie, same info-hash, by
 * its keyed hash) is left as it is, so running the search twice — even at once — adds no rows.
 * Returns how many were new.
 */
export async function saveYtsSources(
  db: Db,
  cipher: Cipher,
  movieId: number,
  movies: YtsMovie[],
  trackers: readonly string[],
): Promise<number> {
  const rows = [];
  for (const movie of movies) {
    for (const t of movie.torrents ?? []) {
      const kind = qualityAndCodec(t);
      let hash: string;
      try {
        hash = normaliseHash(t.hash);
      } catch {
        continue;
      }
      if (!kind || !(t.size_bytes > 0)) continue;
      rows.push({
        movieId,
        provider: 'yts',
        hashLookup: cipher.lookup(hash),
        infoHashEnc: cipher.encrypt(hash),
        magnetEnc: cipher.encrypt(magnetOf(hash, movie.title_long ?? movie.title, trackers)),
        torrentUrlEnc: t.url ? cipher.encrypt(t.url) : null,
        quality: kind.quality,
        codec: kind.codec,
        type: t.type || null,
        sizeBytes: BigInt(Math.round(t.size_bytes)),
        seeds: Math.max(0, t.seeds | 0),
        peers: Math.max(0, t.peers | 0),
        uploadedAt: t.date_uploaded_unix ? new Date(t.date_uploaded_unix * 1000) : null,
        nextStatsCheckAt: new Date(),
      });
    }
  }
  if (!rows.length) return 0;
  const { count } = await db.movieSource.createMany({ data: rows, skipDuplicates: true });
  return count;
}

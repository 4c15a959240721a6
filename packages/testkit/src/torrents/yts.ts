import type { YtsStandInTorrent } from '../yts/catalog.js';
import type { YtsMirrors } from '../yts/server.js';
import type { TestTorrent } from './make.js';

/** A test torrent as a movie's YTS entry lists it; the other fields override the generated ones. */
export type ListedTestTorrent = TestTorrent | ({ torrent: TestTorrent } & Partial<YtsStandInTorrent>);

/**
 * Makes the YTS stand-in list these torrents as the movie's (replacing what it listed: hash and size
 * from each torrent, the rest generated unless given) and serve each one's .torrent file on every
 * mirror at the listed URL. Returns the torrents as now listed, in order.
 */
export function serveTestTorrents(
  yts: Pick<YtsMirrors, 'setTorrents' | 'setTorrentFile'>,
  imdbId: string,
  torrents: ListedTestTorrent[],
): YtsStandInTorrent[] {
  const entries = torrents.map((t) => ('torrent' in t ? t : { torrent: t }));
  const listed = yts.setTorrents(
    imdbId,
    entries.map(({ torrent, ...fields }) => ({
      hash: torrent.infoHash.toUpperCase(),
      size_bytes: torrent.length,
      ...fields,
    })),
  );
  for (const { torrent } of entries) yts.setTorrentFile(torrent.infoHash, torrent.torrentFile);
  return listed;
}

import type { Logger } from '@cinenest/logger';
import type { Torrent } from 'webtorrent';
import type { Entry } from './entry.js';
import { PrepareError } from './errors.js';

export function readyBy(torrent: Torrent, deadline: number, logger: Logger): Promise<void> {
  if (torrent.ready) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new PrepareError('no_metadata', 'The torrent metadata did not arrive in time')),
      Math.max(0, deadline - Date.now()),
    );
    const onReady = () => finish();
    // WebTorrent's messages may name the info-hash: the reason goes to the log, never to a client.
    const onError = (err: Error) => {
      logger.warn('torrent could not be added', { message: err.message });
      finish(new PrepareError('no_metadata', 'The torrent could not be added'));
    };
    const finish = (err?: Error) => {
      clearTimeout(timer);
      torrent.off('ready', onReady);
      torrent.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    torrent.once('ready', onReady);
    torrent.once('error', onError);
  });
}

export function destroyTorrent(torrent: Torrent, destroyStore: boolean): Promise<void> {
  if (torrent.destroyed) return Promise.resolve();
  return new Promise((resolve) => torrent.destroy({ destroyStore }, () => resolve()));
}

/** The file's first piece is verified, or the whole file is there. */
export function hasFirstPiece(entry: Entry): boolean {
  return entry.file.done || Boolean(entry.torrent.bitfield?.get(entry.firstPiece));
}

/**
 * Waits, until the deadline, for the file's first piece; then says whether peers were found at all
 * (no_peers) or sent nothing in time (no_progress).
 */
export function firstPieceBy(entry: Entry, deadline: number): Promise<void> {
  const { torrent } = entry;
  return new Promise<void>((resolve, reject) => {
    const onVerified = () => {
      if (hasFirstPiece(entry)) finish();
    };
    const timer = setTimeout(
      () => {
        const peers = entry.peersSeen || torrent.numPeers > 0;
        finish(
          peers
            ? new PrepareError('no_progress', 'Peers were found but sent nothing in time')
            : new PrepareError('no_peers', 'No peer was found in time'),
        );
      },
      Math.max(0, deadline - Date.now()),
    );
    const finish = (err?: Error) => {
      clearTimeout(timer);
      torrent.off('verified', onVerified);
      if (err) reject(err);
      else resolve();
    };
    torrent.on('verified', onVerified);
  });
}

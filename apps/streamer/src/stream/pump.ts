import type { ServerResponse } from 'node:http';
import type { TorrentFile } from 'webtorrent';

export type PumpEnd = 'done' | 'aborted' | 'timeout' | 'ended';

export interface PumpOptions {
  /** How long one read may wait for a missing piece. */
  readTimeoutMs: number;
  /** Called before the first byte is written: the response head goes out with the first bytes. */
  onFirstChunk: () => void;
  /** Called for every chunk written, with its length (last-access bookkeeping, bytes served). */
  onChunk: (bytes: number) => void;
}

const TIMEOUT = Symbol('timeout');
const CLOSED = Symbol('closed');

/**
 * Copies bytes start..end (inclusive) of a torrent file to the response, waiting for pieces as they
 * arrive and for the client to drain (backpressure). Stops reading when the client goes away; a read
 * that waits longer than readTimeoutMs ends it.
 */
export async function pump(
  file: TorrentFile,
  start: number,
  end: number,
  res: ServerResponse,
  options: PumpOptions,
): Promise<PumpEnd> {
  const reader = file[Symbol.asyncIterator]({ start, end });
  let remaining = end - start + 1;
  let first = true;
  let onClose: () => void = () => undefined;
  const closed = new Promise<typeof CLOSED>((resolve) => {
    onClose = () => resolve(CLOSED);
    res.once('close', onClose);
  });
  try {
    while (remaining > 0) {
      if (res.destroyed) return 'aborted';
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<typeof TIMEOUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMEOUT), options.readTimeoutMs);
      });
      const next = await Promise.race([reader.next(), timeout, closed]);
      clearTimeout(timer);
      if (next === CLOSED) return 'aborted';
      if (next === TIMEOUT) return 'timeout';
      if (next.done) return 'ended';
      const chunk = next.value.length > remaining ? next.value.subarray(0, remaining) : next.value;
      remaining -= chunk.length;
      if (first) {
        first = false;
        options.onFirstChunk();
      }
      options.onChunk(chunk.length);
      if (!res.write(chunk)) {
        const drained = await Promise.race([
          new Promise<void>((resolve) => res.once('drain', () => resolve())),
          closed,
        ]);
        if (drained === CLOSED) return 'aborted';
      }
    }
    res.end();
    return 'done';
  } finally {
    res.off('close', onClose);
    void reader.return?.();
  }
}

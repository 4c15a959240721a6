// create-torrent ships no types; testkit's own tests reach this file through ../src and need them too.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../torrents/create-torrent.d.ts" />
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import createTorrent from 'create-torrent';
import parseTorrent, { toTorrentFile } from 'parse-torrent';
import type { TorrentOnDisk } from './seeder.js';

/** A single-file torrent of a file on disk, ready for startSeeder() (as it is a TorrentOnDisk). */
export interface FileTorrent extends TorrentOnDisk {
  torrentFile: Buffer;
  /** 40 hex digits, lower case. */
  infoHash: string;
  /** The torrent's name: the file's name. */
  name: string;
  /** The file's size. */
  length: number;
  /** The folder holding the file. */
  dir: string;
}

export interface FileTorrentOptions {
  /** Announce URLs, one tier each. */
  announce?: string[];
  /** Default: create-torrent's choice for the size (a power of two, at least 16 KiB). */
  pieceLength?: number;
  /**
   * The info dictionary's `source` field: the same file under another source is another torrent
   * (another info-hash), as cross-seeding tools do it. Default none.
   */
  source?: string;
}

/** The creation date written into every file, so the same file and options give the same bytes. */
const CREATED = new Date(Date.UTC(2024, 0, 1));

async function described(torrentFile: Uint8Array, dir: string): Promise<FileTorrent> {
  const parsed = await parseTorrent(torrentFile);
  return {
    torrentFile: Buffer.from(torrentFile.buffer, torrentFile.byteOffset, torrentFile.byteLength),
    infoHash: parsed.infoHash.toLowerCase(),
    name: parsed.name ?? '',
    length: parsed.length ?? 0,
    dir,
  };
}

/** A real .torrent of one file on disk (its content hashed once, here). */
export async function makeFileTorrent(path: string, options: FileTorrentOptions = {}): Promise<FileTorrent> {
  const file = resolve(path);
  if (!(await stat(file)).isFile()) throw new Error(`not a file: ${path}`);
  const content = Object.assign(await readFile(file), { name: basename(file) });
  const made = await new Promise<Uint8Array>((done, fail) =>
    createTorrent(
      content,
      {
        name: basename(file),
        creationDate: CREATED,
        createdBy: 'cinenest-testkit',
        announceList: (options.announce ?? []).map((url) => [url]),
        ...(options.pieceLength ? { pieceLength: options.pieceLength } : {}),
        filterJunkFiles: false,
      },
      (err, torrent) => (err ? fail(err) : done(torrent)),
    ),
  );
  const torrent = await described(made, dirname(file));
  return options.source === undefined ? torrent : torrentVariant(torrent, options.source);
}

/**
 * The same content as another torrent: `source` written into the info dictionary gives another
 * info-hash, while the files, their pieces and where they are on disk stay the same. Cheap (nothing
 * is hashed again), so one file can stand behind many torrents.
 */
export async function torrentVariant(torrent: FileTorrent, source: string): Promise<FileTorrent> {
  const parsed = await parseTorrent(torrent.torrentFile);
  const info = { ...(parsed.info as Record<string, unknown>), source: Buffer.from(source) };
  return described(toTorrentFile({ ...parsed, info }), torrent.dir);
}

// create-torrent ships no types; testkit's own tests reach this file through ../src and need them too.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./create-torrent.d.ts" />
import { createHash } from 'node:crypto';
import createTorrent from 'create-torrent';
import parseTorrent from 'parse-torrent';

/** Real, small .torrent files for the stand-ins: generated content, nothing read from disk. */

export interface TestTorrentFileSpec {
  /** The file's path inside the torrent ('/'-separated), e.g. "Subs/English.srt". */
  path: string;
  /** Bytes of content generated from the torrent's seed and the path (ignored when `content` is given). */
  size?: number;
  content?: Buffer | string;
}

export interface TestTorrentOptions {
  /** Default "Movie Title". */
  title?: string;
  /** Default 2000. */
  year?: number;
  /** Default "1080p". */
  quality?: string;
  /**
   * The torrent's name (its folder when it has several files); default
   * "<title> (<year>) [<quality>] [YTS.MX]", as YTS names them.
   */
  name?: string;
  /**
   * The files, in order. Default: "<title> (<year>) [<quality>].mp4" of `videoSize` bytes, then a
   * small .srt and a small .txt. One file makes a single-file torrent (named after its path unless
   * `name` is given).
   */
  files?: TestTorrentFileSpec[];
  /** The default video file's size (default 320 KiB). */
  videoSize?: number;
  /** Default 16 KiB (a power of two, at least 16 KiB, as clients expect). */
  pieceLength?: number;
  /** Announce URLs, one tier each; default none. */
  announce?: string[];
  /** Seeds the content; default the name. Two torrents of different seeds have different hashes. */
  seed?: string | number;
}

export interface TestTorrentFile {
  /** As parse-torrent gives it: "<torrent name>/<path>" for a multi-file torrent. */
  path: string;
  /** The last part of the path. */
  name: string;
  length: number;
  /** Where the file starts in the torrent's byte stream. */
  offset: number;
}

export interface TestTorrent {
  /** 40 hex digits, lower case. */
  infoHash: string;
  /** The .torrent file, bencoded, as a mirror would serve it. */
  torrentFile: Buffer;
  name: string;
  pieceLength: number;
  /** Every file's length summed. */
  length: number;
  files: TestTorrentFile[];
  /** The generated content of the file at this index (what a seeder would serve). */
  content(index: number): Buffer;
}

const KiB = 1024;
/** The creation date written into every file, so the same options give the same bytes. */
const CREATED = new Date(Date.UTC(2024, 0, 1));

/** Deterministic bytes: SHA-256 in counter mode over the seed. */
export function generatedBytes(seed: string, size: number): Buffer {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`not a file size: ${size}`);
  const out = Buffer.alloc(size);
  for (let at = 0, block = 0; at < size; block++) {
    const digest = createHash('sha256').update(`${seed}:${block}`).digest();
    at += digest.copy(out, at, 0, Math.min(digest.length, size - at));
  }
  return out;
}

const SRT = (title: string) =>
  `1\n00:00:01,000 --> 00:00:04,000\n${title}\n\n2\n00:00:05,000 --> 00:00:08,000\n(a generated subtitle)\n`;

/**
 * A real .torrent of generated content: by default a "<title> (<year>) [<quality>].mp4" of a few
 * hundred KiB with a subtitle and a text file beside it, as YTS packs them. The same options give the
 * same bytes and hash.
 */
export async function makeTestTorrent(options: TestTorrentOptions = {}): Promise<TestTorrent> {
  const title = options.title ?? 'Movie Title';
  const year = options.year ?? 2000;
  const quality = options.quality ?? '1080p';
  const base = `${title} (${year}) [${quality}]`;
  const single = options.files?.length === 1 ? options.files[0]!.path : undefined;
  const name = options.name ?? single ?? `${base} [YTS.MX]`;
  const seed = String(options.seed ?? name);
  const pieceLength = options.pieceLength ?? 16 * KiB;
  if (!Number.isInteger(Math.log2(pieceLength)) || pieceLength < 16 * KiB)
    throw new RangeError(`piece length must be a power of two of at least 16 KiB: ${pieceLength}`);

  const specs: TestTorrentFileSpec[] = options.files ?? [
    { path: `${base}.mp4`, size: options.videoSize ?? 320 * KiB },
    { path: `${base}.srt`, content: SRT(title) },
    { path: 'YTS.MX.txt', content: `Downloaded from the Cinenest YTS stand-in: ${name}\n` },
  ];
  if (specs.length === 0) throw new RangeError('a torrent needs at least one file');
  const contents = specs.map((spec) =>
    spec.content !== undefined
      ? Buffer.from(spec.content)
      : generatedBytes(`${seed}:${spec.path}`, spec.size ?? 0),
  );
  const inputs = specs.map((spec, i) => {
    const content = contents[i]!;
    // create-torrent reads a buffer's path from its `name`; a copy keeps `contents` untouched.
    return Object.assign(Buffer.from(content), { name: specs.length === 1 ? name : spec.path });
  });

  const made = await new Promise<Uint8Array>((resolve, reject) =>
    createTorrent(
      inputs.length === 1 ? inputs[0]! : inputs,
      {
        name,
        pieceLength,
        creationDate: CREATED,
        createdBy: 'cinenest-testkit',
        announceList: (options.announce ?? []).map((url) => [url]),
        filterJunkFiles: false,
      },
      (err, torrent) => (err ? reject(err) : resolve(torrent)),
    ),
  );
  const torrentFile = Buffer.from(made.buffer, made.byteOffset, made.byteLength);
  const parsed = await parseTorrent(torrentFile);
  const files = (parsed.files ?? []).map((f) => ({
    path: f.path,
    name: f.name,
    length: f.length,
    offset: f.offset,
  }));
  if (files.length !== contents.length) throw new Error('create-torrent left a file out');
  return {
    infoHash: parsed.infoHash.toLowerCase(),
    torrentFile,
    name,
    pieceLength: parsed.pieceLength ?? pieceLength,
    length: files.reduce((n, f) => n + f.length, 0),
    files,
    content: (index) => {
      const content = contents[index];
      if (!content) throw new RangeError(`the torrent has no file ${index}`);
      return Buffer.from(content);
    },
  };
}

import { randomInt } from 'node:crypto';
import type { Db } from '@cinenest/db';
import { mainFileIndex } from '@cinenest/sources';
import axios, { type AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import axiosRetry from 'axios-retry';
import { UnrecoverableError } from 'bullmq';
import parseTorrent from 'parse-torrent';
import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A .torrent of a movie is tens of KiB; anything past this is not one. */
export const MAX_TORRENT_BYTES = 10 * 1024 * 1024;
const TIMEOUT_MS = 15_000;
/** Retries within one run, for a refused or reset connection or a 5xx/429 (a 404 is final). */
const HTTP_RETRIES = 2;
/** Failed runs before a source is marked UNAVAILABLE (it is still retried daily after that). */
export const METADATA_MAX_ATTEMPTS = 5;
/** The wait after the first failed run; it doubles with every further failure, up to a day. */
const FIRST_RETRY_MS = 30 * MINUTE;

/** Connection failures worth another try at once (a timeout or a refused size limit is not). */
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

let http: AxiosInstance | undefined;

/** One download attempt, as told to the hook: the host only (the rest of the URL holds the info-hash). */
export interface TorrentDownloadAttempt {
  host: string;
  /** The HTTP status, or the error code when there was no answer. */
  status: string;
  durationMs: number;
}

let onAttempt: ((attempt: TorrentDownloadAttempt) => void) | undefined;

/** Tells `hook` of every .torrent download attempt of this process, retries included (for metrics). */
export function observeTorrentDownloads(hook: ((attempt: TorrentDownloadAttempt) => void) | undefined): void {
  onAttempt = hook;
}

/** One HTTP client per process: binary bodies, bounded in time and size, a few quick retries. */
function client(): AxiosInstance {
  if (http) return http;
  http = axios.create({
    timeout: TIMEOUT_MS,
    responseType: 'arraybuffer',
    maxContentLength: MAX_TORRENT_BYTES,
    maxRedirects: 3,
    headers: { Accept: 'application/x-bittorrent, */*;q=0.5', 'User-Agent': 'Cinenest' },
  });
  const started = new WeakMap<object, number>();
  const attempted = (config: InternalAxiosRequestConfig | undefined, status: string) => {
    if (!onAttempt || !config?.url) return;
    let host = 'unknown';
    try {
      host = new URL(config.url).host;
    } catch {
      // Not a URL: counted as unknown.
    }
    onAttempt({ host, status, durationMs: Date.now() - (started.get(config) ?? Date.now()) });
  };
  http.interceptors.request.use((config) => {
    started.set(config, Date.now());
    return config;
  });
  // Registered before axios-retry's, so it sees each attempt once.
  http.interceptors.response.use(
    (response) => {
      attempted(response.config, String(response.status));
      return response;
    },
    (error: unknown) => {
      if (axios.isAxiosError(error))
        attempted(error.config, error.response ? String(error.response.status) : (error.code ?? 'error'));
      throw error;
    },
  );
  axiosRetry(http, {
    retries: HTTP_RETRIES,
    retryCondition: (error: AxiosError) => {
      const status = error.response?.status;
      if (status !== undefined) return status >= 500 || status === 429;
      return RETRYABLE_CODES.has(error.code ?? '');
    },
    retryDelay: (retry) => 200 * 2 ** (retry - 1) + randomInt(0, 100),
  });
  return http;
}

/**
 * Why a download failed, in words that never carry the URL (it holds the info-hash, which is only
 * ever stored encrypted).
 */
function downloadError(err: unknown): string {
  if (!axios.isAxiosError(err)) return 'download failed';
  if (err.response) return `HTTP ${err.response.status}`;
  if (/maxContentLength/.test(err.message)) return `larger than ${MAX_TORRENT_BYTES} bytes`;
  if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT') return 'timed out';
  return `network error (${err.code ?? 'unknown'})`;
}

type Download = { body: Buffer; contentType: string } | { error: string };

async function download(url: string): Promise<Download> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { error: 'the torrent URL is not a URL' };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return { error: 'the torrent URL is not http(s)' };
  try {
    const res = await client().get<ArrayBuffer>(target.href);
    return { body: Buffer.from(res.data), contentType: String(res.headers['content-type'] ?? '') };
  } catch (err) {
    return { error: downloadError(err) };
  }
}

export interface TorrentFacts {
  /** Lower case. */
  infoHash: string;
  pieceLength: number;
  fileCount: number;
  videoFileIndex: number;
  videoFileName: string;
  videoFileSize: number;
}

/** Reads a downloaded body as a .torrent file; a string when it is not one. */
export async function readTorrent(body: Buffer, contentType = ''): Promise<TorrentFacts | string> {
  if (body.length === 0) return 'empty body';
  const head = body.subarray(0, 64).toString('latin1').trimStart();
  if (/html/i.test(contentType) || head.startsWith('<')) return 'an HTML page, not a torrent file';
  // A bencoded dictionary; parse-torrent would also take 20 bare bytes for an info-hash.
  if (body[0] !== 0x64 /* d */) return 'not a torrent file';
  let parsed: Awaited<ReturnType<typeof parseTorrent>>;
  try {
    parsed = await parseTorrent(body);
  } catch {
    return 'not a torrent file (unparseable)';
  }
  const files = parsed.files ?? [];
  const pieceLength = parsed.pieceLength ?? 0;
  if (!parsed.info || files.length === 0 || !/^[0-9a-f]{40}$/i.test(parsed.infoHash ?? ''))
    return 'not a torrent file (no info or files)';
  if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0 || pieceLength > 2 ** 30)
    return 'not a torrent file (bad piece length)';
  if (files.some((f) => !Number.isSafeInteger(f.length) || f.length < 0))
    return 'not a torrent file (bad file length)';
  const index = mainFileIndex(files);
  const main = files[index]!;
  return {
    infoHash: parsed.infoHash.toLowerCase(),
    pieceLength,
    fileCount: files.length,
    videoFileIndex: index,
    videoFileName: main.name,
    videoFileSize: main.length,
  };
}

/** The wait after a failed run, given how many runs failed before it: 30 min doubling, at most a day. */
export function metadataBackoff(previousAttempts: number): number {
  const wait = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, previousAttempts), DAY);
  // Up to 10 % earlier, so sources that failed together (a mirror outage) do not return together.
  return Math.round(wait * (0.9 + Math.random() * 0.1));
}

export type MetadataStatus = 'READY' | 'PENDING' | 'UNAVAILABLE';

interface Failure {
  sourceId: number;
  status: MetadataStatus;
  attempts: number;
  error: string;
}

/**
 * Records a failed run: one more attempt, the reason, and when to try again. PENDING until
 * METADATA_MAX_ATTEMPTS runs failed, or at once when `final` (the file is the wrong torrent); then
 * UNAVAILABLE, which sources.metadata-sweep still retries once a day, since YTS fixes files and
 * mirrors come back. A source made READY meanwhile (another run) is left as it is.
 */
async function recordFailure(
  db: Db,
  source: { id: number; metadataAttempts: number },
  error: string,
  final = false,
): Promise<Failure> {
  const attempts = source.metadataAttempts + 1;
  const unavailable = final || attempts >= METADATA_MAX_ATTEMPTS;
  const wait = unavailable ? DAY : metadataBackoff(source.metadataAttempts);
  const status: MetadataStatus = unavailable ? 'UNAVAILABLE' : 'PENDING';
  await db.movieSource.updateMany({
    where: { id: source.id, metadataStatus: { not: 'READY' } },
    data: {
      metadataStatus: status,
      metadataAttempts: { increment: 1 },
      metadataError: error,
      nextMetadataAt: new Date(Date.now() + wait),
    },
  });
  return { sourceId: source.id, status, attempts, error };
}

/**
 * Downloads a source's .torrent from its (encrypted) URL, checks it is the torrent of the source's
 * info-hash, and stores it encrypted with what streaming needs from it: piece length, file count,
 * the main video file. Expected failures (404, an HTML page, a truncated file, the wrong torrent, an
 * unreachable mirror) do not fail the job: they are recorded on the source with a backoff, and the
 * job completes with the source's status.
 */
export const sourcesMetadata = defineJob({
  name: 'sources.metadata',
  // The mirror is asked for a torrent by its info-hash: from the VPN side, like tracker traffic.
  queue: 'swarm',
  needsVpn: true,
  schema: z.strictObject({ sourceId: z.number().int().positive() }),
  jobId: (p) => `source-metadata.${p.sourceId}`,
  options: { priority: PRIORITY.refresh, attempts: 3, backoff: { type: 'exponential', delay: 30_000 } },
  handler: async ({ sourceId }, { db, cipher, logger }) => {
    const source = await db.movieSource.findUnique({
      where: { id: sourceId },
      select: {
        id: true,
        hashLookup: true,
        torrentUrlEnc: true,
        metadataStatus: true,
        metadataAttempts: true,
      },
    });
    // Dropped since it was enqueued (sources.resync removes dead sources): nothing to do.
    if (!source) return { sourceId, status: 'GONE' };
    if (source.metadataStatus === 'READY') return { sourceId, status: 'READY', fetched: false };

    const fail = async (error: string, final = false) => {
      const failure = await recordFailure(db, source, error, final);
      logger.warn('torrent metadata not had', { ...failure });
      return failure;
    };
    if (!source.torrentUrlEnc) return fail('no torrent URL', true);
    let url: string;
    try {
      url = cipher.decryptText(source.torrentUrlEnc);
    } catch {
      // The keyring cannot read it: the deployment's fault, not the source's. Fail visibly (the
      // sweep enqueues it again after this wait) without counting it against the source.
      await db.movieSource.update({
        where: { id: source.id },
        data: {
          metadataError: 'torrent URL cannot be decrypted',
          nextMetadataAt: new Date(Date.now() + HOUR),
        },
      });
      throw new UnrecoverableError(
        `source ${sourceId}: its torrent URL cannot be decrypted with this keyring`,
      );
    }

    const got = await download(url);
    if ('error' in got) return fail(got.error);
    const facts = await readTorrent(got.body, got.contentType);
    if (typeof facts === 'string') return fail(facts);
    if (cipher.lookup(facts.infoHash) !== source.hashLookup)
      return fail('the file is the torrent of another info-hash', true);

    const { count } = await db.movieSource.updateMany({
      where: { id: source.id },
      data: {
        torrentFileEnc: cipher.encrypt(got.body),
        pieceLength: facts.pieceLength,
        fileCount: facts.fileCount,
        videoFileIndex: facts.videoFileIndex,
        videoFileName: facts.videoFileName,
        videoFileSize: BigInt(facts.videoFileSize),
        metadataStatus: 'READY',
        metadataAttempts: 0,
        metadataError: null,
        nextMetadataAt: null,
      },
    });
    if (count === 0) return { sourceId, status: 'GONE' };
    logger.info('torrent metadata ready', { sourceId, files: facts.fileCount, bytes: got.body.length });
    return { sourceId, status: 'READY', fileCount: facts.fileCount, pieceLength: facts.pieceLength };
  },
});

import { z } from 'zod';

/**
 * The streamer's internal API, spoken only by the API process: the shapes both sides validate.
 * Every call carries `Authorization: Bearer <STREAMER_SECRET>`.
 */

export const prepareRequest = z.strictObject({
  sourceId: z.number().int().positive(),
  /** How long the streamer may wait for metadata and the first piece before giving up on the source. */
  timeoutMs: z.number().int().min(100).max(120_000),
});
export type PrepareRequest = z.infer<typeof prepareRequest>;

export const torrentState = z.enum(['active', 'stopped', 'paused']);

export const preparedSource = z.object({
  sourceId: z.number().int(),
  fileIndex: z.number().int(),
  fileName: z.string(),
  fileSize: z.number().int(),
  mimeType: z.string(),
  peers: z.number().int(),
  progress: z.number(),
  /** Already running or already on disk before this call. */
  reused: z.boolean(),
});
export type PreparedSource = z.infer<typeof preparedSource>;

/** Why a source could not be prepared; the API moves on to the next source for the first three. */
export const prepareFailure = z.enum([
  'no_peers',
  'no_progress',
  'no_metadata',
  'no_video_file',
  'source_not_found',
  'storage_full',
  'vpn_down',
  'busy',
]);
export type PrepareFailure = z.infer<typeof prepareFailure>;

export const torrentStatus = z.object({
  sourceId: z.number().int(),
  state: torrentState,
  peers: z.number().int(),
  downloadSpeed: z.number(),
  uploadSpeed: z.number(),
  /** Share of the selected file verified, 0–1. */
  progress: z.number(),
  readers: z.number().int(),
  lastAccessAt: z.string(),
});
export type TorrentStatus = z.infer<typeof torrentStatus>;

export const storageEntry = z.object({
  id: z.number().int(),
  sourceId: z.number().int(),
  movie: z.object({ tmdbId: z.number().int(), title: z.string() }),
  quality: z.string(),
  fileName: z.string(),
  fileSize: z.number().int(),
  reservedBytes: z.number().int(),
  bytesOnDisk: z.number().int(),
  progress: z.number(),
  state: torrentState,
  readers: z.number().int(),
  lastAccessAt: z.string(),
});
export type StorageEntry = z.infer<typeof storageEntry>;

export const storageReport = z.object({
  /** STORAGE_LIMIT resolved against the disk, and MIN_FREE_DISK. */
  budgetBytes: z.number().int(),
  minFreeBytes: z.number().int(),
  /** Bytes held against the budget (every stored torrent's reservation). */
  reservedBytes: z.number().int(),
  bytesOnDisk: z.number().int(),
  diskFreeBytes: z.number().int(),
  diskTotalBytes: z.number().int(),
  activeTorrents: z.number().int(),
  maxActiveTorrents: z.number().int(),
  vpn: z.enum(['up', 'down', 'disabled', 'unknown']),
  torrents: z.array(storageEntry),
});
export type StorageReport = z.infer<typeof storageReport>;

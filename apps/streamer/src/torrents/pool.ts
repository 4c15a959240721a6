import { join } from 'node:path';
import type { Db } from '@cinenest/db';
import type { Logger } from '@cinenest/logger';
import type { Cipher } from '@cinenest/secrets';
import { contentTypeOf, mainFileIndex } from '@cinenest/sources';
import type { PreparedSource, StorageReport, TorrentStatus } from '@cinenest/streaming';
import type WebTorrent from 'webtorrent';
import {
  budgetBytes,
  diskOf,
  fits,
  removeFolder,
  reservationFor,
  type BudgetSetting,
} from '../storage/budget.js';
import { diskStats, saveEntry, storageReport } from '../storage/report.js';
import { countBits, fileProgress, type Entry } from './entry.js';
import { PrepareError } from './errors.js';
import { Network } from './network.js';
import { keepTorrentFile, loadSource } from './sources.js';
import { destroyTorrent, firstPieceBy, hasFirstPiece, readyBy } from './waits.js';

/** Bytes at each end of the video file fetched first: the MP4 header (moov) sits at one of them. */
const EDGE_BYTES = 1024 * 1024;
/** Pieces of each torrent held in memory by its store. */
const STORE_CACHE_SLOTS = 2;

export interface PoolOptions {
  client: WebTorrent;
  db: Db;
  cipher: Cipher;
  logger: Logger;
  storageDir: string;
  budget: BudgetSetting;
  minFreeBytes: number;
  maxActive: number;
  idleTimeoutMs: number;
  /** Announce URLs added to every torrent's own (TRACKERS). */
  trackers: string[];
  /** Whether peer and tracker traffic is allowed now (the VPN check). */
  networkOpen: () => boolean;
  dht: boolean;
}

type Acquired = { entry: Entry; reused: boolean };

/**
 * The streamer's torrents: adds a source's torrent on demand (resuming from what is on disk), keeps
 * the store within its disk budget by deleting the least recently used idle torrents, caps how many
 * run at once, stops idle ones, and pauses all peer traffic while the VPN is down.
 */
export class TorrentPool {
  private readonly entries = new Map<number, Entry>();
  private readonly adding = new Map<number, Promise<Acquired>>();
  /** Budget and slot decisions run one at a time, so two new torrents cannot both take the last room. */
  private admission: Promise<unknown> = Promise.resolve();
  readonly network: Network;

  constructor(private readonly options: PoolOptions) {
    this.network = new Network(options.client, options.dht, options.logger);
  }

  get activeCount(): number {
    return this.entries.size;
  }

  /** Live figures for /metrics: no I/O. */
  stats(): {
    activeTorrents: number;
    readers: number;
    downloadBytesPerSecond: number;
    uploadBytesPerSecond: number;
  } {
    let readers = 0;
    for (const entry of this.entries.values()) readers += entry.readers;
    return {
      activeTorrents: this.entries.size,
      readers,
      downloadBytesPerSecond: this.options.client.downloadSpeed,
      uploadBytesPerSecond: this.options.client.uploadSpeed,
    };
  }

  /** Storage figures for /metrics (see diskStats). */
  diskStats(): Promise<{ usedBytes: number; budgetBytes: number; freeBytes: number }> {
    return diskStats(this.options);
  }

  /**
   * Adds the source (or finds it running) and waits, at most `timeoutMs`, for its metadata and the
   * first piece of its video file: a source that cannot start playing in time is given up.
   */
  async prepare(sourceId: number, timeoutMs: number): Promise<PreparedSource> {
    const deadline = Date.now() + timeoutMs;
    const { entry, reused } = await this.acquire(sourceId, deadline);
    entry.lastAccessAt = Date.now();
    try {
      await this.firstBytes(entry, deadline);
    } catch (err) {
      if (!reused && entry.readers === 0) await this.giveUp(entry);
      throw err;
    }
    return {
      sourceId,
      fileIndex: entry.fileIndex,
      fileName: entry.file.name,
      fileSize: entry.file.length,
      mimeType: contentTypeOf(entry.file.name),
      peers: entry.torrent.numPeers,
      progress: fileProgress(entry),
      reused,
    };
  }

  /** The running torrent for a stream request, added again (from disk) when it was stopped. */
  async open(sourceId: number, timeoutMs: number): Promise<Entry> {
    return (await this.acquire(sourceId, Date.now() + timeoutMs)).entry;
  }

  /** Marks a reader on the entry; the returned function releases it. */
  attach(entry: Entry): { touch: () => void; release: () => void } {
    entry.readers++;
    entry.lastAccessAt = Date.now();
    let released = false;
    return {
      touch: () => {
        entry.lastAccessAt = Date.now();
      },
      release: () => {
        if (released) return;
        released = true;
        entry.readers--;
        entry.lastAccessAt = Date.now();
      },
    };
  }

  status(sourceId: number): TorrentStatus | null {
    const entry = this.entries.get(sourceId);
    if (!entry) return null;
    return {
      sourceId,
      state: this.network.paused ? 'paused' : 'active',
      peers: entry.torrent.numPeers,
      downloadSpeed: entry.torrent.downloadSpeed,
      uploadSpeed: entry.torrent.uploadSpeed,
      progress: fileProgress(entry),
      readers: entry.readers,
      lastAccessAt: new Date(entry.lastAccessAt).toISOString(),
    };
  }

  /** Stops a running torrent; its pieces stay on disk. False when it was not running. */
  async stop(sourceId: number): Promise<boolean> {
    const entry = this.entries.get(sourceId);
    if (!entry) return false;
    await this.stopEntry(entry);
    return true;
  }

  /** Deletes a stored torrent (stopping it first, readers or not). False when there is no such row. */
  async deleteStorage(storageId: number): Promise<boolean> {
    const row = await this.options.db.storage.findUnique({ where: { id: storageId } });
    if (!row) return false;
    await this.evict(row);
    return true;
  }

  /** Stops torrents nobody has read from for TORRENT_IDLE_TIMEOUT. */
  async stopIdle(now = Date.now()): Promise<void> {
    for (const entry of [...this.entries.values()]) {
      if (entry.readers === 0 && now - entry.lastAccessAt >= this.options.idleTimeoutMs) {
        this.options.logger.info('stopping an idle torrent', { sourceId: entry.sourceId });
        await this.stopEntry(entry);
      }
    }
  }

  /** Writes every running torrent's progress, pieces and last access to its Storage row. */
  async flush(): Promise<void> {
    for (const entry of [...this.entries.values()]) await this.flushEntry(entry, 'ACTIVE');
  }

  async report(vpn: StorageReport['vpn']): Promise<StorageReport> {
    return storageReport(
      this.options,
      (sourceId) => this.entries.get(sourceId),
      this.network.paused,
      this.entries.size,
      vpn,
    );
  }

  /** Stops every torrent (pieces kept, rows saved) for a clean shutdown. */
  async close(): Promise<void> {
    for (const entry of [...this.entries.values()]) await this.stopEntry(entry);
  }

  private async acquire(sourceId: number, deadline: number): Promise<Acquired> {
    const running = this.entries.get(sourceId);
    if (running) return { entry: running, reused: true };
    // Another request is adding it already (a second viewer, a player's next Range): join it.
    const pending = this.adding.get(sourceId);
    if (pending) return { entry: (await pending).entry, reused: true };
    const adding = this.add(sourceId, deadline).finally(() => this.adding.delete(sourceId));
    this.adding.set(sourceId, adding);
    return adding;
  }

  private async add(sourceId: number, deadline: number): Promise<Acquired> {
    const { db, cipher, client, storageDir, trackers, logger } = this.options;
    if (!this.options.networkOpen() || this.network.paused)
      throw new PrepareError('vpn_down', 'The VPN is down: no torrent can start until it is back');
    const source = await loadSource(db, cipher, sourceId);
    if (!source) throw new PrepareError('source_not_found', 'No such source');
    const stored = await db.storage.findUnique({ where: { sourceId } });
    const folder = stored?.folder ?? String(sourceId);
    await this.admit(() => this.freeSlot());

    const torrent = client.add(source.torrentId, {
      path: join(storageDir, folder),
      deselect: true,
      announce: trackers,
      bitfield: stored?.bitfield ? new Uint8Array(stored.bitfield) : undefined,
      // WebTorrent keeps 20 pieces per torrent in memory by default (up to 80 MB with 4 MiB pieces);
      // reads right after a write come from the page cache anyway.
      storeCacheSlots: STORE_CACHE_SLOTS,
    });
    this.network.hold(torrent);
    try {
      await readyBy(torrent, deadline, logger);
    } catch (err) {
      await destroyTorrent(torrent, !stored);
      throw err;
    }
    const fileIndex = source.videoFileIndex ?? mainFileIndex(torrent.files);
    const file = torrent.files[fileIndex];
    if (!file || file.length === 0) {
      await destroyTorrent(torrent, !stored);
      throw new PrepareError('no_video_file', 'The torrent has no video file');
    }
    if (typeof source.torrentId === 'string') {
      // Added from its magnet: its metadata came from peers and must outlive this run.
      await keepTorrentFile(db, cipher, sourceId, torrent, fileIndex).catch((err: unknown) =>
        logger.warn('could not keep the torrent metadata', { sourceId, err }),
      );
    }
    const pieceLength = torrent.pieceLength;
    const reservedBytes = reservationFor(file, pieceLength);
    let storageId: number;
    try {
      storageId = await this.admit(async () => {
        await this.makeRoom(reservedBytes, sourceId);
        const data = {
          folder,
          fileIndex,
          fileName: file.name,
          fileSize: BigInt(file.length),
          reservedBytes: BigInt(reservedBytes),
          pieceLength,
          piecesTotal: torrent.pieces.length,
          state: 'ACTIVE' as const,
          lastAccessAt: new Date(),
        };
        const row = await db.storage.upsert({
          where: { sourceId },
          create: { sourceId, ...data },
          update: data,
          select: { id: true },
        });
        return row.id;
      });
    } catch (err) {
      await destroyTorrent(torrent, !stored);
      throw err;
    }

    const firstPiece = Math.floor(file.offset / pieceLength);
    const lastPiece = Math.floor((file.offset + file.length - 1) / pieceLength);
    const entry: Entry = {
      sourceId,
      storageId,
      folder,
      torrent,
      file,
      fileIndex,
      firstPiece,
      lastPiece,
      reservedBytes,
      readers: 0,
      lastAccessAt: Date.now(),
      peersSeen: torrent.numPeers > 0,
    };
    torrent.on('wire', () => {
      entry.peersSeen = true;
    });
    torrent.on('error', (err: unknown) => {
      logger.warn('torrent failed', { sourceId, err });
      if (this.entries.get(sourceId) === entry) this.entries.delete(sourceId);
    });
    // The header first (MP4's moov may sit at either end), then the file in order.
    const edge = Math.max(1, Math.ceil(EDGE_BYTES / pieceLength));
    file.select();
    torrent.critical(firstPiece, Math.min(lastPiece, firstPiece + edge - 1));
    torrent.critical(Math.max(firstPiece, lastPiece - edge + 1), lastPiece);
    this.entries.set(sourceId, entry);
    logger.info('torrent added', {
      sourceId,
      storageId,
      resumed: Boolean(stored),
      progress: fileProgress(entry),
    });
    return { entry, reused: Boolean(stored) && fileProgress(entry) > 0 };
  }

  /** Waits until the file's first piece is verified (or the whole file is there). */
  private async firstBytes(entry: Entry, deadline: number): Promise<void> {
    if (hasFirstPiece(entry)) return;
    if (this.network.paused) throw new PrepareError('vpn_down', 'The VPN is down');
    await firstPieceBy(entry, deadline);
  }

  /** A source that failed to start: stopped, and deleted when nothing of it was kept. */
  private async giveUp(entry: Entry): Promise<void> {
    const verified = countBits(entry.torrent.bitfield?.buffer, entry.firstPiece, entry.lastPiece);
    if (verified === 0) {
      const row = await this.options.db.storage.findUnique({ where: { id: entry.storageId } });
      if (row) await this.evict(row);
    } else {
      await this.stopEntry(entry);
    }
  }

  private admit<T>(step: () => Promise<T>): Promise<T> {
    const run = this.admission.then(step, step);
    this.admission = run.catch(() => undefined);
    return run;
  }

  /** Room for one more running torrent: the least recently used one without readers stops. */
  private async freeSlot(): Promise<void> {
    while (this.entries.size >= this.options.maxActive) {
      const idle = [...this.entries.values()]
        .filter((e) => e.readers === 0)
        .sort((a, b) => a.lastAccessAt - b.lastAccessAt)[0];
      if (!idle)
        throw new PrepareError(
          'busy',
          `All ${this.options.maxActive} torrents are being watched; try again later`,
        );
      this.options.logger.info('stopping a torrent for a new one (MAX_ACTIVE_TORRENTS)', {
        sourceId: idle.sourceId,
      });
      await this.stopEntry(idle);
    }
  }

  /** Deletes least recently used torrents nobody is watching until `needed` more bytes fit. */
  private async makeRoom(needed: number, sourceId: number): Promise<void> {
    const { db, storageDir, minFreeBytes, logger } = this.options;
    for (;;) {
      const disk = await diskOf(storageDir);
      const budget = budgetBytes(this.options.budget, disk);
      const rows = await db.storage.findMany();
      const others = rows.filter((r) => r.sourceId !== sourceId);
      const own = rows.find((r) => r.sourceId === sourceId);
      const holdings = others.map((r) => ({
        reservedBytes: Number(r.reservedBytes),
        bytesOnDisk: Number(r.bytesOnDisk),
      }));
      const ownOnDisk = own ? Number(own.bytesOnDisk) : 0;
      if (fits(Math.max(0, needed - ownOnDisk), holdings, budget - ownOnDisk, minFreeBytes, disk)) return;
      const victim = others
        .filter((r) => (this.entries.get(r.sourceId)?.readers ?? 0) === 0)
        .sort((a, b) => this.lastAccess(a) - this.lastAccess(b))[0];
      if (!victim)
        throw new PrepareError(
          'storage_full',
          needed > budget
            ? 'The video is larger than the whole storage budget (STORAGE_LIMIT)'
            : 'The storage budget is taken by torrents being watched; try again later',
        );
      logger.info('deleting the least recently used torrent to stay within the storage budget', {
        sourceId: victim.sourceId,
        needed,
        budget,
      });
      await this.evict(victim);
    }
  }

  private lastAccess(row: { sourceId: number; lastAccessAt: Date }): number {
    return this.entries.get(row.sourceId)?.lastAccessAt ?? row.lastAccessAt.getTime();
  }

  private async evict(row: { id: number; sourceId: number; folder: string }): Promise<void> {
    const entry = this.entries.get(row.sourceId);
    if (entry) {
      this.entries.delete(row.sourceId);
      await destroyTorrent(entry.torrent, true);
    }
    await removeFolder(join(this.options.storageDir, row.folder));
    await this.options.db.storage.deleteMany({ where: { id: row.id } });
  }

  private async stopEntry(entry: Entry): Promise<void> {
    if (this.entries.get(entry.sourceId) === entry) this.entries.delete(entry.sourceId);
    await this.flushEntry(entry, 'STOPPED');
    await destroyTorrent(entry.torrent, false);
  }

  private flushEntry(entry: Entry, state: 'ACTIVE' | 'STOPPED'): Promise<void> {
    return saveEntry(this.options.db, this.options.storageDir, entry, state);
  }
}

import { join } from 'node:path';
import type { Db } from '@cinenest/db';
import type { StorageReport } from '@cinenest/streaming';
import { countBits, fileProgress, type Entry } from '../torrents/entry.js';
import { budgetBytes, bytesOnDisk, diskOf, type BudgetSetting } from './budget.js';

/** GET /internal/storage: the budget, the disk, and every stored torrent as its row and the client see it. */
export async function storageReport(
  options: { db: Db; storageDir: string; budget: BudgetSetting; minFreeBytes: number; maxActive: number },
  running: (sourceId: number) => Entry | undefined,
  paused: boolean,
  activeTorrents: number,
  vpn: StorageReport['vpn'],
): Promise<StorageReport> {
  const { db, storageDir, minFreeBytes, maxActive } = options;
  const disk = await diskOf(storageDir);
  const rows = await db.storage.findMany({
    orderBy: { lastAccessAt: 'desc' },
    include: { source: { select: { quality: true, movie: { select: { tmdbId: true, title: true } } } } },
  });
  const torrents = await Promise.all(
    rows.map(async (row) => {
      const entry = running(row.sourceId);
      return {
        id: row.id,
        sourceId: row.sourceId,
        movie: row.source.movie,
        quality: row.source.quality,
        fileName: row.fileName,
        fileSize: Number(row.fileSize),
        reservedBytes: Number(row.reservedBytes),
        bytesOnDisk: await bytesOnDisk(join(storageDir, row.folder)),
        progress: entry ? fileProgress(entry) : row.progress,
        state: entry ? (paused ? ('paused' as const) : ('active' as const)) : ('stopped' as const),
        readers: entry?.readers ?? 0,
        lastAccessAt: new Date(entry?.lastAccessAt ?? row.lastAccessAt.getTime()).toISOString(),
      };
    }),
  );
  return {
    budgetBytes: budgetBytes(options.budget, disk),
    minFreeBytes,
    reservedBytes: torrents.reduce((n, t) => n + t.reservedBytes, 0),
    bytesOnDisk: torrents.reduce((n, t) => n + t.bytesOnDisk, 0),
    diskFreeBytes: disk.freeBytes,
    diskTotalBytes: disk.totalBytes,
    activeTorrents,
    maxActiveTorrents: maxActive,
    vpn,
    torrents,
  };
}

/**
 * Storage figures for /metrics: one sum over the Storage rows (bytes on disk as last saved, every
 * few seconds for running torrents) and a statfs, never a walk of the folders.
 */
export async function diskStats(options: {
  db: Db;
  storageDir: string;
  budget: BudgetSetting;
}): Promise<{ usedBytes: number; budgetBytes: number; freeBytes: number }> {
  const [disk, sum] = await Promise.all([
    diskOf(options.storageDir),
    options.db.storage.aggregate({ _sum: { bytesOnDisk: true } }),
  ]);
  return {
    usedBytes: Number(sum._sum.bytesOnDisk ?? 0),
    budgetBytes: budgetBytes(options.budget, disk),
    freeBytes: disk.freeBytes,
  };
}

/** Writes a running torrent's progress, pieces and last access to its Storage row. */
export async function saveEntry(
  db: Db,
  storageDir: string,
  entry: Entry,
  state: 'ACTIVE' | 'STOPPED',
): Promise<void> {
  const { torrent } = entry;
  const bitfield = torrent.bitfield?.buffer;
  await db.storage.updateMany({
    where: { id: entry.storageId },
    data: {
      state,
      bytesOnDisk: BigInt(await bytesOnDisk(join(storageDir, entry.folder))),
      piecesVerified: countBits(bitfield, 0, torrent.pieces.length - 1),
      bitfield: bitfield ? Buffer.from(bitfield) : undefined,
      progress: fileProgress(entry),
      lastAccessAt: new Date(entry.lastAccessAt),
    },
  });
}

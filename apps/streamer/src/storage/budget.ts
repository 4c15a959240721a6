import { mkdir, readdir, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';

export type BudgetSetting = { percent: number } | { bytes: number };

export interface DiskFigures {
  totalBytes: number;
  freeBytes: number;
}

/** Total and free space of the filesystem holding `dir` (free as an unprivileged process sees it). */
export async function diskOf(dir: string): Promise<DiskFigures> {
  await mkdir(dir, { recursive: true });
  const fs = await statfs(dir);
  return { totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize };
}

/** STORAGE_LIMIT in bytes: as given, or its share of the disk. */
export function budgetBytes(setting: BudgetSetting, disk: DiskFigures): number {
  return 'bytes' in setting ? setting.bytes : Math.floor((disk.totalBytes * setting.percent) / 100);
}

/** Bytes a folder really occupies on disk (allocated blocks: sparse files count what was written). */
export async function bytesOnDisk(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    try {
      total += (await stat(join(entry.parentPath, entry.name))).blocks * 512;
    } catch {
      // Deleted meanwhile.
    }
  }
  return total;
}

export async function removeFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface Holding {
  reservedBytes: number;
  bytesOnDisk: number;
}

/**
 * Whether `needed` more bytes may be reserved: every reservation together stays within the budget,
 * and what the reservations have still to write fits in the free space above MIN_FREE_DISK.
 */
export function fits(
  needed: number,
  holdings: Holding[],
  budget: number,
  minFree: number,
  disk: DiskFigures,
): boolean {
  const reserved = holdings.reduce((n, h) => n + h.reservedBytes, 0);
  const toWrite = holdings.reduce((n, h) => n + Math.max(0, h.reservedBytes - h.bytesOnDisk), 0);
  return reserved + needed <= budget && toWrite + needed <= disk.freeBytes - minFree;
}

/** Bytes held for a file: every whole piece that covers it (boundary pieces write into neighbours). */
export function reservationFor(file: { offset: number; length: number }, pieceLength: number): number {
  if (file.length === 0) return 0;
  const first = Math.floor(file.offset / pieceLength);
  const last = Math.floor((file.offset + file.length - 1) / pieceLength);
  return (last - first + 1) * pieceLength;
}

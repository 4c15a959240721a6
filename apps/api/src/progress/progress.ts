/** Below this fraction a title was only sampled: in neither list (its row is kept). */
export const STARTED_FRACTION = 0.05;
/** From this fraction on a title counts as watched and leaves "continue watching". */
export const WATCHED_FRACTION = 0.9;

/** The stored columns a client is shown (a WatchProgress row). */
export interface ProgressRow {
  position: number;
  duration: number;
  fraction: number;
  watched: boolean;
  watchedAt: Date | null;
  updatedAt: Date;
}

export function presentProgress(row: ProgressRow, tmdbId: number) {
  return {
    tmdbId,
    position: row.position,
    duration: row.duration,
    fraction: row.fraction,
    watched: row.watched,
    /** When it first reached 90 %; kept through a rewatch (see progress.routes.ts). */
    watchedAt: row.watchedAt,
    updatedAt: row.updatedAt,
  };
}

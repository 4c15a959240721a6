import { baseScore, type Codec, type Quality } from '@cinenest/sources';
import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * How often the resync runs. Not a setting (config is shared): 6 h is a quarter of the day the score's
 * freshness takes to move noticeably, and far under the 7 days after which stats count as stale.
 */
export const RESYNC_INTERVAL_MS = 6 * HOUR;
/** Stats older than this are checked at once, whatever their back-off said. */
export const STALE_STATS_MS = 7 * DAY;
/** A source with no seeds for this long goes, when its movie has a live source to stream instead. */
export const DEAD_FOR_MS = 14 * DAY;
/** Rows read (and rescored) at a time. */
const PAGE = 1000;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Keeps the stored sources honest between tracker checks:
 * - deletes sources dead (no seeds) for DEAD_FOR_MS whose movie has another source that is not dead,
 *   so no movie loses its last sources this way;
 * - makes sources whose stats are older than STALE_STATS_MS (or were never taken and are that old)
 *   due now, so the next stats sweep takes them;
 * - recomputes every stored score, as its freshness factor decays with the age of the stats.
 */
export const sourcesResync = defineJob({
  name: 'sources.resync',
  queue: 'sources',
  schema: z.strictObject({}),
  every: () => RESYNC_INTERVAL_MS,
  options: { priority: PRIORITY.background, attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
  handler: async (_payload, { db }) => {
    const now = Date.now();

    // One statement: the live source that spares a movie cannot itself be deleted by it.
    const deleted = await db.$executeRaw`
      DELETE FROM "MovieSource" AS s
      WHERE s."deadSince" < ${iso(now - DEAD_FOR_MS)}::timestamp(3)
        AND EXISTS (
          SELECT 1 FROM "MovieSource" AS o
          WHERE o."movieId" = s."movieId" AND o.id <> s.id AND o."deadSince" IS NULL
        )`;

    // Already due ones keep their place in the queue.
    const stale = new Date(now - STALE_STATS_MS);
    const { count: madeDue } = await db.movieSource.updateMany({
      where: {
        OR: [{ lastStatsCheck: { lt: stale } }, { lastStatsCheck: null, createdAt: { lt: stale } }],
        nextStatsCheckAt: { gt: new Date(now) },
      },
      data: { nextStatsCheckAt: new Date(now) },
    });

    let rescored = 0;
    let scanned = 0;
    for (let after = 0; ;) {
      const rows = await db.movieSource.findMany({
        where: { id: { gt: after } },
        select: {
          id: true,
          quality: true,
          codec: true,
          sizeBytes: true,
          seeds: true,
          peers: true,
          lastStatsCheck: true,
          score: true,
          movie: { select: { runtime: true } },
        },
        orderBy: { id: 'asc' },
        take: PAGE,
      });
      if (!rows.length) break;
      scanned += rows.length;
      after = rows[rows.length - 1]!.id;
      const changed = rows
        .map((r) => ({
          id: r.id,
          old: r.score,
          read: r,
          score: baseScore(
            {
              quality: r.quality as Quality,
              codec: r.codec as Codec,
              sizeBytes: Number(r.sizeBytes),
              seeds: r.seeds,
              peers: r.peers,
              statsAt: r.lastStatsCheck,
            },
            r.movie.runtime,
            new Date(now),
          ),
        }))
        .filter((r) => Math.abs(r.score - r.old) >= 0.005);
      if (changed.length) {
        // Only where the stats are still the ones read: a stats check that wrote meanwhile wins.
        rescored += await db.$executeRaw`
          UPDATE "MovieSource" AS s SET score = u.score, "updatedAt" = ${iso(now)}::timestamp(3)
          FROM unnest(
            ${changed.map((c) => c.id)}::int[],
            ${changed.map((c) => c.score)}::float8[],
            ${changed.map((c) => c.read.seeds)}::int[],
            ${changed.map((c) => c.read.peers)}::int[],
            ${changed.map((c) => (c.read.lastStatsCheck ? c.read.lastStatsCheck.toISOString() : null))}::text[]
          ) AS u(id, score, seeds, peers, checked)
          WHERE s.id = u.id AND s.seeds = u.seeds AND s.peers = u.peers
            AND s."lastStatsCheck" IS NOT DISTINCT FROM u.checked::timestamp(3)`;
      }
      if (rows.length < PAGE) break;
    }

    return { deleted, madeDue, rescored, scanned };
  },
});

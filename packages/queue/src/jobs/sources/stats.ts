import { randomInt } from 'node:crypto';
import { baseScore, type Codec, type Quality } from '@cinenest/sources';
import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';
import { scrapeTrackers, type SwarmCounts } from './scrape.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The most sources one sources.stats job takes (the sweep sends STATS_BATCH). */
export const STATS_MAX_SOURCES = 1000;
/** How long one tracker has to answer a scrape request before it counts as not answering. */
export const TRACKER_TIMEOUT_MS = 5000;
/** A source whose counts barely moved is next checked after BASE × 2^stableRuns (up to the cap). */
const BASE_INTERVAL_MS = 30 * MINUTE;
/** After a big change (seeds or peers halved, doubled or more), the next check comes this soon. */
const SOON_MS = 15 * MINUTE;
/** Every next check is spread by ±15%, so sources checked together drift apart. */
const JITTER = 0.15;
/** No tracker answered for a source: look again in 10–20 minutes, recording nothing else. */
const OUTAGE_RETRY_MS = [10 * MINUTE, 20 * MINUTE] as const;
/** Enough doublings to reach any cap; kept small so the column stays readable. */
const MAX_STABLE_RUNS = 20;
const HEX_HASH = /^[0-9a-f]{40}$/;

/** Counts that moved by at most 2, or by less than 10%, are the same swarm. */
function barelyMoved(before: number, after: number): boolean {
  const d = Math.abs(after - before);
  return d <= 2 || d < 0.1 * Math.max(before, after);
}

/** More than 2 and at least half of the larger: a swarm that halved, doubled or woke up. */
function movedALot(before: number, after: number): boolean {
  const d = Math.abs(after - before);
  return d > 2 && d >= 0.5 * Math.max(before, after);
}

function jittered(ms: number, capMs: number): number {
  const lo = Math.floor(ms * (1 - JITTER));
  const hi = Math.max(lo, Math.floor(Math.min(ms * (1 + JITTER), capMs)));
  return lo + randomInt(0, hi - lo + 1);
}

interface Previous {
  seeds: number;
  peers: number;
  lastStatsCheck: Date | null;
  statsStableRuns: number;
}

/**
 * The back-off after a check: stable counts double the wait (30 min × 2^stableRuns) up to
 * STATS_MAX_BACKOFF_HOURS; a big change brings the next check to 15 minutes; jitter ±15%, never past
 * the cap. A first check (no earlier tracker figures: the stored counts are YTS's) starts at 30 min.
 */
export function nextCheck(
  previous: Previous,
  now: SwarmCounts,
  maxBackoffHours: number,
): { stableRuns: number; waitMs: number } {
  const capMs = maxBackoffHours * HOUR;
  const checkedBefore = previous.lastStatsCheck !== null;
  const stable =
    checkedBefore && barelyMoved(previous.seeds, now.seeds) && barelyMoved(previous.peers, now.peers);
  const big = checkedBefore && (movedALot(previous.seeds, now.seeds) || movedALot(previous.peers, now.peers));
  const stableRuns = stable ? Math.min(MAX_STABLE_RUNS, previous.statsStableRuns + 1) : 0;
  const interval = big ? SOON_MS : Math.min(capMs, BASE_INTERVAL_MS * 2 ** stableRuns);
  return { stableRuns, waitMs: jittered(Math.min(interval, capMs), capMs) };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Counts seeders and leechers for a batch of sources at every configured tracker: one scrape request
 * per tracker for the whole batch (UDP: one per 74 hashes), trackers asked in parallel, each given
 * TRACKER_TIMEOUT_MS. Per source the highest seeds and peers among the trackers that answered are
 * stored with a fresh score, and the next check is set by how much the swarm moved.
 *
 * A source no tracker answered for keeps its counts, score and history (an outage is not a dead
 * swarm): only its next check moves, 10–20 minutes on. A source whose hash cannot be decrypted (its
 * key left the keyring) is left alone for STATS_MAX_BACKOFF_HOURS.
 */
export const sourcesStats = defineJob({
  name: 'sources.stats',
  queue: 'swarm',
  needsVpn: true,
  schema: z.strictObject({
    sourceIds: z.array(z.number().int().positive()).min(1).max(STATS_MAX_SOURCES),
  }),
  options: { priority: PRIORITY.background, attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
  handler: async ({ sourceIds }, { db, cipher, config, logger }) => {
    const rows = await db.movieSource.findMany({
      where: { id: { in: [...new Set(sourceIds)] } },
      select: {
        id: true,
        infoHashEnc: true,
        quality: true,
        codec: true,
        sizeBytes: true,
        seeds: true,
        peers: true,
        lastStatsCheck: true,
        statsStableRuns: true,
        movie: { select: { runtime: true } },
      },
    });
    const hashOf = new Map<number, string>();
    const unreadable: number[] = [];
    for (const row of rows) {
      try {
        const hash = cipher.decryptText(row.infoHashEnc).trim().toLowerCase();
        if (HEX_HASH.test(hash)) hashOf.set(row.id, hash);
        else unreadable.push(row.id);
      } catch {
        unreadable.push(row.id);
      }
    }
    if (unreadable.length)
      logger.warn('sources whose info-hash cannot be read', { count: unreadable.length });

    const { counts, trackers } = await scrapeTrackers(
      config.TRACKERS,
      [...hashOf.values()],
      TRACKER_TIMEOUT_MS,
    );
    const silent = trackers.filter((t) => t.errors.length);
    if (silent.length)
      logger.warn('trackers that did not answer every scrape', {
        trackers: silent.map((t) => ({ answered: t.answered, requests: t.requests, error: t.errors[0] })),
      });

    const now = Date.now();
    const checked: Array<{ id: number; counts: SwarmCounts; score: number; runs: number; next: number }> = [];
    const missed: Array<{ id: number; next: number }> = [];
    for (const row of rows) {
      const hash = hashOf.get(row.id);
      if (hash === undefined) {
        missed.push({ id: row.id, next: now + config.STATS_MAX_BACKOFF_HOURS * HOUR });
        continue;
      }
      const found = counts.get(hash);
      if (!found) {
        missed.push({ id: row.id, next: now + randomInt(OUTAGE_RETRY_MS[0], OUTAGE_RETRY_MS[1] + 1) });
        continue;
      }
      const { stableRuns, waitMs } = nextCheck(row, found, config.STATS_MAX_BACKOFF_HOURS);
      const score = baseScore(
        {
          quality: row.quality as Quality,
          codec: row.codec as Codec,
          sizeBytes: Number(row.sizeBytes),
          seeds: found.seeds,
          peers: found.peers,
          statsAt: new Date(now),
        },
        row.movie.runtime,
        new Date(now),
      );
      checked.push({ id: row.id, counts: found, score, runs: stableRuns, next: now + waitMs });
    }

    // One statement per kind of outcome, whatever the batch's size, in one transaction: a sweep sees
    // the batch all due or all done. deadSince is kept when already set, so it says since when the
    // swarm has had no seeds.
    const writes = [];
    if (checked.length)
      writes.push(db.$executeRaw`
        UPDATE "MovieSource" AS s SET
          seeds = u.seeds,
          peers = u.peers,
          score = u.score,
          "lastStatsCheck" = ${iso(now)}::timestamp(3),
          "nextStatsCheckAt" = u.next::timestamp(3),
          "statsStableRuns" = u.runs,
          "deadSince" = CASE WHEN u.seeds = 0 THEN COALESCE(s."deadSince", ${iso(now)}::timestamp(3)) END,
          "updatedAt" = ${iso(now)}::timestamp(3)
        FROM unnest(
          ${checked.map((c) => c.id)}::int[],
          ${checked.map((c) => c.counts.seeds)}::int[],
          ${checked.map((c) => c.counts.peers)}::int[],
          ${checked.map((c) => c.score)}::float8[],
          ${checked.map((c) => c.runs)}::int[],
          ${checked.map((c) => iso(c.next))}::text[]
        ) AS u(id, seeds, peers, score, runs, next)
        WHERE s.id = u.id`);
    if (missed.length)
      writes.push(db.$executeRaw`
        UPDATE "MovieSource" AS s SET
          "nextStatsCheckAt" = u.next::timestamp(3),
          "updatedAt" = ${iso(now)}::timestamp(3)
        FROM unnest(${missed.map((m) => m.id)}::int[], ${missed.map((m) => iso(m.next))}::text[]) AS u(id, next)
        WHERE s.id = u.id`);
    if (writes.length) await db.$transaction(writes);

    return {
      sources: rows.length,
      checked: checked.length,
      unanswered: missed.length - unreadable.length,
      unreadable: unreadable.length,
      dead: checked.filter((c) => c.counts.seeds === 0).length,
      trackers: trackers.map((t) => ({
        requests: t.requests,
        answered: t.answered,
        failed: t.errors.length,
      })),
    };
  },
});

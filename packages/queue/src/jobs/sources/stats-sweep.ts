import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';

/** Sources per sources.stats job: one HTTP scrape, three UDP ones, per tracker. */
export const STATS_BATCH = 200;
/** The most sources one sweep hands out; the rest wait for a later sweep. */
export const STATS_SWEEP_LIMIT = 5000;

/**
 * The id of the stats job for a batch: its first source and that source's due time. A sweep that
 * runs while the batch is still queued (the swarm queue waits while the VPN is down) builds the same
 * batch under the same id, which BullMQ adds only once; once the batch has run, its first source is
 * due later, so the next batch gets a new id.
 */
export function statsJobId(firstId: number, dueAt: Date | null): string {
  return `source-stats.${firstId}.${dueAt?.getTime() ?? 0}`;
}

/**
 * Hands the sources whose stats check is due (never checked, or nextStatsCheckAt passed), those due
 * longest first, to sources.stats in batches of STATS_BATCH, at most STATS_SWEEP_LIMIT a sweep. While
 * a batch is pending, the sweeps after it pick the same sources and add nothing: what is queued stays
 * bounded whatever the backlog. A sweep that hit the limit asks for another one a few seconds later.
 */
export const sourcesStatsSweep = defineJob({
  name: 'sources.stats-sweep',
  queue: 'sources',
  schema: z.strictObject({}),
  every: (config) => config.STATS_SWEEP_INTERVAL * 1000,
  options: { attempts: 1 },
  handler: async (_payload, { db, queues }) => {
    const due = await db.movieSource.findMany({
      where: { OR: [{ nextStatsCheckAt: null }, { nextStatsCheckAt: { lte: new Date() } }] },
      select: { id: true, nextStatsCheckAt: true },
      orderBy: [{ nextStatsCheckAt: { sort: 'asc', nulls: 'first' } }, { id: 'asc' }],
      take: STATS_SWEEP_LIMIT,
    });
    const swarm = queues.get('swarm');
    let enqueued = 0;
    let pending = 0;
    let checkedMeanwhile = 0;
    for (let i = 0; i < due.length; i += STATS_BATCH) {
      const batch = due.slice(i, i + STATS_BATCH);
      const jobId = statsJobId(batch[0]!.id, batch[0]!.nextStatsCheckAt);
      const previous = await swarm.getJob(jobId);
      if (previous) {
        const state = await previous.getState();
        if (state !== 'completed' && state !== 'failed') {
          pending++;
          continue;
        }
        // It finished — maybe only after the query above, which then saw its sources still due. A
        // run writes every source of its batch before it completes: if the first one's due time
        // moved, the batch was checked and is not due; if not (the job failed), run it again.
        const first = await db.movieSource.findUnique({
          where: { id: batch[0]!.id },
          select: { nextStatsCheckAt: true },
        });
        if (first?.nextStatsCheckAt?.getTime() !== batch[0]!.nextStatsCheckAt?.getTime()) {
          checkedMeanwhile++;
          continue;
        }
        await previous.remove();
      }
      await queues.enqueue(
        'sources.stats',
        { sourceIds: batch.map((s) => s.id) },
        { jobId, priority: PRIORITY.background },
      );
      enqueued++;
    }
    if (due.length === STATS_SWEEP_LIMIT) {
      // A backlog bigger than one sweep (a first start, a VPN outage): look again in a few seconds
      // rather than a whole interval later. One follow-up per 2-second slot, however many sweeps ask.
      const slot = Math.floor(Date.now() / 2000);
      await queues.enqueue('sources.stats-sweep', {}, { delay: 2000, jobId: `stats-sweep-followup.${slot}` });
    }
    return { due: due.length, batches: enqueued, pending, checkedMeanwhile };
  },
});

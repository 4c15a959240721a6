import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';

/** Sources enqueued per sweep at most; the rest wait for the next sweep. */
const BATCH = 500;
/** Redis round trips in flight at once while enqueuing. */
const CHUNK = 50;

/**
 * Enqueues sources.metadata for every source whose .torrent is not had yet and is due: new sources
 * (sources.search stores them PENDING with no nextMetadataAt) and failed ones whose backoff has
 * passed, UNAVAILABLE ones included (daily). It only reads Postgres and writes Redis, so it runs on
 * the 'sources' queue; the downloads themselves run on 'swarm', behind the VPN.
 */
export const sourcesMetadataSweep = defineJob({
  name: 'sources.metadata-sweep',
  queue: 'sources',
  schema: z.strictObject({}),
  every: (config) => config.METADATA_SWEEP_INTERVAL * 1000,
  options: { attempts: 1 },
  handler: async (_payload, { db, queues }) => {
    const due = await db.movieSource.findMany({
      where: {
        metadataStatus: { in: ['PENDING', 'UNAVAILABLE'] },
        OR: [{ nextMetadataAt: null }, { nextMetadataAt: { lte: new Date() } }],
      },
      select: { id: true },
      orderBy: [{ nextMetadataAt: { sort: 'asc', nulls: 'first' } }, { id: 'asc' }],
      take: BATCH,
    });
    const swarm = queues.get('swarm');
    for (let i = 0; i < due.length; i += CHUNK) {
      await Promise.all(
        due.slice(i, i + CHUNK).map(async ({ id }) => {
          // A finished run keeps its id for a while: make room for the next one. A failed one too
          // (it failed for good, e.g. a key missing from the keyring), now that its wait has passed.
          const previous = await swarm.getJob(`source-metadata.${id}`);
          if (previous) {
            const state = await previous.getState();
            if (state === 'completed' || state === 'failed') await previous.remove();
          }
          await queues.enqueue('sources.metadata', { sourceId: id }, { priority: PRIORITY.background });
        }),
      );
    }
    return { enqueued: due.length };
  },
});

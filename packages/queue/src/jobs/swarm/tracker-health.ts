import { createHash } from 'node:crypto';
import { ServiceState } from '@cinenest/db';
import { z } from 'zod';
import { defineJob } from '../../define.js';
import { scrapeTrackers, type TrackerOutcome } from '../sources/scrape.js';
import { TRACKER_TIMEOUT_MS } from '../sources/stats.js';

/** One tracker check at a time: housekeeping.health-check asks for it under this id. */
export const TRACKER_HEALTH_JOB_ID = 'tracker-health';

/**
 * The info-hash scraped: no torrent's. Trackers answer an unknown hash with 0 seeds and 0 peers,
 * which proves they answer without telling them about anything this server holds.
 */
export const PROBE_HASH = createHash('sha1').update('cinenest tracker health check').digest('hex');

const DETAIL_MAX = 1000;

/** UP when every configured tracker answered the scrape, DEGRADED when some did, DOWN when none did. */
export function trackersVerdict(outcomes: readonly TrackerOutcome[]): {
  state: ServiceState;
  detail: string;
} {
  const silent = outcomes.filter((t) => t.answered === 0);
  const answered = outcomes.length - silent.length;
  const state =
    silent.length === 0 ? ServiceState.UP : answered > 0 ? ServiceState.DEGRADED : ServiceState.DOWN;
  let detail = `${answered} of ${outcomes.length} trackers answered`;
  if (silent.length)
    detail += `; not answering: ${silent.map((t) => `${t.announce} (${t.errors[0] ?? 'no figures'})`).join(', ')}`;
  return { state, detail: detail.length > DETAIL_MAX ? `${detail.slice(0, DETAIL_MAX - 1)}…` : detail };
}

/**
 * The "trackers" line of the status page: one scrape of PROBE_HASH at every configured tracker, all
 * at once, each given TRACKER_TIMEOUT_MS, written as one ServiceCheck row.
 *
 * It lives on the swarm queue, not in housekeeping.health-check, because tracker traffic must leave
 * through the VPN: only the swarm worker runs in the VPN's network, and its gate holds the job back
 * (needsVpn) while the VPN check fails. The health check asks for it only while the published VPN
 * state is open, under one job id, so an outage or a missing swarm worker never piles checks up.
 */
export const swarmTrackerHealth = defineJob({
  name: 'swarm.tracker-health',
  queue: 'swarm',
  needsVpn: true,
  schema: z.strictObject({}),
  jobId: () => TRACKER_HEALTH_JOB_ID,
  // The next health check asks again: never retried, and gone once done so the id is free again.
  options: { attempts: 1, removeOnComplete: true, removeOnFail: true },
  handler: async (_payload, { db, config, logger }) => {
    const started = Date.now();
    const { trackers } = await scrapeTrackers(config.TRACKERS, [PROBE_HASH], TRACKER_TIMEOUT_MS);
    const latencyMs = Date.now() - started;
    const { state, detail } = trackersVerdict(trackers);
    await db.serviceCheck.create({
      data: { service: 'trackers', state, latencyMs: state === ServiceState.DOWN ? null : latencyMs, detail },
    });
    logger.debug('trackers checked', { state, latencyMs, detail });
    return { state, latencyMs, detail };
  },
});

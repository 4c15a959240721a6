import {
  jobByName,
  PRIORITY,
  TMDB_NOT_FOUND,
  TMDB_UNAVAILABLE,
  type JobName,
  type PayloadOf,
  type Queues,
} from '@cinenest/queue';

export type JobOutcome =
  | { status: 'completed'; value: unknown }
  | { status: 'not_found' }
  | { status: 'unavailable' }
  | { status: 'pending' };

const POLL_MS = 50;

/**
 * Enqueues a job at the highest priority (or finds the one already asked for: job ids are
 * deterministic) and waits a bounded time for its outcome. The API never calls TMDB itself.
 */
export async function enqueueAndWait<N extends JobName>(
  queues: Queues,
  name: N,
  payload: PayloadOf<N>,
  waitMs: number,
): Promise<JobOutcome> {
  const job = await queues.enqueue(name, payload, { priority: PRIORITY.demand });
  const queue = queues.get(jobByName(name)!.queue);
  const deadline = Date.now() + waitMs;
  let promoted = false;
  for (;;) {
    const state = await job.getState();
    if (state === 'completed') {
      const fresh = await queue.getJob(job.id!);
      return { status: 'completed', value: fresh?.returnvalue };
    }
    const current = await queue.getJob(job.id!);
    const reason = current?.failedReason ?? '';
    if (reason.startsWith(TMDB_NOT_FOUND)) return { status: 'not_found' };
    if (state === 'failed') {
      // Failed for good after an outage: try again in the background, tell the caller now.
      await current?.retry().catch(() => undefined);
      return { status: 'unavailable' };
    }
    if (reason.startsWith(TMDB_UNAVAILABLE) && (current?.attemptsMade ?? 0) > 0)
      return { status: 'unavailable' };
    if (
      !promoted &&
      (state === 'waiting' || state === 'prioritized') &&
      (current?.priority ?? 0) > PRIORITY.demand
    ) {
      // Asked for earlier by a list refresh: someone is waiting now.
      await current?.changePriority({ priority: PRIORITY.demand }).catch(() => undefined);
      promoted = true;
    }
    if (Date.now() >= deadline) return { status: 'pending' };
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}

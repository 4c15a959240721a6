import { Counter, Gauge, type Registry } from 'prom-client';
import { within } from './registry.js';

/** The job states reported per queue. */
export const QUEUE_STATES = ['waiting', 'active', 'failed', 'delayed', 'prioritized'] as const;

/** What is read of a queue (BullMQ's Queue fits). */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

/**
 * `cinenest_queue_jobs{queue,state}`, read from Redis at each scrape. The read is bounded by
 * `timeoutMs`: when Redis does not answer in time the gauge is left out of that scrape and
 * `cinenest_queue_scrape_errors_total` goes up, rather than /metrics hanging.
 */
export function registerQueueGauges(
  registry: Registry,
  queues: () => CountableQueue[],
  options: { timeoutMs?: number; onError?: (err: unknown) => void } = {},
): void {
  // The read of the current scrape: the error counter waits for it, so one scrape shows its own failure.
  let reading: Promise<void> = Promise.resolve();
  new Gauge({
    name: 'cinenest_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, failed, delayed, prioritized)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    collect() {
      reading = (async () => {
        this.reset();
        try {
          const read = await within(
            options.timeoutMs ?? 1000,
            Promise.all(
              queues().map(async (q) => ({ name: q.name, counts: await q.getJobCounts(...QUEUE_STATES) })),
            ),
            'reading the queue counts',
          );
          for (const { name, counts } of read)
            for (const state of QUEUE_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        } catch (err) {
          errors.inc();
          options.onError?.(err);
        }
      })();
      return reading;
    },
  });
  const errors = new Counter({
    name: 'cinenest_queue_scrape_errors_total',
    help: 'Scrapes whose queue counts could not be read from Redis in time',
    registers: [registry],
    collect: () => reading,
  });
}

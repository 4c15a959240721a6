import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_JOB_OPTIONS, type JobDefinition } from './define.js';
import { QUEUE_NAMES, type JobName, type QueueName } from './names.js';
import { jobByName, type PayloadOf } from './registry.js';

export class UnknownJobError extends Error {}

/** One BullMQ Queue per queue name, sharing a connection and a key prefix. */
export class Queues {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
  ) {}

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  all(): Queue[] {
    return QUEUE_NAMES.map((n) => this.get(n));
  }

  /** Validates the payload against the job's schema and adds it with the job's options and id. */
  async enqueue<N extends JobName>(name: N, payload: PayloadOf<N>, options: JobsOptions = {}) {
    const def = jobByName(name) as JobDefinition | undefined;
    if (!def) throw new UnknownJobError(name);
    const data = def.schema.parse(payload);
    const jobId = options.jobId ?? def.jobId?.(data);
    return this.get(def.queue).add(name, data, {
      ...DEFAULT_JOB_OPTIONS,
      ...def.options,
      ...options,
      ...(jobId ? { jobId } : {}),
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

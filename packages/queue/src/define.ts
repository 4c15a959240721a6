import type { Config } from '@cinenest/config';
import type { Db } from '@cinenest/db';
import type { Logger } from '@cinenest/logger';
import type { Cipher } from '@cinenest/secrets';
import type { TmdbClient } from '@cinenest/tmdb';
import type { YtsClient } from '@cinenest/yts';
import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { JobName, QueueName } from './names.js';
import type { Queues } from './queues.js';

export interface JobContext {
  db: Db;
  redis: Redis;
  logger: Logger;
  config: Config;
  tmdb: TmdbClient;
  yts: YtsClient;
  /** Encrypts what identifies a torrent before it is stored; its lookup() is the keyed hash. */
  cipher: Cipher;
  /** To enqueue follow-up jobs. */
  queues: Queues;
  jobId: string;
  attempt: number;
  /** Puts the job back to run again after ms, without using up an attempt (never fails it). */
  delay: (ms: number, reason: string) => Promise<never>;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType, N extends JobName = JobName> {
  name: N;
  queue: QueueName;
  /** The payload, validated when enqueued and again when run. */
  schema: S;
  /** Defaults for every enqueue of this job (attempts, backoff, priority …). */
  options?: JobsOptions;
  /** A deterministic id, so the same job asked for twice is one job. */
  jobId?: (payload: z.infer<S>) => string;
  /**
   * The job reaches trackers or peers: it runs only while the VPN check passes, and is put back
   * (not failed) while it does not.
   */
  needsVpn?: boolean;
  /** Repeat this job from a BullMQ job scheduler, every so many milliseconds. */
  every?: (config: Config) => number;
  /** Must be idempotent: BullMQ runs a job at least once. */
  handler: (payload: z.infer<S>, ctx: JobContext) => Promise<unknown>;
}

export function defineJob<S extends z.ZodType, N extends JobName>(
  def: JobDefinition<S, N>,
): JobDefinition<S, N> {
  return def;
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

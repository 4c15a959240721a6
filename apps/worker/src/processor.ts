import type { Config } from '@cinenest/config';
import type { Db } from '@cinenest/db';
import { logContext, type Logger } from '@cinenest/logger';
import { jobByName, PRIORITY, type Queues } from '@cinenest/queue';
import type { Cipher } from '@cinenest/secrets';
import type { TmdbClient } from '@cinenest/tmdb';
import type { YtsClient } from '@cinenest/yts';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

interface ProcessorDeps {
  db: Db;
  redis: Redis;
  logger: Logger;
  config: Config;
  tmdb: TmdbClient;
  /** The same client with a short retry budget, for jobs someone is waiting on (priority demand). */
  tmdbInteractive?: TmdbClient;
  yts: YtsClient;
  cipher: Cipher;
  queues: Queues;
  /** Jobs that reach trackers or peers run only while it is open: required, so no caller can forget it. */
  vpn: { isOpen(): boolean };
  /** Told how every run ended (the job's registry name, completed/failed/delayed, its duration). */
  metrics?: { observe(job: string, outcome: 'completed' | 'failed' | 'delayed', durationMs: number): void };
}

/**
 * Runs a job through its registry entry: the payload is validated again (a bad payload fails for
 * good instead of retrying), and every log line of the run carries the job id.
 */
export function createProcessor(deps: ProcessorDeps) {
  const run = runJob(deps);
  const { metrics } = deps;
  if (!metrics) return run;
  return async (job: Job, token?: string): Promise<unknown> => {
    const started = Date.now();
    // The registry's names only: a label never takes a value from outside.
    const name = jobByName(job.name) ? job.name : 'unknown';
    try {
      const result = await run(job, token);
      metrics.observe(name, 'completed', Date.now() - started);
      return result;
    } catch (err) {
      metrics.observe(name, err instanceof DelayedError ? 'delayed' : 'failed', Date.now() - started);
      throw err;
    }
  };
}

function runJob(deps: ProcessorDeps) {
  return async (job: Job, token?: string): Promise<unknown> => {
    const def = jobByName(job.name);
    if (!def) throw new UnrecoverableError(`No handler for job ${job.name}`);
    const parsed = def.schema.safeParse(job.data);
    if (!parsed.success) {
      const fields = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
        .join('; ');
      throw new UnrecoverableError(`Invalid payload for ${job.name}: ${fields}`);
    }
    const jobId = job.id ?? 'unknown';
    const delay = async (ms: number, reason: string): Promise<never> => {
      deps.logger.warn('job delayed', { job: job.name, ms, reason });
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError();
    };
    if (def.needsVpn && !deps.vpn.isOpen()) {
      // No peer or tracker traffic outside the VPN: wait, without using up an attempt.
      return delay(
        deps.config.VPN_CHECK_INTERVAL * 1000 + Math.floor(Math.random() * 1000),
        'the VPN check is failing',
      );
    }
    return logContext.run({ jobId }, async () => {
      const started = Date.now();
      deps.logger.debug('job started', { job: job.name });
      const waitedOn = job.priority === PRIORITY.demand && deps.tmdbInteractive;
      const tmdb = waitedOn ? deps.tmdbInteractive! : deps.tmdb;
      const result = await def.handler(parsed.data, {
        ...deps,
        tmdb,
        jobId,
        attempt: job.attemptsMade + 1,
        delay,
      });
      deps.logger.info('job completed', { job: job.name, ms: Date.now() - started });
      return result;
    });
  };
}

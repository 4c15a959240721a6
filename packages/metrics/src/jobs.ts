import { Counter, Histogram, type Registry } from 'prom-client';

/** How one run of a job ended: done, thrown (it may be retried), or put back to wait (delay()). */
export type JobOutcome = 'completed' | 'failed' | 'delayed';

const BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** `cinenest_jobs_total{job,outcome}` and `cinenest_job_duration_seconds{job,outcome}`, per run (attempt). */
export class JobMetrics {
  private readonly total: Counter<'job' | 'outcome'>;
  private readonly duration: Histogram<'job' | 'outcome'>;

  constructor(registry: Registry) {
    this.total = new Counter({
      name: 'cinenest_jobs_total',
      help: 'Job runs by job name and outcome (completed, failed, delayed)',
      labelNames: ['job', 'outcome'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'cinenest_job_duration_seconds',
      help: 'Duration of job runs by job name and outcome',
      labelNames: ['job', 'outcome'] as const,
      buckets: BUCKETS,
      registers: [registry],
    });
  }

  /** `job` must come from the job registry (a bounded set), never from a payload. */
  observe(job: string, outcome: JobOutcome, durationMs: number): void {
    this.total.inc({ job, outcome });
    this.duration.observe({ job, outcome }, Math.max(0, durationMs) / 1000);
  }
}

import { describe, expect, it } from '@jest/globals';
import { JobMetrics } from './jobs.js';
import { registerQueueGauges, type CountableQueue } from './queues.js';
import { createRegistry } from './registry.js';
import { registerStreamerMetrics, type StreamerDisk } from './streamer.js';

const queue = (name: string, counts: Record<string, number>): CountableQueue => ({
  name,
  getJobCounts: async (...states) => Object.fromEntries(states.map((s) => [s, counts[s] ?? 0])),
});
const never: CountableQueue = { name: 'stuck', getJobCounts: () => new Promise(() => undefined) };

describe('registerQueueGauges', () => {
  it('reads every queue at each scrape', async () => {
    const registry = createRegistry({ processMetrics: false });
    let waiting = 3;
    registerQueueGauges(registry, () => [
      queue('catalog', { waiting, active: 1, failed: 2, delayed: 4, prioritized: 5 }),
      queue('sources', {}),
    ]);
    let text = await registry.metrics();
    expect(text).toContain('cinenest_queue_jobs{queue="catalog",state="waiting"} 3');
    expect(text).toContain('cinenest_queue_jobs{queue="catalog",state="prioritized"} 5');
    expect(text).toContain('cinenest_queue_jobs{queue="sources",state="failed"} 0');
    waiting = 0;
    text = await registry.metrics();
    expect(text).toContain('cinenest_queue_jobs{queue="catalog",state="waiting"} 0');
  });

  it('a Redis that does not answer leaves the gauge out within the timeout and counts the error', async () => {
    const registry = createRegistry({ processMetrics: false });
    const errors: unknown[] = [];
    let healthy = true;
    registerQueueGauges(registry, () => [healthy ? queue('catalog', { waiting: 1 }) : never], {
      timeoutMs: 100,
      onError: (err) => errors.push(err),
    });
    expect(await registry.metrics()).toContain('cinenest_queue_jobs{queue="catalog",state="waiting"} 1');
    healthy = false;
    const started = Date.now();
    const text = await registry.metrics();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(text).not.toMatch(/^cinenest_queue_jobs\{/m);
    expect(text).toContain('cinenest_queue_scrape_errors_total 1');
    expect(errors).toHaveLength(1);
  });
});

describe('JobMetrics', () => {
  it('counts and times runs by job and outcome', async () => {
    const registry = createRegistry({ processMetrics: false });
    const jobs = new JobMetrics(registry);
    jobs.observe('catalog.movie-sync', 'completed', 120);
    jobs.observe('catalog.movie-sync', 'completed', 80);
    jobs.observe('catalog.movie-sync', 'failed', 10);
    jobs.observe('swarm.stats', 'delayed', 1);
    const text = await registry.metrics();
    expect(text).toContain('cinenest_jobs_total{job="catalog.movie-sync",outcome="completed"} 2');
    expect(text).toContain('cinenest_jobs_total{job="catalog.movie-sync",outcome="failed"} 1');
    expect(text).toContain('cinenest_jobs_total{job="swarm.stats",outcome="delayed"} 1');
    expect(text).toContain(
      'cinenest_job_duration_seconds_sum{job="catalog.movie-sync",outcome="completed"} 0.2',
    );
  });
});

describe('registerStreamerMetrics', () => {
  const live = { activeTorrents: 2, readers: 3, downloadBytesPerSecond: 1500, uploadBytesPerSecond: 250 };
  const figures: StreamerDisk = { usedBytes: 7e9, budgetBytes: 2e10, freeBytes: 5e10 };

  it('reads the pool at each scrape and counts the bytes served', async () => {
    const registry = createRegistry({ processMetrics: false });
    let diskReads = 0;
    let vpn = true;
    const metrics = registerStreamerMetrics(registry, {
      live: () => live,
      disk: async () => {
        diskReads++;
        return figures;
      },
      vpnUp: () => vpn,
    });
    metrics.bytesServed(65536);
    metrics.bytesServed(1000);
    let text = await registry.metrics();
    expect(text).toContain('cinenest_streamer_active_torrents 2');
    expect(text).toContain('cinenest_streamer_readers 3');
    expect(text).toContain('cinenest_streamer_download_bytes_per_second 1500');
    expect(text).toContain('cinenest_streamer_upload_bytes_per_second 250');
    expect(text).toContain('cinenest_streamer_disk_used_bytes 7000000000');
    expect(text).toContain('cinenest_streamer_disk_budget_bytes 20000000000');
    expect(text).toContain('cinenest_streamer_disk_free_bytes 50000000000');
    expect(text).toContain('cinenest_streamer_vpn_up 1');
    expect(text).toContain('cinenest_streamer_bytes_served_total 66536');
    // The three disk gauges of one scrape share one read.
    expect(diskReads).toBe(1);
    vpn = false;
    text = await registry.metrics();
    expect(text).toContain('cinenest_streamer_vpn_up 0');
  });

  it('leaves the disk gauges out when the figures cannot be read in time', async () => {
    const registry = createRegistry({ processMetrics: false });
    const errors: unknown[] = [];
    registerStreamerMetrics(
      registry,
      { live: () => live, disk: () => new Promise(() => undefined), vpnUp: () => true },
      { timeoutMs: 100, onError: (err) => errors.push(err) },
    );
    const text = await registry.metrics();
    expect(text).toContain('cinenest_streamer_active_torrents 2');
    expect(text).not.toMatch(/^cinenest_streamer_disk_used_bytes /m);
    expect(errors).toHaveLength(1);
  });
});

/** Every queue, as a constant. A worker serves the ones WORKER_QUEUES lists (all by default). */
/**
 * 'swarm' holds the jobs that talk to trackers and peers: serve it only from a worker whose traffic
 * leaves through the VPN (WORKER_QUEUES=swarm in the VPN namespace); they wait while the VPN check fails.
 */
export const QUEUE_NAMES = ['housekeeping', 'catalog', 'sources', 'swarm'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Every job name. The worker refuses to start unless each has exactly one definition in the registry. */
export const JOB_NAMES = [
  'housekeeping.purge-expired',
  'housekeeping.health-check',
  'catalog.reference-sync',
  'catalog.list-refresh',
  'catalog.changes-sync',
  'catalog.movie-sync',
  'catalog.show-sync',
  'catalog.season-sync',
  'catalog.season-sweep',
  'catalog.search',
  'sources.search',
  'sources.search-sweep',
  'sources.metadata',
  'sources.metadata-sweep',
  'sources.stats',
  'sources.stats-sweep',
  'sources.resync',
  'swarm.tracker-health',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

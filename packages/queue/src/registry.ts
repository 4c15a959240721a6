import type { JobDefinition } from './define.js';
import { changesSync } from './jobs/catalog/changes-sync.js';
import { listRefresh } from './jobs/catalog/list-refresh.js';
import { movieSync } from './jobs/catalog/movie-sync.js';
import { referenceSync } from './jobs/catalog/reference-sync.js';
import { catalogSearch } from './jobs/catalog/search.js';
import { seasonSweep } from './jobs/catalog/season-sweep.js';
import { seasonSync } from './jobs/catalog/season-sync.js';
import { showSync } from './jobs/catalog/show-sync.js';
import { healthCheck } from './jobs/housekeeping/health-check.js';
import { purgeExpired } from './jobs/housekeeping/purge-expired.js';
import { sourcesMetadataSweep } from './jobs/sources/metadata-sweep.js';
import { sourcesMetadata } from './jobs/sources/metadata.js';
import { sourcesSearch } from './jobs/sources/search.js';
import { sourcesSearchSweep } from './jobs/sources/search-sweep.js';
import { sourcesResync } from './jobs/sources/resync.js';
import { sourcesStatsSweep } from './jobs/sources/stats-sweep.js';
import { sourcesStats } from './jobs/sources/stats.js';
import { swarmTrackerHealth } from './jobs/swarm/tracker-health.js';
import { JOB_NAMES, type JobName } from './names.js';

/** The one registry of jobs: a worker runs these, the API enqueues them by name. */
export const jobs = [
  purgeExpired,
  healthCheck,
  referenceSync,
  listRefresh,
  changesSync,
  movieSync,
  showSync,
  seasonSync,
  seasonSweep,
  catalogSearch,
  sourcesSearch,
  sourcesSearchSweep,
  sourcesMetadata,
  sourcesMetadataSweep,
  sourcesStats,
  sourcesStatsSweep,
  sourcesResync,
  swarmTrackerHealth,
] as const;

export type Jobs = (typeof jobs)[number];
export type PayloadOf<N extends JobName> = Parameters<Extract<Jobs, { name: N }>['handler']>[0];

export class RegistryError extends Error {}

/** Every job name has exactly one definition, and every definition a known name. */
export function checkRegistry(defs: readonly JobDefinition[], names: readonly string[] = JOB_NAMES): void {
  const problems: string[] = [];
  for (const name of names) {
    const count = defs.filter((d) => d.name === name).length;
    if (count === 0) problems.push(`${name}: no handler`);
    if (count > 1) problems.push(`${name}: ${count} handlers`);
  }
  for (const def of defs) if (!names.includes(def.name)) problems.push(`${def.name}: not a known job name`);
  if (problems.length) throw new RegistryError(`Job registry is inconsistent:\n  ${problems.join('\n  ')}`);
}

export function jobByName(name: string): JobDefinition | undefined {
  return (jobs as readonly JobDefinition[]).find((d) => d.name === name);
}

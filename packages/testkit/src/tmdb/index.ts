export {
  startTmdbStandIn,
  type StandInRequest,
  type TmdbStandIn,
  type TmdbStandInOptions,
} from './server.js';
export { StandInCatalog, type MediaKind } from './catalog.js';
export type { FaultKind, FaultOptions } from './faults.js';
export type { RateLimitOptions } from './rate-limit.js';
export type { EpisodeRecord, MovieRecord, SeasonRecord, ShowRecord } from './records.js';
export type { Localized } from './text.js';
export { fold } from './prng.js';

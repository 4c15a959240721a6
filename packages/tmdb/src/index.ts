export { TmdbClient, type TmdbClientOptions, type TmdbRequestOptions } from './client.js';
export {
  TmdbAuthError,
  TmdbError,
  TmdbNotFoundError,
  TmdbRequestError,
  TmdbUnavailableError,
  type TmdbErrorDetails,
} from './errors.js';
export { imageUrl } from './images.js';
export { parseRetryAfter } from './retry.js';
export type * from './types.js';

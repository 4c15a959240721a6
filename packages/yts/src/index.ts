export { normaliseMirror, YtsClient, type YtsBreakerOptions, type YtsClientOptions } from './client.js';
export { YtsError, YtsUnavailableError, type YtsErrorDetails, type YtsUnavailableReason } from './errors.js';
export { normaliseHash } from './hash.js';
export type * from './types.js';

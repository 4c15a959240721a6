export * from './errors.js';
export { errorHandler, notFound } from './error-handler.js';
export { redactPath, requestContext } from './request-context.js';
export { parseOrThrow } from './validate.js';
export { serveUntilSignal } from './server.js';

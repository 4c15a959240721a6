import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  requestId?: string;
  jobId?: string;
  userId?: string;
}

/** Carries the request or job id through async calls, so every log line of a request names it. */
export const logContext = new AsyncLocalStorage<LogContext>();

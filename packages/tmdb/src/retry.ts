import type { AxiosError, AxiosInstance } from 'axios';
import axiosRetry from 'axios-retry';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** The first backoff; each retry doubles it, up to maxDelayMs, with jitter. */
  baseMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails (TmdbUnavailableError.retryAfterMs). */
  maxRetryAfterMs: number;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The status an attempt ended in: the HTTP status, or the error code when no usable answer came. */
export function outcomeOf(error: AxiosError): string {
  const status = error.response?.status;
  if (error.code === 'ERR_BAD_RESPONSE' && status !== undefined && status < 300) return 'invalid-body';
  if (status !== undefined) return String(status);
  return error.code ?? 'network-error';
}

/** How long TMDB asked us to wait (429, or 503 with Retry-After), if it did. */
export function retryAfterOf(error: AxiosError): number | undefined {
  const status = error.response?.status;
  if (status !== 429 && status !== 503) return undefined;
  return parseRetryAfter(error.response?.headers['retry-after']);
}

/**
 * Worth another attempt: 429, 5xx, no answer at all (reset, refused, timeout) and 2xx bodies that
 * are not JSON. Never 404 or another 4xx: those are answers.
 */
export function isRetryable(error: AxiosError): boolean {
  if (error.code === 'ERR_CANCELED') return false;
  const status = error.response?.status;
  if (status === undefined) return true;
  if (status === 429 || status >= 500) return true;
  return error.code === 'ERR_BAD_RESPONSE' && status < 300;
}

/** Retry-After (plus a little jitter, so processes do not return in step) or exponential backoff with jitter. */
export function retryDelay(
  retryNumber: number,
  error: AxiosError,
  policy: RetryPolicy,
  random = Math.random,
): number {
  const after = retryAfterOf(error);
  if (after !== undefined) return after + Math.floor(random() * 100);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/** axios-retry on the instance, with TMDB's rules; every retry goes through the instance's interceptors again. */
export function installRetry(
  instance: AxiosInstance,
  policy: RetryPolicy,
  onRetry: (retryNumber: number, error: AxiosError, delayMs: number) => void,
): void {
  axiosRetry(instance, {
    retries: policy.maxRetries,
    shouldResetTimeout: true,
    retryCondition: (error) => {
      if (!isRetryable(error)) return false;
      const after = retryAfterOf(error);
      return after === undefined || after <= policy.maxRetryAfterMs;
    },
    retryDelay: (retryNumber, error) => {
      const delay = retryDelay(retryNumber, error, policy);
      onRetry(retryNumber, error, delay);
      return delay;
    },
  });
}

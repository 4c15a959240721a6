import { describe, expect, it } from '@jest/globals';
import { AxiosError, AxiosHeaders, type AxiosResponse } from 'axios';
import { isRetryable, parseRetryAfter, retryDelay, type RetryPolicy } from './retry.js';

const policy: RetryPolicy = { maxRetries: 6, baseMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 60_000 };

function failure(status?: number, headers: Record<string, string> = {}, code?: string): AxiosError {
  const response =
    status === undefined
      ? undefined
      : ({
          status,
          statusText: '',
          headers: new AxiosHeaders(headers),
          data: {},
          config: {},
        } as AxiosResponse);
  return new AxiosError('failed', code, undefined, undefined, response);
}

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-06-15T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(2, now)).toBe(2000);
    expect(parseRetryAfter('Mon, 15 Jun 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Mon, 15 Jun 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('retry rules', () => {
  it('retries 429, 5xx, lost connections and non-JSON 2xx bodies, never 404 or 401', () => {
    expect(isRetryable(failure(429))).toBe(true);
    expect(isRetryable(failure(502))).toBe(true);
    expect(isRetryable(failure(undefined, {}, 'ECONNRESET'))).toBe(true);
    expect(isRetryable(failure(undefined, {}, 'ETIMEDOUT'))).toBe(true);
    expect(isRetryable(failure(200, {}, 'ERR_BAD_RESPONSE'))).toBe(true);
    expect(isRetryable(failure(404))).toBe(false);
    expect(isRetryable(failure(401))).toBe(false);
    expect(isRetryable(failure(422))).toBe(false);
  });

  it('waits Retry-After when given, else backs off exponentially with jitter, bounded', () => {
    expect(retryDelay(1, failure(429, { 'retry-after': '2' }), policy, () => 0)).toBe(2000);
    expect(retryDelay(1, failure(429, { 'retry-after': '2' }), policy, () => 0.99)).toBeLessThan(2100);
    expect(retryDelay(1, failure(500), policy, () => 0)).toBe(50);
    expect(retryDelay(3, failure(500), policy, () => 0.999)).toBeLessThanOrEqual(400);
    expect(retryDelay(3, failure(500), policy, () => 0)).toBe(200);
    expect(retryDelay(20, failure(500), policy, () => 0.999)).toBeLessThanOrEqual(1000);
  });
});

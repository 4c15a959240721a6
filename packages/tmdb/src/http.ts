import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import type { SharedRateLimit } from './rate-limit.js';
import { installRetry, outcomeOf, retryAfterOf, type RetryPolicy } from './retry.js';
import type { TmdbResponseEvent } from './types.js';

export interface TransportOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  policy: RetryPolicy;
  limit: SharedRateLimit;
  /** After every attempt, retries included. */
  onAttempt: (event: TmdbResponseEvent) => void;
  onRetry: (retryNumber: number, error: AxiosError, delayMs: number) => void;
}

export interface Transport {
  http: AxiosInstance;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

/**
 * The axios instance TMDB is spoken through. Each attempt (retries included, since axios-retry
 * re-enters the instance) first takes a point of the shared rate limit, then is counted once.
 */
export function createTransport(options: TransportOptions): Transport {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const started = new WeakMap<InternalAxiosRequestConfig, number>();
  const http = axios.create({
    baseURL: options.baseUrl.replace(/\/+$/, ''),
    timeout: options.timeoutMs,
    headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' },
    // A body that is not JSON must fail (and be retried), not arrive as a string.
    transitional: { silentJSONParsing: false, forcedJSONParsing: true, clarifyTimeoutError: true },
    httpAgent: agents.http,
    httpsAgent: agents.https,
  });
  const attempted = (config: InternalAxiosRequestConfig, status: string) =>
    options.onAttempt({
      path: config.url ?? '',
      status,
      durationMs: Date.now() - (started.get(config) ?? Date.now()),
      attempt: config['axios-retry']?.retryCount ?? 0,
    });

  http.interceptors.request.use(async (config) => {
    await options.limit.acquire();
    started.set(config, Date.now());
    return config;
  });
  // Registered before axios-retry's, so it sees each attempt once.
  http.interceptors.response.use(
    (response) => {
      if (typeof response.data !== 'object' || response.data === null) {
        attempted(response.config, 'invalid-body');
        const message = 'TMDB answered a body that is not a JSON object';
        throw new AxiosError(message, 'ERR_BAD_RESPONSE', response.config, response.request, response);
      }
      attempted(response.config, String(response.status));
      return response;
    },
    async (error: unknown) => {
      if (axios.isAxiosError(error) && error.config) {
        attempted(error.config, outcomeOf(error));
        // TMDB's 429 holds back every process, not only this call's retry.
        const after = error.response?.status === 429 ? retryAfterOf(error) : undefined;
        if (after) await options.limit.pause(after).catch(() => undefined);
      }
      throw error;
    },
  );
  installRetry(http, options.policy, options.onRetry);

  return {
    http,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

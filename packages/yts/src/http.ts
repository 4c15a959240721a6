import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import axiosRetry from 'axios-retry';
import type { FailoverCall } from './failover.js';
import type { SharedRateLimit } from './rate-limit.js';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** The call this request belongs to: which mirror each attempt goes to, and what it ended in. */
    ytsCall?: FailoverCall;
  }
}

export interface TransportOptions {
  timeoutMs: number;
  userAgent: string;
  limit: SharedRateLimit;
  /** Upper bound of attempts per call (the call's own ring walk usually ends it first). */
  maxAttempts: number;
  /** After each attempt, before the next is chosen: record it (breaker, counters, logs). */
  onAttemptEnd: (call: FailoverCall, outcome: string, ok: boolean) => Promise<void>;
}

export interface Transport {
  http: AxiosInstance;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a 2xx answer is unusable: not a JSON object, YTS's status "error", or data of the wrong shape. */
export function problemOf(body: unknown, validate: (data: unknown) => boolean): string | undefined {
  if (!isObject(body)) return 'invalid-body';
  if (body.status !== 'ok') return 'status-error';
  return validate(body.data) ? undefined : 'invalid-body';
}

/** How an attempt ended, as YtsAttempt.outcome. */
export function outcomeOf(error: AxiosError): string {
  if (error.code === 'ERR_YTS_STATUS') return 'status-error';
  const status = error.response?.status;
  if (error.code === 'ERR_BAD_RESPONSE' && status !== undefined && status < 300) return 'invalid-body';
  if (status !== undefined) return String(status);
  return error.code ?? 'network-error';
}

/**
 * The axios instance every mirror is spoken through. axios-retry is the failover engine: each retry
 * re-enters the request interceptor, which asks the call for the next mirror (circuit breakers
 * decide) and takes a point of the shared rate limit; the response interceptor records how the
 * attempt ended before axios-retry decides on the next one. Anything but a usable JSON answer with
 * status "ok" is a failure: refused or reset connections, timeouts, any non-2xx, HTML, truncated JSON.
 */
export function createTransport(options: TransportOptions): Transport {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const http = axios.create({
    timeout: options.timeoutMs,
    headers: { Accept: 'application/json', 'User-Agent': options.userAgent },
    // A body that is not JSON must arrive as a string (and be refused below), never throw elsewhere.
    transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: true },
    maxRedirects: 3,
    httpAgent: agents.http,
    httpsAgent: agents.https,
  });

  http.interceptors.request.use(async (config) => {
    const call = config.ytsCall;
    if (!call) return config;
    config.baseURL = (await call.next()).mirror;
    await options.limit.acquire();
    call.sending();
    return config;
  });
  // Registered before axios-retry's, so it sees each attempt exactly once.
  http.interceptors.response.use(
    async (response: AxiosResponse) => {
      const call = response.config.ytsCall;
      if (!call) return response;
      const problem = problemOf(response.data, call.validate);
      if (problem) {
        await options.onAttemptEnd(call, problem, false);
        const code = problem === 'status-error' ? 'ERR_YTS_STATUS' : 'ERR_BAD_RESPONSE';
        const said = (response.data as { status_message?: unknown } | undefined)?.status_message;
        const message =
          problem === 'status-error'
            ? `YTS answered status "error": ${String(said)}`
            : 'YTS answered a body that is not its JSON';
        throw new AxiosError(message, code, response.config, response.request, response);
      }
      await options.onAttemptEnd(call, String(response.status), true);
      return response;
    },
    async (error: unknown) => {
      const call = axios.isAxiosError(error) ? error.config?.ytsCall : undefined;
      if (call?.current && axios.isAxiosError(error))
        await options.onAttemptEnd(call, outcomeOf(error), false);
      throw error;
    },
  );
  axiosRetry(http, {
    retries: options.maxAttempts,
    shouldResetTimeout: true,
    retryCondition: (error) => {
      const call = error.config?.ytsCall;
      return call !== undefined && error.code !== 'ERR_CANCELED' && call.hasMore();
    },
    // The call waits itself when it starts another round of the ring; going to the next mirror is at once.
    retryDelay: () => 0,
  });

  return {
    http,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

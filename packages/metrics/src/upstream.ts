import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { Counter, Histogram, type Registry } from 'prom-client';

const BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Outcomes other than an HTTP status that stay their own label value (few, and worth telling apart). */
const NAMED = new Set(['invalid-body', 'status-error']);

/**
 * An attempt's outcome as a label: the HTTP status ("200", "429", "503"), `invalid-body` or
 * `status-error` for an answer that was not usable, and `error` for anything without an answer
 * (refused, reset, timed out): system error codes are not labels, to keep their number bounded.
 */
export function upstreamStatus(outcome: string | number): string {
  const value = String(outcome);
  if (/^\d{3}$/.test(value)) return value;
  return NAMED.has(value) ? value : 'error';
}

/** The host (and port, when not the default) of a URL, or `unknown`. */
export function hostOf(url: string | undefined, base?: string): string {
  try {
    return new URL(url ?? '', base).host || 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Requests to the services Cinenest depends on (TMDB, the YTS mirrors, torrent file hosts, the
 * streamer): `cinenest_upstream_requests_total{host,status}` and their duration. Each HTTP attempt
 * counts once, retries included, so a 429 shows as status "429" even when a retry then succeeds.
 */
export class UpstreamMetrics {
  private readonly requests: Counter<'host' | 'status'>;
  private readonly duration: Histogram<'host' | 'status'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'cinenest_upstream_requests_total',
      help: 'HTTP attempts to upstream services by host and status (error: no answer)',
      labelNames: ['host', 'status'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'cinenest_upstream_request_duration_seconds',
      help: 'Duration of HTTP attempts to upstream services by host and status',
      labelNames: ['host', 'status'] as const,
      buckets: BUCKETS,
      registers: [registry],
    });
  }

  /** Records one attempt; `outcome` is a status or an error code (see upstreamStatus). */
  observe(host: string, outcome: string | number, durationMs: number): void {
    const labels = { host, status: upstreamStatus(outcome) };
    this.requests.inc(labels);
    this.duration.observe(labels, Math.max(0, durationMs) / 1000);
  }
}

/**
 * Counts every request of an axios instance. Call it before axios-retry is installed on the
 * instance: its response interceptor then sees each attempt exactly once.
 */
export function instrumentAxios(instance: AxiosInstance, metrics: UpstreamMetrics): AxiosInstance {
  const started = new WeakMap<InternalAxiosRequestConfig, number>();
  const record = (config: InternalAxiosRequestConfig | undefined, outcome: string | number) => {
    if (!config) return;
    const from = started.get(config);
    metrics.observe(hostOf(instance.getUri(config)), outcome, from === undefined ? 0 : Date.now() - from);
  };
  instance.interceptors.request.use((config) => {
    started.set(config, Date.now());
    return config;
  });
  instance.interceptors.response.use(
    (response: AxiosResponse) => {
      record(response.config, response.status);
      return response;
    },
    (error: unknown) => {
      const err = error as { config?: InternalAxiosRequestConfig; response?: { status: number } };
      record(err.config, err.response?.status ?? 'error');
      throw error;
    },
  );
  return instance;
}

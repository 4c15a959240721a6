export { createRegistry, within, PREFIX } from './registry.js';
export {
  checkMetricsAccess,
  isInternalAddress,
  metricsAccessRule,
  type AccessVerdict,
  type MetricsAccessMode,
  type MetricsAccessRule,
  type MetricsAccessSettings,
  type MetricsRequest,
} from './access.js';
export { metricsRoute, startMetricsServer, type MetricsServer } from './serve.js';
export { httpMetrics, routeLabel, type HttpMetricsOptions } from './http.js';
export { hostOf, instrumentAxios, UpstreamMetrics, upstreamStatus } from './upstream.js';
export { QUEUE_STATES, registerQueueGauges, type CountableQueue } from './queues.js';
export { JobMetrics, type JobOutcome } from './jobs.js';
export {
  registerStreamerMetrics,
  type StreamerDisk,
  type StreamerLive,
  type StreamerMetrics,
  type StreamerSource,
} from './streamer.js';
export type { Registry } from 'prom-client';

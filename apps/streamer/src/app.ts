import type { Config } from '@cinenest/config';
import { errorHandler, notFound, requestContext } from '@cinenest/http';
import type { Logger } from '@cinenest/logger';
import { createRegistry, httpMetrics, metricsRoute, registerStreamerMetrics } from '@cinenest/metrics';
import type { VpnGate } from '@cinenest/queue';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { internalRoutes } from './internal/internal.routes.js';
import type { GrantCheck } from './stream/grants.js';
import { streamRoutes } from './stream/stream.routes.js';
import type { TorrentPool } from './torrents/pool.js';

export interface StreamerDeps {
  pool: TorrentPool;
  grants: GrantCheck;
  vpn: VpnGate;
}

/** The streamer's HTTP surface: public /stream/:token, the internal API, and its health. */
export function createStreamerApp(config: Config, logger: Logger, deps: StreamerDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(requestContext(logger));
  // The streamer's port is public (for /stream): /metrics is behind METRICS_ACCESS (default internal).
  const metrics = createRegistry();
  const streamed = registerStreamerMetrics(
    metrics,
    {
      live: () => deps.pool.stats(),
      disk: () => deps.pool.diskStats(),
      vpnUp: () => deps.vpn.isOpen(),
    },
    { onError: (err) => logger.warn('storage figures unavailable for /metrics', { err }) },
  );
  app.use(httpMetrics(metrics));
  app.get('/metrics', metricsRoute(metrics, { token: config.METRICS_TOKEN, access: config.METRICS_ACCESS }));
  // Stream URLs are played from other origins (a web app, a TV): the bytes may be embedded anywhere.
  app.use(helmet({ crossOriginResourcePolicy: { policy: 'cross-origin' } }));
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(
    streamRoutes({
      secret: config.STREAMER_SECRET,
      pool: deps.pool,
      grants: deps.grants,
      logger,
      readTimeoutMs: config.STREAM_READ_TIMEOUT * 1000,
      openTimeoutMs: config.STREAM_SOURCE_TIMEOUT * 1000,
      onBytes: streamed.bytesServed,
    }),
  );
  app.use(internalRoutes({ secret: config.STREAMER_SECRET, pool: deps.pool, vpn: deps.vpn }));
  app.use(notFound);
  app.use(errorHandler(logger, config.NODE_ENV !== 'production'));
  return app;
}

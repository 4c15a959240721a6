import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { auditRoutes } from './admin/audit.routes.js';
import { QUEUES_BOARD_PATH, queuesBoard } from './admin/queues.js';
import { authenticate, requireRole } from './auth/authenticate.js';
import { authRoutes } from './auth/auth.routes.js';
import { deviceRoutes } from './auth/device.routes.js';
import type { AppDeps } from './deps.js';
import { healthRoutes } from './health/health.routes.js';
import { errorHandler, notFound, requestContext } from '@cinenest/http';
import {
  createRegistry,
  httpMetrics,
  metricsRoute,
  registerQueueGauges,
  UpstreamMetrics,
} from '@cinenest/metrics';
import { createLimiters } from './http/rate-limit.js';
import { mountRoutes, type RegisteredRoute } from './http/routes.js';
import { apiDocs } from './openapi/docs.js';
import { userRoutes } from './users/users.routes.js';
import { genreAndListRoutes } from './catalog/genres-lists.routes.js';
import { Images } from './catalog/images.js';
import { movieRoutes } from './catalog/movies.routes.js';
import { searchRoutes } from './catalog/search.routes.js';
import { showRoutes } from './catalog/shows.routes.js';
import { progressRoutes } from './progress/progress.routes.js';
import { sourceRoutes } from './sources/sources.routes.js';
import { statusRoutes } from './status/status.routes.js';
import { streamProxy } from './streaming/proxy.js';
import { storageRoutes } from './streaming/storage.routes.js';
import { StreamerClient } from './streaming/streamer-client.js';
import { streamRoutes } from './streaming/stream.routes.js';

export interface App {
  app: Express;
  routes: RegisteredRoute[];
}

export function createApp(deps: AppDeps): App {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.set('query parser', 'extended');

  app.use(requestContext(logger));
  // Metrics: every request timed by route template; GET /metrics outside /api/v1, never rate-limited.
  const metrics = createRegistry();
  app.use(
    httpMetrics(metrics, {
      routeOf: (req) => (req.path.startsWith('/stream/') ? '/stream/:token' : undefined),
    }),
  );
  app.get('/metrics', metricsRoute(metrics, { token: config.METRICS_TOKEN, access: config.METRICS_ACCESS }));
  registerQueueGauges(metrics, () => deps.queues.all(), {
    onError: (err) => logger.warn('queue counts unavailable for /metrics', { err }),
  });
  app.use(helmet());
  // Before the body parser and the routes: stream bytes pass straight through (with the streamer's
  // own headers, which let players on other origins embed them).
  app.use(streamProxy(config, logger));
  app.use(
    cors({
      origin: config.CORS_ORIGINS.includes('*') ? true : config.CORS_ORIGINS,
      credentials: true,
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
    }),
  );
  // Only requests that carry a body are parsed (GET and HEAD pass by: most of the traffic).
  const json = express.json({ limit: config.BODY_LIMIT, strict: true });
  app.use((req, res, next) =>
    req.method === 'GET' || req.method === 'HEAD' ? next() : json(req, res, next),
  );
  app.use(cookieParser());

  const limiters = createLimiters(deps);
  const images = new Images(deps.db);
  const streamer = new StreamerClient(config, new UpstreamMetrics(metrics));
  const { router, table } = mountRoutes(
    [
      ...healthRoutes(deps),
      ...authRoutes(deps, limiters),
      ...deviceRoutes(deps),
      ...userRoutes(deps),
      ...auditRoutes(deps),
      ...movieRoutes(deps, images),
      ...showRoutes(deps, images),
      ...searchRoutes(deps, images),
      ...genreAndListRoutes(deps, images),
      ...progressRoutes(deps, images),
      ...sourceRoutes(deps),
      ...streamRoutes(deps, streamer),
      ...storageRoutes(deps, streamer),
      ...statusRoutes(deps),
    ],
    {
      authenticate: (optional) => authenticate(deps, optional),
      requireRole,
      generalLimit: limiters.general,
    },
    { validateResponses: config.NODE_ENV === 'test' },
  );
  app.use(QUEUES_BOARD_PATH, queuesBoard(deps, limiters.general));
  app.use(apiDocs(table, limiters.general));
  app.use(router);
  app.use(notFound);
  app.use(errorHandler(logger, config.NODE_ENV !== 'production'));
  return { app, routes: table };
}

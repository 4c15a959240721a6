import type { Config } from '@cinenest/config';
import { errorHandler, notFound, requestContext } from '@cinenest/http';
import type { Logger } from '@cinenest/logger';
import express, { type Express } from 'express';
import helmet from 'helmet';

/** The streamer's HTTP surface. Streaming itself arrives with the streaming issue. */
export function createStreamerApp(config: Config, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(requestContext(logger));
  app.use(helmet());
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(notFound);
  app.use(errorHandler(logger, config.NODE_ENV !== 'production'));
  return app;
}

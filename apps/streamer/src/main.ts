import { loadConfigOrExit } from '@cinenest/config';
import { serveUntilSignal } from '@cinenest/http';
import { createLogger } from '@cinenest/logger';
import { createStreamerApp } from './app.js';

const config = loadConfigOrExit('cinenest-streamer');
const logger = createLogger({
  service: 'streamer',
  level: config.LOG_LEVEL,
  json: config.NODE_ENV === 'production',
});

serveUntilSignal(createStreamerApp(config, logger), {
  host: config.HOST,
  port: config.STREAMER_PORT,
  drainMs: config.SHUTDOWN_TIMEOUT_MS,
  logger,
  onClose: async () => {},
});

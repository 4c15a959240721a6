import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '@cinenest/logger';
import type { Express } from 'express';

interface ServeOptions {
  host: string;
  port: number;
  /** How long in-flight requests may take to finish after a stop signal. */
  drainMs: number;
  logger: Logger;
  onClose: () => Promise<void>;
}

/**
 * Listens, and on SIGTERM/SIGINT stops accepting, lets in-flight requests finish (bounded by
 * drainMs), closes the dependencies and exits 0.
 */
export function serveUntilSignal(
  app: Express,
  { host, port, drainMs, logger, onClose }: ServeOptions,
): Server {
  const server = app.listen(port, host, () => logger.info('listening', { url: `http://${host}:${port}` }));
  server.on('error', (err) => {
    logger.error('cannot listen', { err });
    process.exit(1);
  });
  let stopping = false;
  // While stopping, answers close their connection, so keep-alive clients let go at once instead of
  // holding the server open until their idle timeout.
  const pending = new Set<ServerResponse>();
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping) res.setHeader('Connection', 'close');
    pending.add(res);
    res.on('close', () => pending.delete(res));
  });
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    for (const res of pending) if (!res.headersSent) res.setHeader('Connection', 'close');
    const force = setTimeout(() => server.closeAllConnections(), drainMs);
    force.unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(force);
    try {
      await onClose();
    } catch (err) {
      logger.warn('error while closing', { err });
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return server;
}

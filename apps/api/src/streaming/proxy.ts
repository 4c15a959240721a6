import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '@cinenest/config';
import type { Logger } from '@cinenest/logger';
import type { RequestHandler } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

/**
 * GET and HEAD /stream/:token, passed to the streamer as they are (Range in, 206 and bytes out, with
 * backpressure), so players need only the API's origin. The token is the credential: no session and
 * no general rate limit here; the streamer checks it.
 */
export function streamProxy(config: Config, logger: Logger): RequestHandler {
  const proxy = createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: config.STREAMER_URL,
    pathFilter: (path, req) => path.startsWith('/stream/') && (req.method === 'GET' || req.method === 'HEAD'),
    // The streamer may wait for pieces before the first byte; it bounds that wait itself.
    proxyTimeout: (config.STREAM_READ_TIMEOUT + config.STREAM_SOURCE_TIMEOUT + 5) * 1000,
    xfwd: true,
    on: {
      // The streamer gone mid-answer (killed, crashed): end the player's response with an error too,
      // rather than leaving it waiting for bytes that will never come.
      proxyRes: (proxyRes, _req, res) => {
        proxyRes.once('close', () => {
          if (!proxyRes.complete) res.destroy();
        });
      },
      error: (err, _req, res) => {
        logger.warn('stream proxy: the streamer cannot be reached', { message: (err as Error).message });
        if (!('writeHead' in res)) {
          res.destroy();
          return;
        }
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '10' });
        res.end(
          JSON.stringify({
            error: { code: 'service_unavailable', message: 'The streamer is unavailable; try again shortly' },
          }),
        );
      },
    },
  });
  // Every other request passes by with one string test (the middleware's own filter parses the URL).
  return (req, res, next) => (req.url.startsWith('/stream/') ? proxy(req, res, next) : next());
}

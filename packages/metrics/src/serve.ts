import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { checkMetricsAccess, metricsAccessRule, type MetricsAccessSettings } from './access.js';

type Answer = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function answerer(registry: Registry, settings: MetricsAccessSettings): Answer {
  const rule = metricsAccessRule(settings);
  return async (req, res) => {
    const verdict = checkMetricsAccess(rule, req);
    res.setHeader('Cache-Control', 'no-store');
    if (!verdict.ok) {
      if (verdict.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      res.writeHead(verdict.status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          error: { code: verdict.status === 401 ? 'unauthorized' : 'forbidden', message: verdict.message },
        }),
      );
      return;
    }
    const body = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** GET /metrics for an Express app, behind the access rule (see checkMetricsAccess). */
export function metricsRoute(registry: Registry, settings: MetricsAccessSettings): RequestHandler {
  const answer = answerer(registry, settings);
  return async (req, res) => {
    await answer(req, res);
  };
}

export interface MetricsServer {
  server: Server;
  /** The port it listens on (the one picked when 0 was asked). */
  port: number;
  close(): Promise<void>;
}

/**
 * A bare HTTP server answering GET /metrics (and 404 to anything else), for a process that has no
 * HTTP server of its own (the worker).
 */
export async function startMetricsServer(options: {
  registry: Registry;
  access: MetricsAccessSettings;
  host: string;
  port: number;
  onError?: (err: unknown) => void;
}): Promise<MetricsServer> {
  const answer = answerer(options.registry, options.access);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    answer(req, res).catch((err: unknown) => {
      options.onError?.(err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

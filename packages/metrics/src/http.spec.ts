import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from '@jest/globals';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { httpMetrics, routeLabel } from './http.js';
import { createRegistry } from './registry.js';
import { metricsRoute, startMetricsServer, type MetricsServer } from './serve.js';

/** The label sets of one metric, as prom-client reports them. */
async function labelsOf(registry: ReturnType<typeof createRegistry>, name: string) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []) as Array<{
    labels: Record<string, string | number>;
    value: number;
    metricName?: string;
  }>;
}

function testApp() {
  const registry = createRegistry({ processMetrics: false });
  const app = express();
  app.use(
    httpMetrics(registry, {
      routeOf: (req) => (req.path.startsWith('/proxied/') ? '/proxied/:x' : undefined),
    }),
  );
  app.get('/metrics', metricsRoute(registry, {}));
  const api = express.Router();
  api.get('/movies/:tmdbId', (req, res) => {
    res.json({ id: req.params.tmdbId });
  });
  api.get('/fail/:id', () => {
    throw new Error('boom');
  });
  api.get('/', (_req, res) => {
    res.json({});
  });
  app.use('/api/v1', api);
  app.get('/proxied/:x', (_req, res, next) => next());
  app.use((req, res) => {
    if (req.path.startsWith('/proxied/')) res.status(202).end();
    else res.status(404).json({ error: 'not found' });
  });
  const onError: ErrorRequestHandler = (_err, _req, res, _next) => {
    res.status(500).json({ error: 'internal' });
  };
  app.use(onError);
  return { app, registry };
}

describe('routeLabel', () => {
  it('joins the mount path and the template', () => {
    expect(routeLabel('/api/v1', '/movies/:tmdbId')).toBe('/api/v1/movies/:tmdbId');
    expect(routeLabel('/api/v1', '/')).toBe('/api/v1');
    expect(routeLabel('', '/')).toBe('/');
    expect(routeLabel('', /regex/)).toBeUndefined();
  });
});

describe('httpMetrics', () => {
  it('labels requests by route template, never by their URL', async () => {
    const { app, registry } = testApp();
    await request(app).get('/api/v1/movies/42').expect(200);
    await request(app).get('/api/v1/movies/43').expect(200);
    await request(app).get('/api/v1/fail/secret-token-abc').expect(500);
    await request(app).get('/api/v1').expect(200);
    await request(app).get('/nothing/here/7').expect(404);
    await request(app).post('/api/v1/movies/42').expect(404);
    const counts = (await labelsOf(registry, 'cinenest_http_request_duration_seconds')).filter((v) =>
      v.metricName?.endsWith('_count'),
    );
    const seen = Object.fromEntries(
      counts.map((v) => [`${v.labels.method} ${v.labels.route} ${v.labels.status}`, v.value]),
    );
    expect(seen).toEqual({
      'GET /api/v1/movies/:tmdbId 200': 2,
      // The error handler ran after the router put req.baseUrl back: the mount path is kept anyway.
      'GET /api/v1/fail/:id 500': 1,
      'GET /api/v1 200': 1,
      'GET unmatched 404': 1,
      'POST unmatched 404': 1,
    });
    const text = await registry.metrics();
    expect(text).not.toMatch(/secret-token-abc|movies\/42|nothing/);
  });

  it('asks routeOf for requests no route answered', async () => {
    const { app, registry } = testApp();
    await request(app).get('/proxied/some-token').expect(202);
    const text = await registry.metrics();
    expect(text).toMatch(
      /cinenest_http_request_duration_seconds_count\{method="GET",route="\/proxied\/:x",status="202"\} 1/,
    );
  });

  it('serves /metrics in the text format, labelled as its own route', async () => {
    const { app } = testApp();
    await request(app).get('/metrics').expect(200);
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/# TYPE cinenest_http_request_duration_seconds histogram/);
    expect(res.text).toMatch(/route="\/metrics",status="200"/);
  });
});

describe('metricsRoute and startMetricsServer', () => {
  const TOKEN = 'metrics-token-0123456789';
  let server: MetricsServer | undefined;
  afterAll(async () => server?.close());

  it('requires the token when one is set: 401 without, 200 with', async () => {
    const registry = createRegistry({ processMetrics: false });
    const app = express().get('/metrics', metricsRoute(registry, { token: TOKEN }));
    const refused = await request(app).get('/metrics').expect(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
    await request(app).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
    await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  });

  it('internal by default: a loopback scrape is served, a proxied one refused', async () => {
    const registry = createRegistry({ processMetrics: false });
    const app = express().get('/metrics', metricsRoute(registry, {}));
    await request(app).get('/metrics').expect(200);
    await request(app).get('/metrics').set('X-Forwarded-For', '203.0.113.7').expect(403);
  });

  it('a bare server answers /metrics only, with the process metrics', async () => {
    server = await startMetricsServer({
      registry: createRegistry(),
      access: { token: TOKEN },
      host: '127.0.0.1',
      port: 0,
    });
    const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/other`)).status).toBe(404);
    const res = await fetch(`${url}/metrics?x=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^cinenest_process_cpu_seconds_total /m);
    expect(text).toMatch(/^cinenest_nodejs_eventloop_lag_seconds /m);
  });
});

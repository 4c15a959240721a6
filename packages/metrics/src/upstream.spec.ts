import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import axios from 'axios';
import axiosRetry from 'axios-retry';
import { createRegistry } from './registry.js';
import { hostOf, instrumentAxios, UpstreamMetrics, upstreamStatus } from './upstream.js';

describe('upstreamStatus', () => {
  it('keeps HTTP statuses and the named outcomes, and folds the rest into error', () => {
    expect(upstreamStatus(429)).toBe('429');
    expect(upstreamStatus('503')).toBe('503');
    expect(upstreamStatus('invalid-body')).toBe('invalid-body');
    expect(upstreamStatus('status-error')).toBe('status-error');
    expect(upstreamStatus('ECONNREFUSED')).toBe('error');
    expect(upstreamStatus('ETIMEDOUT')).toBe('error');
    expect(upstreamStatus('network-error')).toBe('error');
  });

  it('hostOf keeps the host and port only', () => {
    expect(hostOf('https://api.themoviedb.org/3/movie/1?x=y')).toBe('api.themoviedb.org');
    expect(hostOf('/movie/1', 'http://127.0.0.1:8090/x')).toBe('127.0.0.1:8090');
    expect(hostOf('not a url')).toBe('unknown');
  });
});

describe('instrumentAxios', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  beforeAll(async () => {
    // Answers 429 to every other request: the first attempt of a call is refused, its retry served.
    server = createServer((_req, res) => {
      hits++;
      if (hits % 2 === 1) res.writeHead(429, { 'Retry-After': '0' }).end();
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts each attempt once, retries included, by host and status; no answer is "error"', async () => {
    const registry = createRegistry({ processMetrics: false });
    const metrics = new UpstreamMetrics(registry);
    const http = instrumentAxios(axios.create({ baseURL: base }), metrics);
    axiosRetry(http, { retries: 2, retryDelay: () => 0, retryCondition: (e) => e.response?.status === 429 });
    const res = await http.get('/movie/1');
    expect(res.status).toBe(200);

    const closed = instrumentAxios(axios.create({ timeout: 2000 }), metrics);
    await expect(closed.get('http://127.0.0.1:9/x')).rejects.toThrow();

    const text = await registry.metrics();
    const host = new URL(base).host;
    expect(text).toContain(`cinenest_upstream_requests_total{host="${host}",status="429"} 1`);
    expect(text).toContain(`cinenest_upstream_requests_total{host="${host}",status="200"} 1`);
    expect(text).toContain('cinenest_upstream_requests_total{host="127.0.0.1:9",status="error"} 1');
    expect(text).toMatch(
      new RegExp(`cinenest_upstream_request_duration_seconds_count\\{host="${host}",status="429"\\} 1`),
    );
    expect(text).not.toContain('/movie/1');
  });
});

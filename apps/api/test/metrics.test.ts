import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support.js';

/** GET /metrics of the API: request histograms by route template, queue gauges, upstream calls. */
let t: TestApp;
beforeAll(async () => {
  // The streamer is a closed port: the storage route's calls to it fail (and are counted).
  t = await startTestApp({ STREAMER_URL: 'http://127.0.0.1:9', RATE_LIMIT_PER_MINUTE: '3' });
});
afterAll(async () => t.close());

describe('GET /metrics (api)', () => {
  it('times requests by their route template, never their URL', async () => {
    await t.http().get('/api/v1/movies/424242');
    await t.http().get('/api/v1/movies/515151');
    await t.http().get('/no/such/path/77').expect(404);
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toMatch(
      /^cinenest_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/movies\/:tmdbId",status="\d{3}"\} 2$/m,
    );
    expect(text).toMatch(/route="unmatched",status="404"\} 1$/m);
    expect(text).not.toMatch(/424242|515151|no\/such/);
    expect(text).toMatch(/^cinenest_process_resident_memory_bytes \d+/m);
  });

  it('shows every queue’s job counts, read from Redis', async () => {
    await t.deps.queues.enqueue('catalog.movie-sync', { tmdbId: 123 });
    const text = (await t.http().get('/metrics').expect(200)).text;
    for (const queue of ['catalog', 'sources', 'housekeeping', 'swarm'])
      for (const state of ['waiting', 'active', 'failed', 'delayed', 'prioritized'])
        expect(text).toMatch(
          new RegExp(`^cinenest_queue_jobs\\{queue="${queue}",state="${state}"\\} \\d+$`, 'm'),
        );
    expect(text).toMatch(/^cinenest_queue_jobs\{queue="catalog",state="(waiting|prioritized)"\} 1$/m);
    expect(text).toMatch(/^cinenest_queue_scrape_errors_total 0$/m);
  });

  it('counts each attempt to reach the streamer, retries included, as status "error"', async () => {
    const admin = await t.signedIn('ADMIN');
    await t.http().get('/api/v1/admin/storage').set(admin.auth).expect(503);
    const text = (await t.http().get('/metrics').expect(200)).text;
    // One GET, retried twice on the refused connection.
    expect(text).toMatch(/^cinenest_upstream_requests_total\{host="127\.0\.0\.1:9",status="error"\} 3$/m);
  });

  it('is not under /api/v1, not in the route table, and not rate-limited', async () => {
    expect(t.routes.some((r) => r.path.includes('metrics'))).toBe(false);
    for (let i = 0; i < 6; i++) await t.http().get('/metrics').expect(200);
    await t.http().get('/api/v1/metrics').expect(404);
  });

  it('internal by default: a loopback scrape is served; one relayed by a proxy is refused', async () => {
    await t.http().get('/metrics').expect(200);
    await t.http().get('/metrics').set('X-Forwarded-For', '203.0.113.9').expect(403);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const TOKEN = 'api-metrics-token-0123456789';
  let tokened: TestApp;
  beforeAll(async () => {
    tokened = await startTestApp({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => tokened.close());

  it('401 without the token, 200 with it', async () => {
    await tokened.http().get('/metrics').expect(401);
    await tokened.http().get('/metrics').set('Authorization', 'Bearer nope').expect(401);
    const res = await tokened.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.text).toMatch(/cinenest_http_request_duration_seconds/);
  });
});

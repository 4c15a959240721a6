// autocannon runs for the benches: every response's latency and status kept (autocannon's summary has
// no p95 and counts no status per code), several runs at once summed as one (a load spread over
// several servers), and every run still going stopped when the bench ends.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { onExit } from './common.mjs';

/** A small seeded PRNG (mulberry32), so every run asks the same pages and queries. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The p-th percentile of ascending values (NaN for none). */
export const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;

const running = new Set();
onExit(() => {
  for (const instance of running) instance.stop?.();
});

/**
 * One autocannon run against `url`. Each request is `requests[i++ % length]` (an object with path and
 * optionally method, body, headers) or, without `requests`, GET `url`. `amount` runs that many
 * requests instead of `duration` seconds, stopped anyway after `capSeconds`. `timeout`: seconds a
 * request may take (autocannon counts it as an error after). Resolves with the raw figures: see
 * summarise() for the usual ones.
 */
export function runLoad(
  url,
  { requests, headers = {}, duration, amount, capSeconds, connections, timeout = 10 },
) {
  let i = 0;
  const latencies = [];
  const statuses = {};
  const instance = autocannon({
    url,
    connections,
    ...(amount ? { amount } : { duration }),
    timeout,
    headers,
    requests: requests
      ? [
          {
            setupRequest: (req) => {
              const r = requests[i++ % requests.length];
              return { ...req, ...r, headers: { ...req.headers, ...r.headers } };
            },
          },
        ]
      : undefined,
  });
  running.add(instance);
  const cap = capSeconds ? setTimeout(() => instance.stop?.(), capSeconds * 1000) : undefined;
  const started = performance.now();
  instance.on('response', (_client, status, _bytes, ms) => {
    latencies.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  return instance.then((result) => {
    clearTimeout(cap);
    running.delete(instance);
    return {
      seconds: (performance.now() - started) / 1000,
      latencies,
      statuses,
      non2xx: result.non2xx,
      errors: result.errors, // timeouts included
      timeouts: result.timeouts,
    };
  });
}

/** Several runs at once (say one per server), summed: req/s over the longest, latencies merged. */
export async function runSpread(runs) {
  const results = await Promise.all(runs.map(({ url, ...options }) => runLoad(url, options)));
  return summarise(results);
}

/** req/s, percentiles (ms), non-2xx, errors and statuses of one or several runs taken together. */
export function summarise(results) {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const statuses = {};
  for (const r of results)
    for (const [code, n] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  const seconds = Math.max(...results.map((r) => r.seconds));
  return {
    rps: latencies.length / seconds,
    total: latencies.length,
    seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
    timeouts: results.reduce((n, r) => n + r.timeouts, 0),
    statuses,
  };
}

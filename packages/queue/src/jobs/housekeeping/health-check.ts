import { pingDb, ServiceState } from '@cinenest/db';
import { TmdbAuthError, TmdbClient, TmdbUnavailableError } from '@cinenest/tmdb';
import type { YtsMirrorState } from '@cinenest/yts';
import { z } from 'zod';
import { defineJob, type JobContext } from '../../define.js';
import { QUEUE_NAMES, type QueueName } from '../../names.js';
import { pingRedis } from '../../redis.js';
import { readVpnState, type VpnReport } from '../../vpn/gate.js';
import { TRACKER_HEALTH_JOB_ID } from '../swarm/tracker-health.js';

/** Every check gets this long; no answer in time is DOWN. */
export const CHECK_TIMEOUT_MS = 5000;
/** A right answer slower than this is DEGRADED. */
export const SLOW_MS = 2500;
/**
 * A queue is stuck when the job next in line has been ready this long while none of the queue's jobs
 * is running: nothing serves the queue (no worker for it, or its workers hang).
 */
export const QUEUE_STUCK_MS = 15 * 60_000;
/** A queue where this many jobs failed for good within the last hour is DEGRADED. */
export const QUEUE_FAILED_PER_HOUR = 10;
/** Longest detail stored. */
const DETAIL_MAX = 1000;
const HOUR = 3600_000;

export interface CheckResult {
  /** "postgres", "redis", "tmdb", "yts:<host>", "trackers", "vpn", "streamer" or "queues". */
  service: string;
  state: ServiceState;
  /** How long the answer took; null when there was none (DOWN) or nothing was asked. */
  latencyMs: number | null;
  detail: string | null;
}

/** The ServiceCheck name of a YTS mirror: its host (with the port, when it has one). */
export const ytsService = (mirror: string) => `yts:${new URL(mirror).host}`;

const clip = (text: string | null) =>
  text !== null && text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX - 1)}…` : text;

const TIMEOUT_CODES = ['ETIMEDOUT', 'ECONNABORTED'];

/** A short reason for a failed request: fetch's and axios's errors carry the system code. */
function describeError(thrown: unknown): string {
  // Duck-typed: fetch's errors come from another realm under some runners, where instanceof fails.
  if (typeof thrown !== 'object' || thrown === null || !('message' in thrown)) return String(thrown);
  const err = thrown as Error;
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return `no answer within ${CHECK_TIMEOUT_MS} ms`;
  const codeOf = (e: unknown) => (e as { code?: unknown } | undefined)?.code;
  // System codes (ECONNREFUSED, ENOTFOUND …), not library ones (ERR_BAD_RESPONSE: the message says more).
  const code = [codeOf(err.cause), codeOf(err)].find(
    (c) => typeof c === 'string' && /^E[A-Z_]+$/.test(c) && !c.startsWith('ERR_'),
  );
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (typeof code === 'string' && TIMEOUT_CODES.includes(code))
    return `no answer within ${CHECK_TIMEOUT_MS} ms`;
  if (typeof code === 'string') return code;
  // fetch says only "fetch failed"; its cause says why (e.g. "bad port").
  const cause = (err.cause as { message?: unknown } | undefined)?.message;
  return typeof cause === 'string' && cause ? `${err.message}: ${cause}` : err.message;
}

/** The promise's value, or the fallback when it fails or takes longer than CHECK_TIMEOUT_MS. */
async function within<T>(promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), CHECK_TIMEOUT_MS)));
  try {
    return await Promise.race([promise.catch(() => fallback), late]);
  } finally {
    clearTimeout(timer);
  }
}

interface Outcome {
  state: ServiceState;
  detail?: string | null;
  /** null: nothing was asked, so there is no latency to record (default: the time the check took). */
  latencyMs?: null;
}

/**
 * Runs one check with CHECK_TIMEOUT_MS (its signal aborts the request when time is up) and times it.
 * A throw or no answer in time is DOWN; an UP answer slower than SLOW_MS becomes DEGRADED.
 */
async function timed(
  service: string,
  check: (signal: AbortSignal) => Promise<Outcome>,
): Promise<CheckResult> {
  const controller = new AbortController();
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ state: ServiceState.DOWN, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` });
    }, CHECK_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race<Outcome>([
      check(controller.signal).catch((err: unknown) => ({
        state: ServiceState.DOWN,
        detail: describeError(err),
      })),
      timeout,
    ]);
    const latencyMs = outcome.latencyMs === null ? null : Date.now() - started;
    let { state } = outcome;
    let detail = outcome.detail ?? null;
    if (state === ServiceState.UP && latencyMs !== null && latencyMs >= SLOW_MS) {
      state = ServiceState.DEGRADED;
      detail = [`slow: ${latencyMs} ms`, detail].filter(Boolean).join('; ');
    }
    return { service, state, latencyMs: state === ServiceState.DOWN ? null : latencyMs, detail };
  } finally {
    clearTimeout(timer);
  }
}

const up = (ok: boolean, detail: string): Outcome =>
  ok ? { state: ServiceState.UP } : { state: ServiceState.DOWN, detail };

function checkPostgres({ db }: JobContext): Promise<CheckResult> {
  return timed('postgres', async () => up(await pingDb(db, CHECK_TIMEOUT_MS), 'no answer to SELECT 1'));
}

function checkRedis({ redis }: JobContext): Promise<CheckResult> {
  return timed('redis', async () => up(await pingRedis(redis, CHECK_TIMEOUT_MS), 'no answer to PING'));
}

/**
 * One uncached GET /configuration through a TmdbClient of its own: the worker's clients would answer
 * it from their day-long cache (and retry for tens of seconds), this one asks once, with no retry.
 * It takes its point of the shared rate limit like any request (one per run). While TMDB has paused
 * every process (a 429's Retry-After), TMDB is not called: that is DEGRADED, and so is a 429 now.
 */
async function checkTmdb({ config, redis }: JobContext): Promise<CheckResult> {
  const token = config.TMDB_API_TOKEN;
  if (!token)
    return {
      service: 'tmdb',
      state: ServiceState.DOWN,
      latencyMs: null,
      detail: 'TMDB_API_TOKEN is not set',
    };
  const client = new TmdbClient({
    baseUrl: config.TMDB_API_URL,
    token,
    redis,
    keyPrefix: config.REDIS_PREFIX,
    ratePerSecond: config.TMDB_RATE_LIMIT,
    cacheTtlSeconds: 0,
    maxRetries: 0,
    timeoutMs: CHECK_TIMEOUT_MS,
  });
  try {
    return await timed('tmdb', async () => {
      // The pause every TMDB client honours (packages/tmdb, SharedRateLimit.pauseKey).
      const paused = await redis.pttl(`${config.REDIS_PREFIX}:tmdb:pause`);
      if (paused > 0)
        return {
          state: ServiceState.DEGRADED,
          latencyMs: null,
          detail: `rate-limited: TMDB asked for a pause, ${Math.ceil(paused / 1000)} s left (not called)`,
        };
      try {
        await client.configuration();
        return { state: ServiceState.UP };
      } catch (err) {
        if (err instanceof TmdbAuthError)
          return { state: ServiceState.DOWN, detail: 'TMDB refused the token (401)' };
        if (err instanceof TmdbUnavailableError && err.httpStatus === 429)
          return { state: ServiceState.DEGRADED, detail: 'rate-limited (429)' };
        if (err instanceof TmdbUnavailableError && err.httpStatus !== undefined && err.httpStatus >= 300)
          return { state: ServiceState.DOWN, detail: `HTTP ${err.httpStatus}` };
        return { state: ServiceState.DOWN, detail: describeError((err as { cause?: unknown }).cause ?? err) };
      }
    });
  } finally {
    client.close();
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** GET list_movies.json?limit=1 on one mirror: UP when it is YTS's JSON with status "ok". */
async function probeMirror(mirror: string, signal: AbortSignal): Promise<Outcome> {
  const res = await fetch(`${mirror}/list_movies.json?limit=1`, {
    signal,
    headers: { Accept: 'application/json', 'User-Agent': 'Cinenest' },
  });
  const text = await res.text();
  if (!res.ok) return { state: ServiceState.DOWN, detail: `HTTP ${res.status}` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { state: ServiceState.DOWN, detail: 'the answer is not JSON (an HTML page, or cut short)' };
  }
  if (!isObject(body)) return { state: ServiceState.DOWN, detail: 'the answer is not YTS JSON' };
  if (body.status !== 'ok')
    return {
      state: ServiceState.DOWN,
      detail: `status "${String(body.status)}": ${String(body.status_message)}`,
    };
  if (!isObject(body.data) || typeof body.data.movie_count !== 'number')
    return { state: ServiceState.DOWN, detail: 'the answer is not YTS JSON' };
  return { state: ServiceState.UP };
}

/** What the workers' circuit breaker says of a mirror, added to the probe's verdict. */
export function withBreaker(probe: CheckResult, breaker: YtsMirrorState | undefined): CheckResult {
  if (!breaker) return probe;
  const last = breaker.lastFailure ? `, last: ${breaker.lastFailure}` : '';
  let note: string | null = null;
  if (breaker.circuit === 'open')
    note = `circuit open (${breaker.failures} failures${last}), skipped for ${Math.ceil(breaker.retryInMs / 1000)} s more`;
  else if (breaker.circuit === 'half-open') note = `circuit half-open (${breaker.failures} failures${last})`;
  else if (breaker.failures > 0) note = `${breaker.failures} recent failures${last}`;
  if (!note) return probe;
  const detail = [probe.detail, note].filter(Boolean).join('; ');
  // It answers, but the workers skip it until their breaker closes again.
  const state =
    probe.state === ServiceState.UP && breaker.circuit !== 'closed' ? ServiceState.DEGRADED : probe.state;
  return { ...probe, state, detail };
}

/**
 * Each configured mirror, probed directly (not through the failover ring, which would answer from
 * another mirror) with one cheap request, plus its circuit breaker's state from Redis. The probes do
 * not touch the breakers: the workers' own requests decide those.
 */
async function checkYts({ yts }: JobContext): Promise<CheckResult[]> {
  const breakers = await within(yts.mirrorStates(), [] as YtsMirrorState[]);
  return Promise.all(
    yts.mirrors.map(async (mirror) =>
      withBreaker(
        await timed(ytsService(mirror), (signal) => probeMirror(mirror, signal)),
        breakers.find((b) => b.mirror === mirror),
      ),
    ),
  );
}

/** The VPN as the workers' gates last published it: the check itself is theirs (every few seconds). */
export function vpnCheck(report: VpnReport): CheckResult {
  const base = { service: 'vpn', latencyMs: report.latencyMs };
  switch (report.state) {
    case 'up':
      return { ...base, state: ServiceState.UP, detail: null };
    case 'disabled':
      return { ...base, state: ServiceState.UP, detail: 'not checked (DISABLE_VPN_CHECK=true)' };
    case 'down':
      return {
        ...base,
        state: ServiceState.DOWN,
        latencyMs: null,
        detail: report.detail ?? 'the VPN check fails',
      };
    default:
      return {
        ...base,
        state: ServiceState.DEGRADED,
        latencyMs: null,
        detail: `unknown: ${report.detail ?? 'no worker has checked it recently'}`,
      };
  }
}

function checkStreamer({ config }: JobContext): Promise<CheckResult> {
  return timed('streamer', async (signal) => {
    const res = await fetch(`${config.STREAMER_URL}/health/live`, { signal });
    await res.arrayBuffer();
    return up(res.ok, `HTTP ${res.status}`);
  });
}

export interface QueueSnapshot {
  queue: QueueName;
  /** Waiting, prioritized ones included. */
  waiting: number;
  delayed: number;
  active: number;
  /** Failed for good and still kept (7 days). */
  failed: number;
  failedLastHour: number;
  /** Since when the job next in line has been ready to run; null when none waits. */
  headReadyAt: number | null;
}

/**
 * DEGRADED when a queue is stuck (its next job ready for QUEUE_STUCK_MS and none running) or failing
 * (QUEUE_FAILED_PER_HOUR jobs failed for good within the hour); UP otherwise. A long backlog that moves
 * is not a problem: the sweeps hand out thousands of jobs on purpose. The detail lists the problems,
 * then each queue's waiting, delayed and failed counts.
 */
export function queuesVerdict(snapshots: readonly QueueSnapshot[], now: number): Outcome {
  const problems: string[] = [];
  for (const q of snapshots) {
    if (q.headReadyAt !== null && q.active === 0 && now - q.headReadyAt >= QUEUE_STUCK_MS)
      problems.push(
        `${q.queue} stuck: its next job has waited ${Math.floor((now - q.headReadyAt) / 60_000)} min with none running`,
      );
    if (q.failedLastHour >= QUEUE_FAILED_PER_HOUR)
      problems.push(`${q.queue} failing: ${q.failedLastHour} jobs failed within the hour`);
  }
  const counts = snapshots.map(
    (q) => `${q.queue} ${q.waiting} waiting, ${q.delayed} delayed, ${q.active} active, ${q.failed} failed`,
  );
  return {
    state: problems.length ? ServiceState.DEGRADED : ServiceState.UP,
    detail: [...problems, ...counts].join('; '),
  };
}

async function snapshot({ queues, redis }: JobContext, name: QueueName, now: number): Promise<QueueSnapshot> {
  const queue = queues.get(name);
  const [counts, failedLastHour, [oldestWaiting], [nextPrioritized]] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed'),
    redis.zcount(queue.keys.failed!, now - HOUR, '+inf'),
    queue.getJobs(['wait'], 0, 0, true),
    queue.getJobs(['prioritized'], 0, 0, true),
  ]);
  // When a job became ready: its creation or last start (a job put back by the VPN gate or a retry
  // backoff starts again from there), plus its delay.
  const readyAt = [oldestWaiting, nextPrioritized]
    .filter((job) => job !== undefined && job !== null)
    .map((job) => Math.max(job.timestamp, job.processedOn ?? 0) + (job.delay ?? 0));
  return {
    queue: name,
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    delayed: counts.delayed ?? 0,
    active: counts.active ?? 0,
    failed: counts.failed ?? 0,
    failedLastHour,
    headReadyAt: readyAt.length ? Math.min(...readyAt) : null,
  };
}

function checkQueues(ctx: JobContext): Promise<CheckResult> {
  return timed('queues', async () => {
    const now = Date.now();
    return queuesVerdict(await Promise.all(QUEUE_NAMES.map((name) => snapshot(ctx, name, now))), now);
  });
}

/**
 * Trackers are reached only through the VPN, so never from here: while the published VPN state is
 * open, this asks the swarm worker for swarm.tracker-health (which writes the "trackers" row itself);
 * otherwise it records trackers DOWN, not checked. A request still pending after three intervals (no
 * swarm worker, or its own VPN check failing) is recorded DOWN too, and not asked again meanwhile.
 */
async function requestTrackerCheck(
  ctx: JobContext,
  vpn: VpnReport,
  now: number,
): Promise<{ row?: CheckResult; tracker: 'requested' | 'pending' | 'not checked' }> {
  const notChecked = (detail: string) => ({
    row: { service: 'trackers', state: ServiceState.DOWN, latencyMs: null, detail },
    tracker: 'not checked' as const,
  });
  if (vpn.state !== 'up' && vpn.state !== 'disabled')
    return notChecked(`not checked: the VPN is ${vpn.state} (trackers are reached only through it)`);
  const previous = await ctx.queues.get('swarm').getJob(TRACKER_HEALTH_JOB_ID);
  if (previous) {
    const state = await previous.getState();
    if (state === 'completed' || state === 'failed' || state === 'unknown') {
      await previous.remove().catch(() => undefined);
    } else {
      const waited = now - previous.timestamp;
      if (waited >= 3 * ctx.config.HEALTH_CHECK_INTERVAL * 1000)
        return notChecked(
          `not checked: the tracker check has waited ${Math.floor(waited / 60_000)} min on the swarm queue (is a swarm worker running, with its VPN check passing?)`,
        );
      return { tracker: 'pending' };
    }
  }
  await ctx.queues.enqueue('swarm.tracker-health', {});
  return { tracker: 'requested' };
}

const NO_VPN_STATE: VpnReport = {
  state: 'unknown',
  checkedAt: null,
  latencyMs: null,
  detail: 'Redis is down',
};

/**
 * The status page's data: Postgres, Redis, TMDB, each YTS mirror, the VPN, the streamer and the queue
 * backlog, checked in parallel with CHECK_TIMEOUT_MS each, stored as one ServiceCheck row per service
 * (one insert, one checkedAt). Trackers: see requestTrackerCheck. Rows older than 8 days are deleted
 * by housekeeping.purge-expired. Not retried: the next run is an interval away.
 */
export const healthCheck = defineJob({
  name: 'housekeeping.health-check',
  queue: 'housekeeping',
  schema: z.strictObject({}),
  every: (config) => config.HEALTH_CHECK_INTERVAL * 1000,
  options: { attempts: 1 },
  handler: async (_payload, ctx) => {
    const { db, redis, config, logger } = ctx;
    const checkedAt = new Date();
    const vpnReport = await within(readVpnState(redis, config.REDIS_PREFIX), NO_VPN_STATE);
    const [postgres, redisCheck, tmdb, yts, streamer, queues, trackers] = await Promise.all([
      checkPostgres(ctx),
      checkRedis(ctx),
      checkTmdb(ctx),
      checkYts(ctx),
      checkStreamer(ctx),
      checkQueues(ctx),
      requestTrackerCheck(ctx, vpnReport, checkedAt.getTime()).catch(
        (err: unknown): { row?: CheckResult; tracker: 'not checked' } => ({
          row: {
            service: 'trackers',
            state: ServiceState.DOWN,
            latencyMs: null,
            detail: `not checked: ${describeError(err)}`,
          },
          tracker: 'not checked',
        }),
      ),
    ]);
    const rows = [postgres, redisCheck, tmdb, ...yts, vpnCheck(vpnReport), streamer, queues];
    if (trackers.row) rows.push(trackers.row);
    await db.serviceCheck.createMany({
      data: rows.map((r) => ({ ...r, detail: clip(r.detail), checkedAt })),
    });
    const states = Object.fromEntries(rows.map((r) => [r.service, r.state]));
    const failing = rows.filter((r) => r.state !== ServiceState.UP).map((r) => r.service);
    logger.debug('health checked', { states, trackers: trackers.tracker });
    return { states, failing, trackers: trackers.tracker };
  },
});

import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { YtsMirrorState, YtsOutcome } from './types.js';

export interface BreakerOptions {
  /** Consecutive failures that open a mirror's circuit. */
  failureThreshold: number;
  /** How long an open mirror is skipped before one probe may try it. */
  openMs: number;
  /** How long a probe holds the mirror before another caller may probe instead (a crashed prober). */
  probeLeaseMs: number;
  /** Failures older than this (with no failure since) are forgotten. */
  memoryMs: number;
}

export type Admission = { admitted: true; probe: boolean } | { admitted: false; retryInMs: number };

export interface FailureResult {
  /** This failure opened (or, after a failed probe, reopened) the circuit. */
  opened: boolean;
  /** The circuit is open for this long (0 when closed). */
  retryInMs: number;
  failures: number;
}

// Redis's clock, so processes on several hosts agree on when a circuit opened.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS[1] the mirror's hash; ARGV[1] probe lease (ms).
// Returns {1, 0} closed, {1, 1} admitted as the probe, {0, ms} open (or being probed) for ms more.
const ADMIT = `${NOW}
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
if openUntil == 0 then return {1, 0} end
if now < openUntil then return {0, openUntil - now} end
local probeUntil = tonumber(redis.call('HGET', KEYS[1], 'probeUntil') or '0')
if now < probeUntil then return {0, probeUntil - now} end
redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[1]))
return {1, 1}`;

// KEYS[1]; ARGV: threshold, openMs, probe ('1'|'0'), memoryMs, outcome, url.
// A probe's failure reopens; a closed circuit counts and opens at the threshold; a failure that lands
// while the circuit is already open (a request sent before it opened) changes nothing.
// Returns {opened 0|1, open for ms, failures}.
const FAILURE = `${NOW}
local threshold, openMs, memoryMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local openUntil = tonumber(redis.call('HGET', KEYS[1], 'openUntil') or '0')
redis.call('HSET', KEYS[1], 'lastFailure', ARGV[5], 'url', ARGV[6])
local failures
local opened = 0
if ARGV[3] == '1' then
  failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
  opened = 1
elseif openUntil == 0 then
  failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
  if failures >= threshold then opened = 1 end
else
  failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
end
if opened == 1 then
  openUntil = now + openMs
  redis.call('HSET', KEYS[1], 'openUntil', openUntil, 'probeUntil', 0)
end
redis.call('PEXPIRE', KEYS[1], openMs + memoryMs)
return {opened, math.max(0, openUntil - now), failures}`;

const STATE = `${NOW}
local v = redis.call('HMGET', KEYS[1], 'openUntil', 'failures', 'lastFailure')
return {now, v[1] or '0', v[2] or '0', v[3] or ''}`;

/**
 * A circuit breaker per mirror, kept in Redis (`<prefix>:yts:breaker:<sha1 of the mirror URL>`) so
 * every worker shares it. Closed: the mirror is asked. After failureThreshold consecutive failures it
 * opens and is skipped for openMs; then exactly one caller is admitted as the probe: its success
 * closes the circuit (deleting the key), its failure reopens it for another openMs.
 */
export class MirrorBreakers {
  private readonly keys: string[];

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly mirrors: readonly string[],
    private readonly options: BreakerOptions,
  ) {
    this.keys = mirrors.map(
      (url) => `${keyPrefix}:yts:breaker:${createHash('sha1').update(url).digest('hex').slice(0, 16)}`,
    );
  }

  key(index: number): string {
    return this.keys[index]!;
  }

  async admit(index: number): Promise<Admission> {
    const [admitted, value] = (await this.redis.eval(
      ADMIT,
      1,
      this.key(index),
      String(this.options.probeLeaseMs),
    )) as [number, number];
    return admitted === 1 ? { admitted: true, probe: value === 1 } : { admitted: false, retryInMs: value };
  }

  /** A usable answer: the circuit closes and the failure count starts again. */
  async success(index: number): Promise<void> {
    await this.redis.del(this.key(index));
  }

  async failure(index: number, probe: boolean, outcome: YtsOutcome): Promise<FailureResult> {
    const [opened, retryInMs, failures] = (await this.redis.eval(
      FAILURE,
      1,
      this.key(index),
      String(this.options.failureThreshold),
      String(this.options.openMs),
      probe ? '1' : '0',
      String(this.options.memoryMs),
      outcome,
      this.mirrors[index]!,
    )) as [number, number, number];
    return { opened: opened === 1, retryInMs, failures };
  }

  async states(): Promise<YtsMirrorState[]> {
    return Promise.all(
      this.mirrors.map(async (mirror, i) => {
        const [now, openUntil, failures, lastFailure] = (await this.redis.eval(STATE, 1, this.key(i))) as [
          number,
          string,
          string,
          string,
        ];
        const until = Number(openUntil);
        const circuit = until === 0 ? 'closed' : now < until ? 'open' : 'half-open';
        return {
          mirror,
          circuit,
          failures: Number(failures),
          retryInMs: Math.max(0, until - now),
          ...(lastFailure ? { lastFailure } : {}),
        } satisfies YtsMirrorState;
      }),
    );
  }
}

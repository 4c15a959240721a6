import { describe, expect, it } from '@jest/globals';
import { ServiceState } from '@cinenest/db';
import { trackersVerdict } from '../swarm/tracker-health.js';
import {
  QUEUE_FAILED_PER_HOUR,
  QUEUE_STUCK_MS,
  queuesVerdict,
  vpnCheck,
  withBreaker,
  ytsService,
  type CheckResult,
  type QueueSnapshot,
} from './health-check.js';

const NOW = Date.parse('2026-06-15T12:00:00Z');
const MINUTE = 60_000;

const queue = (overrides: Partial<QueueSnapshot> = {}): QueueSnapshot => ({
  queue: 'catalog',
  waiting: 0,
  delayed: 0,
  active: 0,
  failed: 0,
  failedLastHour: 0,
  headReadyAt: null,
  ...overrides,
});

describe('queuesVerdict', () => {
  it('is UP for idle queues and for a backlog that is being worked on, listing the counts', () => {
    const verdict = queuesVerdict(
      [
        queue({ queue: 'housekeeping' }),
        // A sweep's thousands of jobs, the oldest waiting an hour, but jobs are running.
        queue({ queue: 'sources', waiting: 4000, active: 5, delayed: 2, headReadyAt: NOW - 60 * MINUTE }),
      ],
      NOW,
    );
    expect(verdict).toEqual({
      state: ServiceState.UP,
      detail:
        'housekeeping 0 waiting, 0 delayed, 0 active, 0 failed; sources 4000 waiting, 2 delayed, 5 active, 0 failed',
    });
  });

  it('is DEGRADED when the next job has waited QUEUE_STUCK_MS with none running', () => {
    const just = queuesVerdict([queue({ waiting: 1, headReadyAt: NOW - QUEUE_STUCK_MS + 1 })], NOW);
    expect(just.state).toBe(ServiceState.UP);
    const stuck = queuesVerdict(
      [queue({ queue: 'swarm', waiting: 3, headReadyAt: NOW - QUEUE_STUCK_MS })],
      NOW,
    );
    expect(stuck.state).toBe(ServiceState.DEGRADED);
    expect(stuck.detail).toMatch(
      /^swarm stuck: its next job has waited 15 min with none running; swarm 3 waiting/,
    );
  });

  it('is DEGRADED when QUEUE_FAILED_PER_HOUR jobs failed within the hour, not for old failures', () => {
    const old = queuesVerdict([queue({ failed: 500, failedLastHour: QUEUE_FAILED_PER_HOUR - 1 })], NOW);
    expect(old.state).toBe(ServiceState.UP);
    const failing = queuesVerdict([queue({ failed: 12, failedLastHour: QUEUE_FAILED_PER_HOUR })], NOW);
    expect(failing).toMatchObject({ state: ServiceState.DEGRADED });
    expect(failing.detail).toMatch(/^catalog failing: 10 jobs failed within the hour; catalog .* 12 failed$/);
  });
});

describe('trackersVerdict', () => {
  const outcome = (announce: string, answered: number, error?: string) => ({
    announce,
    requests: 1,
    answered,
    errors: error ? [error] : [],
  });

  it('UP when every tracker answered, DEGRADED when some did, DOWN when none did', () => {
    expect(trackersVerdict([outcome('udp://a/announce', 1), outcome('udp://b/announce', 1)])).toEqual({
      state: ServiceState.UP,
      detail: '2 of 2 trackers answered',
    });
    expect(
      trackersVerdict([
        outcome('udp://a/announce', 1),
        outcome('udp://b/announce', 0, 'no answer within 5000 ms'),
      ]),
    ).toEqual({
      state: ServiceState.DEGRADED,
      detail: '1 of 2 trackers answered; not answering: udp://b/announce (no answer within 5000 ms)',
    });
    expect(trackersVerdict([outcome('udp://a/announce', 0)])).toEqual({
      state: ServiceState.DOWN,
      detail: '0 of 1 trackers answered; not answering: udp://a/announce (no figures)',
    });
  });
});

describe('withBreaker', () => {
  const probe = (state: ServiceState, detail: string | null = null): CheckResult => ({
    service: 'yts:yts.mx',
    state,
    latencyMs: state === ServiceState.DOWN ? null : 300,
    detail,
  });
  const mirror = 'https://yts.mx/api/v2';

  it('leaves a closed circuit without failures alone', () => {
    const up = probe(ServiceState.UP);
    expect(withBreaker(up, { mirror, circuit: 'closed', failures: 0, retryInMs: 0 })).toEqual(up);
    expect(withBreaker(up, undefined)).toEqual(up);
  });

  it('notes recent failures without changing the state, and degrades a mirror the workers skip', () => {
    expect(
      withBreaker(probe(ServiceState.UP), {
        mirror,
        circuit: 'closed',
        failures: 2,
        retryInMs: 0,
        lastFailure: '503',
      }),
    ).toMatchObject({ state: ServiceState.UP, detail: '2 recent failures, last: 503' });
    expect(
      withBreaker(probe(ServiceState.UP), {
        mirror,
        circuit: 'open',
        failures: 3,
        retryInMs: 41_200,
        lastFailure: 'ECONNREFUSED',
      }),
    ).toMatchObject({
      state: ServiceState.DEGRADED,
      detail: 'circuit open (3 failures, last: ECONNREFUSED), skipped for 42 s more',
    });
    expect(
      withBreaker(probe(ServiceState.DOWN, 'HTTP 503'), {
        mirror,
        circuit: 'half-open',
        failures: 3,
        retryInMs: 0,
      }),
    ).toMatchObject({ state: ServiceState.DOWN, detail: 'HTTP 503; circuit half-open (3 failures)' });
  });
});

describe('vpnCheck and ytsService', () => {
  it('maps the published VPN state: up and disabled UP, down DOWN, unknown DEGRADED', () => {
    const report = { checkedAt: null, latencyMs: 5, detail: null };
    expect(vpnCheck({ ...report, state: 'up' })).toMatchObject({ state: ServiceState.UP, latencyMs: 5 });
    expect(vpnCheck({ ...report, state: 'disabled' }).state).toBe(ServiceState.UP);
    expect(vpnCheck({ ...report, state: 'down' })).toMatchObject({
      state: ServiceState.DOWN,
      latencyMs: null,
      detail: 'the VPN check fails',
    });
    expect(vpnCheck({ ...report, state: 'unknown' }).state).toBe(ServiceState.DEGRADED);
  });

  it('names a mirror by its host, with the port when it has one', () => {
    expect(ytsService('https://yts.mx/api/v2')).toBe('yts:yts.mx');
    expect(ytsService('http://127.0.0.1:8443/api/v2')).toBe('yts:127.0.0.1:8443');
  });
});

import { pingDb } from '@cinenest/db';
import { pingRedis, readVpnState, type VpnReport } from '@cinenest/queue';
import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';
import {
  latestChecks,
  serviceHistory,
  type Health,
  type LatestCheck,
  type ServiceHistory,
} from './checks.js';
import { statusResponse } from './schemas.js';

/** A check older than this many health-check intervals no longer says how the service is: stale. */
const STALE_INTERVALS = 3;

async function timed(check: () => Promise<boolean>) {
  const started = Date.now();
  const ok = await check();
  return { state: (ok ? 'up' : 'down') as Health, latencyMs: Date.now() - started };
}

function vpnHealth(vpn: VpnReport): Health {
  if (vpn.state === 'up' || vpn.state === 'disabled') return 'up';
  return vpn.state === 'down' ? 'down' : 'degraded';
}

/** The ServiceCheck names of the configured YTS mirrors (as housekeeping.health-check writes them). */
const ytsServices = (mirrors: readonly string[]) => [
  ...new Set(mirrors.map((m) => `yts:${new URL(m).host}`)),
];

/** How one service is, for an administrator: what the state is based on, and when that was seen. */
interface Entry {
  state: Health;
  /** True when the state comes from no recent check (or none at all): it then says degraded. */
  stale: boolean;
  latencyMs: number | null;
  detail: string | null;
  checkedAt: string | null;
}

/** A service known from the health checks: its latest one, unless missing or stale (then degraded). */
function fromCheck(check: LatestCheck | undefined, now: number, staleAfterMs: number): Entry {
  if (!check)
    return {
      state: 'degraded',
      stale: true,
      latencyMs: null,
      detail: 'not checked yet (is a worker serving the housekeeping queue?)',
      checkedAt: null,
    };
  const checkedAt = check.checkedAt.toISOString();
  if (now - check.checkedAt.getTime() > staleAfterMs)
    return {
      state: 'degraded',
      stale: true,
      latencyMs: check.latencyMs,
      detail: `stale: no check since ${checkedAt}, which said ${check.state}${check.detail ? `: ${check.detail}` : ''}`,
      checkedAt,
    };
  return { state: check.state, stale: false, latencyMs: check.latencyMs, detail: check.detail, checkedAt };
}

/** YTS as a whole: up when every mirror is, down when none answers, degraded in between. */
function ytsHealth(mirrors: readonly Entry[]): Health {
  if (mirrors.every((m) => m.state === 'up')) return 'up';
  return mirrors.some((m) => m.state !== 'down') ? 'degraded' : 'down';
}

const NO_HISTORY: ServiceHistory = { uptime24h: null, uptime7d: null, history: [] };

/**
 * The state of Cinenest's dependencies. Postgres, Redis and the VPN (as the workers last published it)
 * are read live, so the page answers even before any health check ran; TMDB, YTS (each mirror), the
 * trackers, the streamer and the queue backlog come from the latest ServiceCheck rows, written every
 * HEALTH_CHECK_INTERVAL by housekeeping.health-check (trackers by swarm.tracker-health). A service
 * never checked, or last checked more than STALE_INTERVALS intervals ago, is degraded.
 *
 * Everyone sees only up / degraded / down per service and overall (down when Postgres or Redis is,
 * up when everything is, degraded otherwise). Administrators also get, per service (and per YTS
 * mirror): latency, detail, when it was seen, uptime over 24 hours and 7 days (share of the checks,
 * UP counting whole and DEGRADED half) and the last few state changes.
 */
export function statusRoutes({ db, redis, config }: AppDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/status',
      access: 'public',
      summary: 'Dependency status: public up/degraded/down, details, uptime and history for administrators',
      response: statusResponse,
      handler: async ({ auth }) => {
        const now = Date.now();
        const staleAfterMs = STALE_INTERVALS * config.HEALTH_CHECK_INTERVAL * 1000;
        const mirrors = ytsServices(config.YTS_MIRRORS);
        const fromChecks = ['tmdb', 'trackers', 'streamer', 'queues'] as const;
        const names = ['postgres', 'redis', 'vpn', ...fromChecks, ...mirrors];

        const [postgres, redisCheck] = await Promise.all([
          timed(() => pingDb(db)),
          timed(() => pingRedis(redis)),
        ]);
        const [vpn, latest] = await Promise.all([
          redisCheck.state === 'up'
            ? readVpnState(redis, config.REDIS_PREFIX)
            : ({
                state: 'unknown',
                checkedAt: null,
                latencyMs: null,
                detail: 'Redis is down',
              } satisfies VpnReport),
          postgres.state === 'up'
            ? latestChecks(db, names).catch(() => new Map<string, LatestCheck>())
            : new Map<string, LatestCheck>(),
        ]);

        const checked = Object.fromEntries(
          fromChecks.map((s) => [s, fromCheck(latest.get(s), now, staleAfterMs)]),
        ) as Record<(typeof fromChecks)[number], Entry>;
        const ytsMirrors = Object.fromEntries(
          mirrors.map((s) => [s, fromCheck(latest.get(s), now, staleAfterMs)]),
        );
        const services = {
          postgres: postgres.state,
          redis: redisCheck.state,
          tmdb: checked.tmdb.state,
          yts: ytsHealth(Object.values(ytsMirrors)),
          trackers: checked.trackers.state,
          vpn: vpnHealth(vpn),
          streamer: checked.streamer.state,
          queues: checked.queues.state,
        };
        const status: Health =
          postgres.state === 'down' || redisCheck.state === 'down'
            ? 'down'
            : Object.values(services).every((s) => s === 'up')
              ? 'up'
              : 'degraded';
        if (auth?.user.role !== 'ADMIN') return { status, services };

        const history =
          postgres.state === 'up'
            ? await serviceHistory(db, names, now).catch(() => new Map<string, ServiceHistory>())
            : new Map<string, ServiceHistory>();
        const withHistory = <T extends object>(service: string, entry: T) => ({
          ...entry,
          ...(history.get(service) ?? NO_HISTORY),
        });
        const live = (check: { state: Health; latencyMs: number }): Entry => ({
          state: check.state,
          stale: false,
          latencyMs: check.latencyMs,
          detail: check.state === 'down' ? 'no answer' : null,
          checkedAt: new Date(now).toISOString(),
        });
        return {
          status,
          services,
          detail: {
            postgres: withHistory('postgres', live(postgres)),
            redis: withHistory('redis', live(redisCheck)),
            tmdb: withHistory('tmdb', checked.tmdb),
            yts: {
              state: services.yts,
              mirrors: Object.fromEntries(
                Object.entries(ytsMirrors).map(([service, entry]) => [
                  service.slice('yts:'.length),
                  withHistory(service, entry),
                ]),
              ),
            },
            trackers: withHistory('trackers', checked.trackers),
            vpn: withHistory('vpn', {
              state: services.vpn,
              stale: vpn.state === 'unknown',
              latencyMs: vpn.latencyMs,
              detail: vpn.detail,
              checkedAt: vpn.checkedAt,
              vpnState: vpn.state,
              checkDisabled: config.DISABLE_VPN_CHECK,
            }),
            streamer: withHistory('streamer', checked.streamer),
            queues: withHistory('queues', checked.queues),
          },
        };
      },
    }),
  ];
}

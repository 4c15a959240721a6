import { pingDb } from '@cinenest/db';
import { pingRedis, readVpnState, type VpnReport } from '@cinenest/queue';
import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';

type Health = 'up' | 'degraded' | 'down';

async function timed(check: () => Promise<boolean>) {
  const started = Date.now();
  const ok = await check();
  return { state: (ok ? 'up' : 'down') as Health, latencyMs: Date.now() - started };
}

function vpnHealth(vpn: VpnReport): Health {
  if (vpn.state === 'up' || vpn.state === 'disabled') return 'up';
  return vpn.state === 'down' ? 'down' : 'degraded';
}

/**
 * The state of Cinenest's dependencies. Everyone sees up / degraded / down; administrators also see
 * latencies and the VPN check's detail. (The full status page with history comes with operations work.)
 */
export function statusRoutes({ db, redis, config }: AppDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/status',
      access: 'public',
      summary: 'Dependency status: public up/degraded/down, details for administrators',
      handler: async ({ auth }) => {
        const [postgres, redisCheck] = await Promise.all([
          timed(() => pingDb(db)),
          timed(() => pingRedis(redis)),
        ]);
        const vpn =
          redisCheck.state === 'up'
            ? await readVpnState(redis, config.REDIS_PREFIX)
            : ({
                state: 'unknown',
                checkedAt: null,
                latencyMs: null,
                detail: 'Redis is down',
              } satisfies VpnReport);
        const services = { postgres: postgres.state, redis: redisCheck.state, vpn: vpnHealth(vpn) };
        const status: Health =
          postgres.state === 'down' || redisCheck.state === 'down'
            ? 'down'
            : Object.values(services).every((s) => s === 'up')
              ? 'up'
              : 'degraded';
        if (auth?.user.role !== 'ADMIN') return { status, services };
        return {
          status,
          services,
          detail: {
            postgres: { latencyMs: postgres.latencyMs },
            redis: { latencyMs: redisCheck.latencyMs },
            vpn: { ...vpn, checkDisabled: config.DISABLE_VPN_CHECK },
          },
        };
      },
    }),
  ];
}

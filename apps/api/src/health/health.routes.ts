import { pingDb } from '@cinenest/db';
import { pingRedis } from '@cinenest/queue';
import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';
import { liveResponse, notReadyResponse, readyResponse } from './schemas.js';

export function healthRoutes({ db, redis }: AppDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/health/live',
      access: 'public',
      rateLimited: false,
      summary: 'The process is running',
      response: liveResponse,
      handler: () => ({ status: 'ok' }),
    }),
    route({
      method: 'get',
      path: '/health/ready',
      access: 'public',
      rateLimited: false,
      summary: 'Postgres and Redis answer (503 naming which does not)',
      response: readyResponse,
      responses: { 503: notReadyResponse },
      handler: async ({ res }) => {
        const [postgres, redisUp] = await Promise.all([pingDb(db), pingRedis(redis)]);
        const checks = { postgres: postgres ? 'up' : 'down', redis: redisUp ? 'up' : 'down' };
        const down = Object.entries(checks)
          .filter(([, v]) => v === 'down')
          .map(([k]) => k);
        if (down.length === 0) return { status: 'ok', checks };
        res.status(503).json({
          error: { code: 'not_ready', message: `Unavailable: ${down.join(', ')}` },
          checks,
        });
        return undefined;
      },
    }),
  ];
}

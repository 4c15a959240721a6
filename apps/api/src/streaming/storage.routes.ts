import { z } from 'zod';
import { audit } from '../auth/audit.js';
import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';
import { storageResponse } from './schemas.js';
import type { StreamerClient } from './streamer-client.js';

const storageParams = z.strictObject({ id: z.coerce.number().int().positive().max(2_147_483_647) });

/** The streamer's disk: usage against the budget, every stored torrent; deleting one frees it. */
export function storageRoutes({ db, logger }: AppDeps, streamer: StreamerClient): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/admin/storage',
      access: 'admin',
      summary:
        'Disk usage against the storage budget, and every stored torrent with its progress and last access',
      response: storageResponse,
      errors: [502],
      handler: () => streamer.storage(),
    }),
    route({
      method: 'delete',
      path: '/api/v1/admin/storage/:id',
      access: 'admin',
      summary: 'Stops a stored torrent and deletes its pieces',
      params: storageParams,
      errors: [404, 502],
      handler: async ({ params, auth, req }) => {
        await streamer.deleteStorage(params.id);
        await audit(db, logger, req, {
          type: 'storage.deleted',
          actorId: auth.user.id,
          meta: { storageId: params.id },
        });
        return undefined;
      },
    }),
  ];
}

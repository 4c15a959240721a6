import { z } from 'zod';
import { AUDIT_TYPES } from '../auth/audit.js';
import type { AppDeps } from '../deps.js';
import { paging, pagingQuery } from '../http/paging.js';
import { route, type RouteSpec } from '../http/routes.js';
import { auditPage } from './schemas.js';

const auditQuery = z.strictObject({
  ...pagingQuery,
  type: z.enum(AUDIT_TYPES).optional(),
  userId: z.uuid('must be a UUID').optional(),
});

export function auditRoutes({ db }: AppDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/admin/audit',
      access: 'admin',
      summary: 'The audit log, newest first',
      query: auditQuery,
      response: auditPage,
      handler: async ({ query }) => {
        const where = {
          ...(query.type ? { type: query.type } : {}),
          ...(query.userId ? { OR: [{ userId: query.userId }, { actorId: query.userId }] } : {}),
        };
        const [items, total] = await Promise.all([
          db.auditLog.findMany({
            where,
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            ...paging(query.page, query.pageSize),
          }),
          db.auditLog.count({ where }),
        ]);
        return { items, page: query.page, pageSize: query.pageSize, total };
      },
    }),
  ];
}

import { isUniqueViolation, Role, type Db } from '@cinenest/db';
import { audit } from '../auth/audit.js';
import { hashPassword } from '../auth/passwords.js';
import { idParams, userResponse } from '../auth/schemas.js';
import { publicUser, revokeUserSessions } from '../auth/sessions.js';
import type { AppDeps } from '../deps.js';
import { ConflictError, NotFoundError } from '@cinenest/http';
import { paging } from '../http/paging.js';
import { route, type RouteSpec } from '../http/routes.js';
import { createUserBody, listUsersQuery, updateUserBody, usersPage } from './schemas.js';

const ADMINS_LOCK = 7_236_002;

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Inside a transaction holding the admins lock: would this change leave no active admin? */
async function assertAnotherAdmin(tx: Tx, userId: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMINS_LOCK})`;
  const others = await tx.user.count({ where: { role: Role.ADMIN, active: true, id: { not: userId } } });
  if (others === 0) throw new ConflictError('last_admin', 'Cinenest needs at least one active administrator');
}

export function userRoutes(deps: AppDeps): RouteSpec[] {
  const { db, config, logger } = deps;
  return [
    route({
      method: 'get',
      path: '/api/v1/users',
      access: 'admin',
      summary: 'List users',
      query: listUsersQuery,
      response: usersPage,
      handler: async ({ query }) => {
        const where = query.q
          ? {
              OR: [
                { email: { contains: query.q, mode: 'insensitive' as const } },
                { displayName: { contains: query.q, mode: 'insensitive' as const } },
              ],
            }
          : {};
        const [items, total] = await Promise.all([
          db.user.findMany({
            where,
            orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
            ...paging(query.page, query.pageSize),
          }),
          db.user.count({ where }),
        ]);
        return { items: items.map(publicUser), page: query.page, pageSize: query.pageSize, total };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/users',
      access: 'admin',
      summary: 'Create a user',
      body: createUserBody,
      status: 201,
      response: userResponse,
      errors: [409],
      handler: async ({ auth, body, req }) => {
        const passwordHash = await hashPassword(body.password, config.BCRYPT_COST);
        try {
          const user = await db.user.create({
            data: { email: body.email, passwordHash, role: body.role, displayName: body.displayName ?? null },
          });
          await audit(db, logger, req, {
            type: 'user.created',
            userId: user.id,
            actorId: auth.user.id,
            email: user.email,
            meta: { role: user.role },
          });
          return { user: publicUser(user) };
        } catch (err) {
          if (isUniqueViolation(err))
            throw new ConflictError('email_taken', 'A user with this email already exists');
          throw err;
        }
      },
    }),
    route({
      method: 'patch',
      path: '/api/v1/users/:id',
      access: 'admin',
      summary: 'Change a user: role, active, password reset, display name',
      params: idParams,
      body: updateUserBody,
      response: userResponse,
      errors: [404, 409],
      handler: async ({ auth, params, body, req }) => {
        const passwordHash = body.password
          ? await hashPassword(body.password, config.BCRYPT_COST)
          : undefined;
        const { before, after } = await db.$transaction(async (tx) => {
          const before = await tx.user.findUnique({ where: { id: params.id } });
          if (!before) throw new NotFoundError('No such user');
          const losesAdmin =
            before.role === Role.ADMIN && before.active && (body.role === 'USER' || body.active === false);
          if (losesAdmin) await assertAnotherAdmin(tx, before.id);
          const after = await tx.user.update({
            where: { id: params.id },
            data: {
              ...(body.role ? { role: body.role } : {}),
              ...(body.active === undefined ? {} : { active: body.active }),
              ...(body.displayName === undefined ? {} : { displayName: body.displayName }),
              ...(passwordHash ? { passwordHash } : {}),
            },
          });
          return { before, after };
        });
        if (body.active === false || passwordHash) {
          await revokeUserSessions(db, after.id, body.active === false ? 'deactivated' : 'password_reset');
        }
        const changed = Object.keys(body).filter((k) => body[k as keyof typeof body] !== undefined);
        await audit(db, logger, req, {
          type: 'user.updated',
          userId: after.id,
          actorId: auth.user.id,
          email: after.email,
          meta: { changed },
        });
        if (before.role !== after.role) {
          await audit(db, logger, req, {
            type: 'user.role_changed',
            userId: after.id,
            actorId: auth.user.id,
            email: after.email,
            meta: { from: before.role, to: after.role },
          });
        }
        return { user: publicUser(after) };
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/users/:id',
      access: 'admin',
      summary: 'Delete a user and end all their sessions',
      params: idParams,
      errors: [404, 409],
      handler: async ({ auth, params, req }) => {
        const user = await db.$transaction(async (tx) => {
          const user = await tx.user.findUnique({ where: { id: params.id } });
          if (!user) throw new NotFoundError('No such user');
          if (user.role === Role.ADMIN && user.active) await assertAnotherAdmin(tx, user.id);
          await tx.user.delete({ where: { id: user.id } });
          return user;
        });
        await audit(db, logger, req, {
          type: 'user.deleted',
          userId: user.id,
          actorId: auth.user.id,
          email: user.email,
        });
      },
    }),
  ];
}

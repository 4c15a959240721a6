import { Role } from '@cinenest/db';
import type { AppDeps } from '../deps.js';
import { ConflictError, NotFoundError, UnauthorizedError } from '@cinenest/http';
import type { Limiters } from '../http/rate-limit.js';
import { route, type RouteSpec } from '../http/routes.js';
import { audit } from './audit.js';
import { clearAuthCookies, REFRESH_COOKIE, setAuthCookies } from './cookies.js';
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './passwords.js';
import {
  changePasswordBody,
  idParams,
  loginBody,
  meResponse,
  refreshBody,
  sessionsResponse,
  setupBody,
  tokensResponse,
  userResponse,
} from './schemas.js';
import {
  publicUser,
  revokeSession,
  revokeUserSessions,
  rotateRefreshToken,
  startSession,
  type IssuedTokens,
} from './sessions.js';

const SETUP_LOCK = 7_236_001;

function tokenBody(tokens: IssuedTokens) {
  return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresIn: tokens.expiresIn };
}

export function authRoutes(deps: AppDeps, limiters: Limiters): RouteSpec[] {
  const { db, config, logger } = deps;
  return [
    route({
      method: 'post',
      path: '/api/v1/auth/setup',
      access: 'public',
      summary: 'Create the first administrator (only while no user exists)',
      body: setupBody,
      status: 201,
      response: userResponse,
      errors: [409],
      handler: async ({ body, req }) => {
        const passwordHash = await hashPassword(body.password, config.BCRYPT_COST);
        const user = await db.$transaction(async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`;
          if ((await tx.user.count()) > 0) return null;
          return tx.user.create({
            data: {
              email: body.email,
              passwordHash,
              role: Role.ADMIN,
              displayName: body.displayName ?? null,
            },
          });
        });
        if (!user) throw new ConflictError('already_set_up', 'Cinenest is already set up; sign in instead');
        await audit(db, logger, req, {
          type: 'auth.setup',
          userId: user.id,
          actorId: user.id,
          email: user.email,
        });
        return { user: publicUser(user) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/login',
      access: 'public',
      summary: 'Sign in with email and password',
      body: loginBody,
      response: tokensResponse,
      errors: [401],
      before: [limiters.login],
      handler: async ({ body, req, res }) => {
        const user = await db.user.findUnique({ where: { email: body.email } });
        const ok = await verifyPassword(body.password, user?.passwordHash ?? UNKNOWN_USER_HASH);
        if (!user || !ok || !user.active) {
          await audit(db, logger, req, {
            type: 'auth.login_failed',
            userId: user?.id ?? null,
            email: body.email,
            meta: { reason: !user ? 'unknown_email' : !ok ? 'wrong_password' : 'inactive' },
          });
          throw new UnauthorizedError('Wrong email or password', 'invalid_credentials');
        }
        const tokens = await startSession(deps, user, req, body.deviceName);
        setAuthCookies(res, config, tokens);
        await audit(db, logger, req, {
          type: 'auth.login',
          userId: user.id,
          email: user.email,
          meta: { sessionId: tokens.sessionId },
        });
        return { ...tokenBody(tokens), user: publicUser(user) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/refresh',
      access: 'public',
      summary: 'Trade a refresh token (body or cookie) for a new pair',
      body: refreshBody,
      response: tokensResponse,
      errors: [401],
      handler: async ({ body, req, res }) => {
        const token = body?.refreshToken ?? (req.cookies?.[REFRESH_COOKIE] as string | undefined);
        if (!token) throw new UnauthorizedError('A refresh token is required', 'invalid_token');
        const { tokens, user } = await rotateRefreshToken(deps, token, req);
        setAuthCookies(res, config, tokens);
        return { ...tokenBody(tokens), user: publicUser(user) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/logout',
      access: 'user',
      summary: 'Sign this device out',
      handler: async ({ auth, req, res }) => {
        await revokeSession(db, auth.session.id, 'logout');
        clearAuthCookies(res, config);
        await audit(db, logger, req, {
          type: 'auth.logout',
          userId: auth.user.id,
          meta: { sessionId: auth.session.id },
        });
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/auth/me',
      access: 'user',
      summary: 'The signed-in user',
      response: meResponse,
      handler: ({ auth }) => ({ user: publicUser(auth.user), sessionId: auth.session.id }),
    }),
    route({
      method: 'get',
      path: '/api/v1/auth/sessions',
      access: 'user',
      summary: 'My signed-in devices',
      response: sessionsResponse,
      handler: async ({ auth }) => {
        const sessions = await db.session.findMany({
          where: { userId: auth.user.id, revokedAt: null, expiresAt: { gt: new Date() } },
          orderBy: { lastUsedAt: 'desc' },
        });
        return {
          items: sessions.map((s) => ({
            id: s.id,
            deviceName: s.deviceName,
            ip: s.ip,
            createdAt: s.createdAt,
            lastUsedAt: s.lastUsedAt,
            expiresAt: s.expiresAt,
            current: s.id === auth.session.id,
          })),
        };
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/auth/sessions/:id',
      access: 'user',
      summary: 'Sign one of my devices out',
      params: idParams,
      errors: [404],
      handler: async ({ auth, params, req }) => {
        const { count } = await db.session.updateMany({
          where: { id: params.id, userId: auth.user.id, revokedAt: null },
          data: { revokedAt: new Date(), revokedReason: 'revoked_by_user' },
        });
        if (count === 0) throw new NotFoundError('No such session');
        await audit(db, logger, req, {
          type: 'auth.session_revoked',
          userId: auth.user.id,
          meta: { sessionId: params.id },
        });
      },
    }),
    route({
      method: 'put',
      path: '/api/v1/auth/password',
      access: 'user',
      summary: 'Change my password; signs my other devices out',
      body: changePasswordBody,
      errors: [401],
      handler: async ({ auth, body, req }) => {
        if (!(await verifyPassword(body.currentPassword, auth.user.passwordHash)))
          throw new UnauthorizedError('The current password is wrong', 'invalid_credentials');
        const passwordHash = await hashPassword(body.newPassword, config.BCRYPT_COST);
        await db.user.update({ where: { id: auth.user.id }, data: { passwordHash } });
        const revoked = await revokeUserSessions(db, auth.user.id, 'password_changed', auth.session.id);
        await audit(db, logger, req, {
          type: 'auth.password_changed',
          userId: auth.user.id,
          actorId: auth.user.id,
          meta: { revokedSessions: revoked },
        });
      },
    }),
  ];
}

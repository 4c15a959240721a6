import type { Session, User } from '@cinenest/db';
import type { Request, RequestHandler } from 'express';
import type { AppDeps } from '../deps.js';
import { ForbiddenError, UnauthorizedError } from '@cinenest/http';
import { ACCESS_COOKIE } from './cookies.js';
import { verifyAccessToken } from './tokens.js';

export interface AuthContext {
  user: User;
  session: Session;
}

const TOUCH_EVERY_MS = 60_000;

function bearer(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/**
 * Resolves the caller from a Bearer token or the access cookie. The session and the user are read
 * on every request, so a revoked session, a deactivated user or a changed role takes effect at once.
 */
export function authenticate(deps: AppDeps, optional: boolean): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const token = bearer(header) ?? (req.cookies?.[ACCESS_COOKIE] as string | undefined);
    if (!token) {
      if (optional) return next();
      throw new UnauthorizedError(header ? 'Malformed Authorization header' : 'Authentication required');
    }
    let auth: AuthContext;
    try {
      auth = await resolveCaller(deps, token, req);
    } catch (err) {
      // On a public route a stale token (say the access cookie of a revoked session) counts as none:
      // it must not stop anyone signing in again.
      if (optional && err instanceof UnauthorizedError) return next();
      throw err;
    }
    res.locals.auth = auth;
    res.locals.userId = auth.user.id;
    next();
  };
}

async function resolveCaller(deps: AppDeps, token: string, req: Request): Promise<AuthContext> {
  const claims = verifyAccessToken(deps.config, token);
  const session = await deps.db.session.findUnique({ where: { id: claims.sid }, include: { user: true } });
  if (!session || session.userId !== claims.sub || session.revokedAt || session.expiresAt <= new Date())
    throw new UnauthorizedError('The session has ended, sign in again', 'session_revoked');
  if (!session.user.active) throw new UnauthorizedError('This account is deactivated', 'account_inactive');
  if (Date.now() - session.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await deps.db.session.update({
      where: { id: session.id },
      data: { lastUsedAt: new Date(), ip: req.ip ?? null },
    });
  }
  const { user, ...rest } = session;
  return { user, session: rest };
}

/** The permission middleware: 403 unless the signed-in user has the role. */
export function requireRole(role: 'ADMIN'): RequestHandler {
  return (_req, res, next) => {
    const auth = res.locals.auth as AuthContext | undefined;
    if (!auth) throw new UnauthorizedError();
    if (auth.user.role !== role) throw new ForbiddenError('Administrators only');
    next();
  };
}

import type { Config } from '@cinenest/config';
import type { Db, Session, User } from '@cinenest/db';
import type { Request, RequestHandler, Response } from 'express';
import { requestSnapshot, type Snapshot } from '../catalog/db-snapshot.js';
import type { AppDeps } from '../deps.js';
import { ForbiddenError, UnauthorizedError } from '@cinenest/http';
import { ACCESS_COOKIE } from './cookies.js';
import { verifyAccessToken, type AccessClaims } from './tokens.js';

export interface AuthContext {
  user: User;
  session: Session;
}

const TOUCH_EVERY_MS = 60_000;
/** Entries kept per cache at most; past that the cache starts over (a few MB at most). */
const MAX_ENTRIES = 10_000;

/**
 * Access tokens already verified (the signature, issuer, audience), per signing configuration, until
 * they expire: a client sends the same token on every request for its whole lifetime.
 */
const verified = new WeakMap<Config, Map<string, { claims: AccessClaims; expiresAt: number }>>();

function verifyCached(config: Config, token: string): AccessClaims {
  let tokens = verified.get(config);
  if (!tokens) verified.set(config, (tokens = new Map()));
  const hit = tokens.get(token);
  // jsonwebtoken's own rule: expired once the current second reaches `exp`.
  if (hit && Math.floor(Date.now() / 1000) < hit.expiresAt) return hit.claims;
  if (hit) tokens.delete(token);
  const claims = verifyAccessToken(config, token);
  const exp = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp?: unknown })
    .exp;
  if (typeof exp === 'number') {
    if (tokens.size >= MAX_ENTRIES) tokens.clear();
    tokens.set(token, { claims, expiresAt: exp });
  }
  return claims;
}

type SessionWithUser = Session & { user: User };

/**
 * Sessions (with their user) as last read, each tagged with the database snapshot taken before the
 * read: reused only while the snapshot is unchanged, that is while nothing at all was written to the
 * database since. Revoking a session, deactivating a user or changing a role is a write, so it takes
 * effect on the very next request, on every replica: the bound on a stale session is zero.
 */
const sessions = new WeakMap<Db, Map<string, { snapshot: Snapshot; session: SessionWithUser | null }>>();
/** Touches of lastUsedAt under way, so concurrent requests of one session write it once. */
const touching = new WeakMap<Db, Map<string, Promise<unknown>>>();

function perDb<V>(map: WeakMap<Db, Map<string, V>>, db: Db): Map<string, V> {
  let entries = map.get(db);
  if (!entries) map.set(db, (entries = new Map()));
  return entries;
}

function bearer(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/**
 * Resolves the caller from a Bearer token or the access cookie. The session and the user are as of
 * a database snapshot taken after the request arrived (read again whenever anything was written
 * since the last read), so a revoked session, a deactivated user or a changed role takes effect at once.
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
      auth = await resolveCaller(deps, token, req, res);
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

async function resolveCaller(
  deps: AppDeps,
  token: string,
  req: Request,
  res: Response,
): Promise<AuthContext> {
  const { db } = deps;
  const claims = verifyCached(deps.config, token);
  const snapshot = await requestSnapshot(db, res);
  const cache = perDb(sessions, db);
  let session: SessionWithUser | null;
  const hit = cache.get(claims.sid);
  if (hit?.snapshot === snapshot) session = hit.session;
  else {
    session = await db.session.findUnique({ where: { id: claims.sid }, include: { user: true } });
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(claims.sid, { snapshot, session });
  }
  if (!session || session.userId !== claims.sub || session.revokedAt || session.expiresAt <= new Date())
    throw new UnauthorizedError('The session has ended, sign in again', 'session_revoked');
  if (!session.user.active) throw new UnauthorizedError('This account is deactivated', 'account_inactive');
  if (Date.now() - session.lastUsedAt.getTime() > TOUCH_EVERY_MS) await touch(db, session.id, req);
  const { user, ...rest } = session;
  return { user, session: rest };
}

/** Records the session's use (at most once a minute); a write, so it also moves the snapshot on. */
async function touch(db: Db, sessionId: string, req: Request) {
  const running = perDb(touching, db);
  let update = running.get(sessionId);
  if (!update) {
    update = db.session.update({
      where: { id: sessionId },
      data: { lastUsedAt: new Date(), ip: req.ip ?? null },
    });
    running.set(sessionId, update);
    const done = () => running.delete(sessionId);
    update.then(done, done);
  }
  await update;
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

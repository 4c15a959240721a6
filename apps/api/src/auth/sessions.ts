import type { Db, User } from '@cinenest/db';
import type { Request } from 'express';
import type { AppDeps } from '../deps.js';
import { UnauthorizedError } from '@cinenest/http';
import { audit } from './audit.js';
import { hashToken, opaqueToken, signAccessToken } from './tokens.js';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshExpiresAt: Date;
  sessionId: string;
}

export function publicUser(user: User) {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    displayName: user.displayName,
    active: user.active,
    createdAt: user.createdAt,
  };
}

function describeDevice(req: Request, deviceName?: string): string | null {
  return (deviceName ?? req.get('user-agent') ?? '').slice(0, 200) || null;
}

function issue(
  deps: AppDeps,
  userId: string,
  sessionId: string,
  refreshToken: string,
  expiresAt: Date,
): IssuedTokens {
  return {
    accessToken: signAccessToken(deps.config, { sub: userId, sid: sessionId }),
    refreshToken,
    expiresIn: deps.config.ACCESS_TOKEN_TTL,
    refreshExpiresAt: expiresAt,
    sessionId,
  };
}

/** A new signed-in device: a session (the refresh-token family, ending SESSION_MAX_AGE from now) and its first tokens. */
export async function startSession(
  deps: AppDeps,
  user: User,
  req: Request,
  deviceName?: string,
): Promise<IssuedTokens> {
  const refreshToken = opaqueToken();
  const expiresAt = new Date(Date.now() + deps.config.SESSION_MAX_AGE * 1000);
  const session = await deps.db.session.create({
    data: {
      userId: user.id,
      deviceName: describeDevice(req, deviceName),
      userAgent: req.get('user-agent')?.slice(0, 512) ?? null,
      ip: req.ip ?? null,
      expiresAt,
      refreshTokens: { create: { tokenHash: hashToken(deps.config, refreshToken) } },
    },
  });
  return issue(deps, user.id, session.id, refreshToken, expiresAt);
}

export async function revokeSession(db: Db, sessionId: string, reason: string): Promise<boolean> {
  const { count } = await db.session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return count > 0;
}

export async function revokeUserSessions(db: Db, userId: string, reason: string, exceptSessionId?: string) {
  const { count } = await db.session.updateMany({
    where: { userId, revokedAt: null, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return count;
}

/**
 * Trades a refresh token for a new pair. A token that was already rotated means it leaked (or was
 * replayed): the whole session family is revoked, so both the old and the new tokens stop working.
 */
export async function rotateRefreshToken(deps: AppDeps, token: string, req: Request) {
  const { db, logger } = deps;
  const invalid = () => new UnauthorizedError('Invalid or expired refresh token', 'invalid_token');
  const row = await db.refreshToken.findUnique({
    where: { tokenHash: hashToken(deps.config, token) },
    include: { session: { include: { user: true } } },
  });
  if (!row) throw invalid();
  const { session } = row;
  const reuse = async () => {
    await revokeSession(db, session.id, 'refresh_token_reuse');
    await audit(db, logger, req, {
      type: 'auth.refresh_reuse',
      userId: session.userId,
      email: session.user.email,
      meta: { sessionId: session.id, suspicious: true },
    });
    return invalid();
  };
  if (row.rotatedAt) throw await reuse();
  if (session.revokedAt || session.expiresAt <= new Date() || !session.user.active) throw invalid();

  const next = opaqueToken();
  const rotated = await db.$transaction(async (tx) => {
    const claimed = await tx.refreshToken.updateMany({
      where: { id: row.id, rotatedAt: null },
      data: { rotatedAt: new Date() },
    });
    if (claimed.count !== 1) return false;
    await tx.refreshToken.create({
      data: { sessionId: session.id, tokenHash: hashToken(deps.config, next) },
    });
    await tx.session.update({
      where: { id: session.id },
      data: { lastUsedAt: new Date(), ip: req.ip ?? null },
    });
    return true;
  });
  // Two requests raced with the same token: one of them is a replay.
  if (!rotated) throw await reuse();
  await audit(db, logger, req, {
    type: 'auth.refresh',
    userId: session.userId,
    meta: { sessionId: session.id },
  });
  return { tokens: issue(deps, session.userId, session.id, next, session.expiresAt), user: session.user };
}

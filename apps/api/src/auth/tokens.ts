import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '@cinenest/config';
import { UnauthorizedError } from '@cinenest/http';

const ISSUER = 'cinenest';
const AUDIENCE = 'cinenest-api';

export interface AccessClaims {
  sub: string;
  sid: string;
}

/** The secret as a key object, made once: given a string, jsonwebtoken tries to parse it as a public key on every call. */
const keys = new Map<string, KeyObject>();
function accessKey(config: Config): KeyObject {
  let key = keys.get(config.JWT_ACCESS_SECRET);
  if (!key) {
    key = createSecretKey(Buffer.from(config.JWT_ACCESS_SECRET));
    keys.set(config.JWT_ACCESS_SECRET, key);
  }
  return key;
}

export function signAccessToken(config: Config, claims: AccessClaims): string {
  return jwt.sign({ sid: claims.sid }, accessKey(config), {
    algorithm: 'HS256',
    subject: claims.sub,
    issuer: ISSUER,
    audience: AUDIENCE,
    expiresIn: config.ACCESS_TOKEN_TTL,
  });
}

export function verifyAccessToken(config: Config, token: string): AccessClaims {
  try {
    const payload = jwt.verify(token, accessKey(config), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.sid !== 'string')
      throw new UnauthorizedError('Invalid access token', 'invalid_token');
    return { sub: payload.sub, sid: payload.sid };
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError)
      throw new UnauthorizedError('The access token has expired', 'token_expired');
    throw new UnauthorizedError('Invalid access token', 'invalid_token');
  }
}

/** A high-entropy opaque token (refresh tokens, device codes). */
export function opaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Opaque tokens are stored only as a keyed hash, so a database dump cannot be replayed. */
export function hashToken(config: Config, token: string): string {
  return createHmac('sha256', config.JWT_REFRESH_SECRET).update(token).digest('hex');
}

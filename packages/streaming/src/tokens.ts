import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

const ISSUER = 'cinenest';
const AUDIENCE = 'cinenest-stream';

/** What a stream URL grants: one user, one source, one file of it, until it expires or is revoked. */
export interface StreamGrant {
  /** The StreamToken row's id (the token's jti), which revocation marks. */
  tokenId: string;
  userId: string;
  sourceId: number;
  fileIndex: number;
}

export type StreamTokenProblem = 'invalid' | 'expired';

/** Thrown by verifyStreamToken; says only "invalid" or "expired", never which torrent. */
export class StreamTokenError extends Error {
  constructor(readonly problem: StreamTokenProblem) {
    super(problem === 'expired' ? 'The stream URL has expired' : 'Invalid stream URL');
    this.name = 'StreamTokenError';
  }
}

/**
 * Stream tokens are signed with a key derived from STREAMER_SECRET, the secret the API and the
 * streamer share, so neither the access-token key nor the internal-API secret itself signs them.
 */
const keys = new Map<string, KeyObject>();
function tokenKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(createHmac('sha256', secret).update('cinenest stream tokens v1').digest());
    keys.set(secret, key);
  }
  return key;
}

/** A compact signed token for the stream URL's path: no header or cookie needed to play it. */
export function signStreamToken(secret: string, grant: StreamGrant, expiresAt: Date): string {
  return jwt.sign({ src: grant.sourceId, f: grant.fileIndex }, tokenKey(secret), {
    algorithm: 'HS256',
    subject: grant.userId,
    jwtid: grant.tokenId,
    issuer: ISSUER,
    audience: AUDIENCE,
    expiresIn: Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000)),
    noTimestamp: true,
  });
}

export function verifyStreamToken(secret: string, token: string): StreamGrant {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, tokenKey(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  } catch (err) {
    throw new StreamTokenError(err instanceof jwt.TokenExpiredError ? 'expired' : 'invalid');
  }
  if (
    typeof payload === 'string' ||
    typeof payload.sub !== 'string' ||
    typeof payload.jti !== 'string' ||
    !Number.isInteger(payload.src) ||
    !Number.isInteger(payload.f)
  )
    throw new StreamTokenError('invalid');
  return {
    tokenId: payload.jti,
    userId: payload.sub,
    sourceId: payload.src as number,
    fileIndex: payload.f as number,
  };
}

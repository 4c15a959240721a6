import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { signStreamToken, StreamTokenError, verifyStreamToken } from './tokens.js';

const SECRET = 'x'.repeat(48);
const grant = { tokenId: '4b9f3c1e-2f6e-4e1a-9d0c-0a6f1c2b3d4e', userId: 'u-1', sourceId: 7, fileIndex: 2 };
const inAnHour = () => new Date(Date.now() + 3600_000);

describe('stream tokens', () => {
  it('round-trips the grant', () => {
    expect(verifyStreamToken(SECRET, signStreamToken(SECRET, grant, inAnHour()))).toEqual(grant);
  });

  it('are URL-safe and carry neither the info-hash nor the file name', () => {
    const token = signStreamToken(SECRET, grant, inAnHour());
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    const payload = jwt.decode(token) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'f', 'iss', 'jti', 'src', 'sub']);
  });

  it('rejects another secret, a tampered payload and garbage as invalid', () => {
    const token = signStreamToken(SECRET, grant, inAnHour());
    const problem = (t: string, secret = SECRET) => {
      try {
        verifyStreamToken(secret, t);
        return 'accepted';
      } catch (err) {
        return (err as StreamTokenError).problem;
      }
    };
    expect(problem(token, 'y'.repeat(48))).toBe('invalid');
    const [head, , sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...(jwt.decode(token) as object), src: 8 })).toString(
      'base64url',
    );
    expect(problem(`${head}.${forged}.${sig}`)).toBe('invalid');
    expect(problem('not-a-token')).toBe('invalid');
    // An access token (another audience, another key) is not a stream token.
    expect(
      problem(jwt.sign({ src: 7, f: 2 }, SECRET, { audience: 'cinenest-api', jwtid: 'j', subject: 'u' })),
    ).toBe('invalid');
  });

  it('rejects an expired token as expired', () => {
    const expired = signStreamToken(SECRET, grant, new Date(Date.now() + 1000));
    const later = Date.now() + 5000;
    const realNow = Date.now;
    Date.now = () => later;
    try {
      expect(() => verifyStreamToken(SECRET, expired)).toThrow(
        expect.objectContaining({ problem: 'expired' }),
      );
    } finally {
      Date.now = realNow;
    }
  });
});

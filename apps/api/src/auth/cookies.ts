import type { Config } from '@cinenest/config';
import type { Response } from 'express';

export const ACCESS_COOKIE = 'cinenest_access';
export const REFRESH_COOKIE = 'cinenest_refresh';
const REFRESH_PATH = '/api/v1/auth';

/** Browsers get the same tokens as httpOnly, SameSite=Strict cookies. */
export function setAuthCookies(
  res: Response,
  config: Config,
  tokens: { accessToken: string; refreshToken: string; refreshExpiresAt: Date },
): void {
  const base = { httpOnly: true, sameSite: 'strict' as const, secure: config.secureCookies };
  res.cookie(ACCESS_COOKIE, tokens.accessToken, {
    ...base,
    path: '/',
    maxAge: config.ACCESS_TOKEN_TTL * 1000,
  });
  res.cookie(REFRESH_COOKIE, tokens.refreshToken, {
    ...base,
    path: REFRESH_PATH,
    expires: tokens.refreshExpiresAt,
  });
}

export function clearAuthCookies(res: Response, config: Config): void {
  const base = { httpOnly: true, sameSite: 'strict' as const, secure: config.secureCookies };
  res.clearCookie(ACCESS_COOKIE, { ...base, path: '/' });
  res.clearCookie(REFRESH_COOKIE, { ...base, path: REFRESH_PATH });
}

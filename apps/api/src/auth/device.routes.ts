import { DeviceCodeStatus, isUniqueViolation } from '@cinenest/db';
import type { AppDeps } from '../deps.js';
import { BadRequestError, NotFoundError } from '@cinenest/http';
import { redisLimiter } from '../http/rate-limit.js';
import { route, type RouteSpec } from '../http/routes.js';
import { audit } from './audit.js';
import { newUserCode, normaliseUserCode } from './device-codes.js';
import {
  deviceDecisionResponse,
  deviceStartBody,
  deviceStartResponse,
  deviceTokenBody,
  tokensResponse,
  userCodeBody,
} from './schemas.js';
import { publicUser, startSession } from './sessions.js';
import { hashToken, opaqueToken } from './tokens.js';

/** TV sign-in by code, in the manner of RFC 8628. */
export function deviceRoutes(deps: AppDeps): RouteSpec[] {
  const { db, config, logger } = deps;
  const interval = config.DEVICE_CODE_INTERVAL;

  // A TV that polls faster than the interval is told to slow down (shared across API replicas).
  const pollLimit = redisLimiter(deps, 'device-poll', {
    windowMs: interval * 1000,
    limit: 1,
    keyGenerator: (req) => hashToken(config, String(req.body?.deviceCode ?? '')),
    handler: (_req, _res, next) =>
      next(new BadRequestError('slow_down', `Poll at most once every ${interval} seconds`)),
  });

  async function decide(userCode: string, userId: string, status: 'APPROVED' | 'DENIED') {
    const { count } = await db.deviceCode.updateMany({
      where: {
        userCode: normaliseUserCode(userCode),
        status: DeviceCodeStatus.PENDING,
        expiresAt: { gt: new Date() },
      },
      data: { status, userId, decidedAt: new Date() },
    });
    if (count === 0) throw new NotFoundError('No pending sign-in with this code; it may have expired');
  }

  return [
    route({
      method: 'post',
      path: '/api/v1/auth/device',
      access: 'public',
      summary: 'Start a TV sign-in: a code to show on screen and one to poll with',
      body: deviceStartBody,
      response: deviceStartResponse,
      handler: async ({ body, req }) => {
        const deviceCode = opaqueToken();
        const expiresAt = new Date(Date.now() + config.DEVICE_CODE_TTL * 1000);
        for (let attempt = 0; ; attempt++) {
          const userCode = newUserCode();
          try {
            await db.deviceCode.create({
              data: {
                deviceCodeHash: hashToken(config, deviceCode),
                userCode,
                deviceName: body?.deviceName ?? null,
                ip: req.ip ?? null,
                userAgent: req.get('user-agent')?.slice(0, 512) ?? null,
                interval,
                expiresAt,
              },
            });
            const verificationUri = new URL('/activate', config.PUBLIC_URL).toString();
            return {
              deviceCode,
              userCode,
              verificationUri,
              verificationUriComplete: `${verificationUri}?code=${userCode}`,
              interval,
              expiresIn: config.DEVICE_CODE_TTL,
            };
          } catch (err) {
            if (!isUniqueViolation(err) || attempt >= 5) throw err;
          }
        }
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/device/approve',
      access: 'user',
      summary: 'Approve the TV showing this code',
      body: userCodeBody,
      response: deviceDecisionResponse,
      errors: [404],
      handler: async ({ auth, body, req }) => {
        await decide(body.userCode, auth.user.id, DeviceCodeStatus.APPROVED);
        await audit(db, logger, req, {
          type: 'device.approved',
          userId: auth.user.id,
          meta: { userCode: normaliseUserCode(body.userCode) },
        });
        return { approved: true };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/device/deny',
      access: 'user',
      summary: 'Refuse the TV showing this code',
      body: userCodeBody,
      response: deviceDecisionResponse,
      errors: [404],
      handler: async ({ auth, body, req }) => {
        await decide(body.userCode, auth.user.id, DeviceCodeStatus.DENIED);
        await audit(db, logger, req, {
          type: 'device.denied',
          userId: auth.user.id,
          meta: { userCode: normaliseUserCode(body.userCode) },
        });
        return { approved: false };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/auth/device/token',
      access: 'public',
      summary: 'The TV polls here: pending, slow down, expired, denied, or its tokens (once)',
      body: deviceTokenBody,
      response: tokensResponse,
      before: [pollLimit],
      handler: async ({ body, req }) => {
        const code = await db.deviceCode.findUnique({
          where: { deviceCodeHash: hashToken(config, body.deviceCode) },
          include: { user: true },
        });
        if (!code || code.status === DeviceCodeStatus.CONSUMED)
          throw new BadRequestError('invalid_grant', 'Unknown or already used device code');
        if (code.expiresAt <= new Date())
          throw new BadRequestError('expired_token', 'The code has expired; start again');
        if (code.status === DeviceCodeStatus.DENIED)
          throw new BadRequestError('access_denied', 'The sign-in was refused');
        if (code.status === DeviceCodeStatus.PENDING || !code.user)
          throw new BadRequestError('authorization_pending', 'Waiting for someone to approve the code');
        if (!code.user.active) throw new BadRequestError('access_denied', 'This account is deactivated');
        const claimed = await db.deviceCode.updateMany({
          where: { id: code.id, status: DeviceCodeStatus.APPROVED },
          data: { status: DeviceCodeStatus.CONSUMED },
        });
        if (claimed.count !== 1)
          throw new BadRequestError('invalid_grant', 'Unknown or already used device code');
        const tokens = await startSession(deps, code.user, req, code.deviceName ?? undefined);
        await audit(db, logger, req, {
          type: 'device.signed_in',
          userId: code.user.id,
          meta: { sessionId: tokens.sessionId },
        });
        return {
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          expiresIn: tokens.expiresIn,
          user: publicUser(code.user),
        };
      },
    }),
  ];
}

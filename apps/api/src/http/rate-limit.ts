import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { audit } from '../auth/audit.js';
import type { AuthContext } from '../auth/authenticate.js';
import type { AppDeps } from '../deps.js';
import { TooManyRequestsError } from '@cinenest/http';

/**
 * rate-limit-redis loads its Lua script once, when the limiter is made, and keeps that promise: if
 * Redis was unreachable then, every later count fails with the old error even after Redis is back
 * (sign-in answers 503 until a restart, the general limit silently stops counting). Load it again.
 */
class RecoveringRedisStore extends RedisStore {
  override async increment(key: string) {
    const loaded = this.incrementScriptSha as Promise<string> | undefined;
    this.incrementScriptSha = loaded
      ? loaded.catch(() => this.loadIncrementScript())
      : this.loadIncrementScript();
    return super.increment(key);
  }
}

type LimiterOptions = Pick<Options, 'windowMs' | 'limit' | 'keyGenerator'> &
  Partial<Pick<Options, 'handler' | 'passOnStoreError' | 'skip'>>;

/** A limiter whose counters live in Redis, so the limit holds across every API replica. */
export function redisLimiter(deps: AppDeps, name: string, options: LimiterOptions): RequestHandler {
  const { redis, config, db, logger } = deps;
  const { handler, ...rest } = options;
  return rateLimit({
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // The limiter's own complaints (Redis unreachable) go to our logger, not to the console.
    logger: {
      error: (err, message) => logger.error(message ?? 'rate limiter error', { err, limiter: name }),
      warn: (err, message) => logger.warn(message ?? 'rate limiter warning', { err, limiter: name }),
    },
    store: new RecoveringRedisStore({
      prefix: `${config.REDIS_PREFIX}:rl:${name}:`,
      sendCommand: (command: string, ...args: string[]) =>
        redis.call(command, ...args) as Promise<RedisReply>,
    }),
    handler:
      handler ??
      (async (req, res, next, opts) => {
        const auth = res.locals.auth as AuthContext | undefined;
        await audit(db, logger, req, {
          type: 'rate_limit.hit',
          userId: auth?.user.id ?? null,
          meta: { limiter: name, path: req.path },
        });
        const retryAfter = Number(res.getHeader('Retry-After')) || Math.ceil(opts.windowMs / 1000);
        next(new TooManyRequestsError(retryAfter));
      }),
    ...rest,
  });
}

const ip = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

export function createLimiters(deps: AppDeps) {
  const { config } = deps;
  return {
    /** Per user when signed in, per IP otherwise. Fails open when Redis is down. */
    general: redisLimiter(deps, 'general', {
      windowMs: 60_000,
      limit: config.RATE_LIMIT_PER_MINUTE,
      passOnStoreError: true,
      keyGenerator: (req, res) => {
        const auth = res.locals.auth as AuthContext | undefined;
        return auth ? `u:${auth.user.id}` : `ip:${ip(req)}`;
      },
    }),
    /** Sign-in attempts per IP and email. */
    login: redisLimiter(deps, 'login', {
      windowMs: 60_000,
      limit: config.RATE_LIMIT_LOGIN_PER_MINUTE,
      keyGenerator: (req) => {
        const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
        return `${ip(req)}:${email}`;
      },
    }),
  };
}
export type Limiters = ReturnType<typeof createLimiters>;

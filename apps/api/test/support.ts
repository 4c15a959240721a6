import { loadConfig, type Config } from '@cinenest/config';
import { createDb, Role } from '@cinenest/db';
import { createLogger } from '@cinenest/logger';
import { createRedis, Queues } from '@cinenest/queue';
import { createTestDatabase, testEnv } from '@cinenest/testkit';
import request from 'supertest';
import { createApp } from '../src/app.js';
import { hashPassword } from '../src/auth/passwords.js';

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

export interface StartOptions {
  /**
   * Run against this existing database instead of a fresh one; it is left in place on close (its
   * owner drops it). Pass the owner's REDIS_PREFIX and secrets in the overrides to share Redis too.
   */
  databaseUrl?: string;
}

/** The API in-process against a fresh database and a private Redis prefix. */
export async function startTestApp(overrides: Record<string, string> = {}, options: StartOptions = {}) {
  const owned = options.databaseUrl ? undefined : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? owned!.url;
  const env = testEnv(databaseUrl, { RATE_LIMIT_LOGIN_PER_MINUTE: '1000', ...overrides });
  const config = loadConfig(env);
  const logger = createLogger({ service: 'api-test', silent: true });
  const db = createDb(config.DATABASE_URL, { poolSize: 5 });
  const redis = createRedis(config.REDIS_URL, 'request');
  const queues = new Queues(redis, config.REDIS_PREFIX);
  const deps = { config, db, redis, queues, logger };
  const { app, routes } = createApp(deps);

  async function createUser(email: string, password: string, role: 'USER' | 'ADMIN' = 'USER') {
    return db.user.create({
      data: {
        email,
        passwordHash: await hashPassword(password, 4),
        role: role === 'ADMIN' ? Role.ADMIN : Role.USER,
      },
    });
  }

  async function login(email: string, password: string) {
    const res = await request(app).post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { accessToken: string; refreshToken: string; expiresIn: number; user: { id: string } };
  }

  /** A user of the given role, signed in. */
  async function signedIn(
    role: 'USER' | 'ADMIN' = 'USER',
    email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2)}@example.com`,
  ) {
    const password = 'correct horse battery';
    const user = await createUser(email, password, role);
    const tokens = await login(email, password);
    return { ...tokens, user, password, auth: { Authorization: `Bearer ${tokens.accessToken}` } };
  }

  return {
    app,
    routes,
    deps,
    config,
    db,
    redis,
    http: () => request(app),
    createUser,
    login,
    signedIn,
    close: async () => {
      if (owned) {
        const keys = await redis.keys(`${config.REDIS_PREFIX}:*`);
        if (keys.length) await redis.del(...keys);
      }
      await queues.close();
      await redis.quit();
      await db.$disconnect();
      await owned?.drop();
    },
  };
}

/**
 * A second API replica of `of`: the same database, Redis prefix and signing secrets, as two
 * processes behind a load balancer would have. Close it before (or after) `of`; only `of` cleans up.
 */
export function startReplica(of: { config: Config }, overrides: Record<string, string> = {}) {
  const { REDIS_PREFIX, JWT_ACCESS_SECRET, JWT_REFRESH_SECRET, DATABASE_URL } = of.config;
  return startTestApp(
    { REDIS_PREFIX, JWT_ACCESS_SECRET, JWT_REFRESH_SECRET, ...overrides },
    { databaseUrl: DATABASE_URL },
  );
}

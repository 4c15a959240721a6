import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(1).max(65535);
const seconds = z.coerce.number().int().positive();
/** A byte count: plain bytes or with a unit (kb, mb, gb, tb; powers of 1024). */
const UNITS: Record<string, number> = { b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40 };
const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb|tb)?$/i, 'bytes, or a size such as 512mb or 20gb')
  .transform((v) => {
    const [, n, unit] = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i.exec(v)!;
    return Math.floor(Number(n) * UNITS[(unit ?? 'b').toLowerCase()]!);
  });
/** A byte budget, or a share of the disk it lives on ("80%"). */
const budget = z
  .string()
  .regex(
    /^(\d+(\.\d+)?%|\d+(\.\d+)?\s*(b|kb|mb|gb|tb)?)$/i,
    'bytes, a size such as 20gb, or a share of the disk such as 80%',
  )
  .transform((v): { percent: number } | { bytes: number } =>
    v.endsWith('%') ? { percent: Number(v.slice(0, -1)) } : { bytes: bytes.parse(v) },
  )
  .refine((v) => !('percent' in v) || (v.percent > 0 && v.percent <= 100), 'a share between 0% and 100%');

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Every setting Cinenest reads from the environment. `.env.example` documents each line. */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
    DATA_DIR: z.string().min(1).default('.data'),

    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' }),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }),
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only')
      .default('cinenest'),

    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: port.default(8080),
    STREAMER_PORT: port.default(8090),
    PUBLIC_URL: z.url().default('http://localhost:8080'),
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((v): boolean | number | string => {
        if (v === 'true') return true;
        if (v === 'false') return false;
        return /^\d+$/.test(v) ? Number(v) : v;
      }),
    CORS_ORIGINS: list.default([]),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb or 1mb')
      .default('100kb'),

    JWT_ACCESS_SECRET: z.string().optional(),
    JWT_REFRESH_SECRET: z.string().optional(),
    ACCESS_TOKEN_TTL: seconds.default(900),
    SESSION_MAX_AGE: seconds.default(30 * 24 * 3600),
    BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),

    DEVICE_CODE_TTL: seconds.default(600),
    DEVICE_CODE_INTERVAL: seconds.default(5),

    RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().positive().default(5),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),

    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(9000).default(8000),

    METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
    METRICS_ACCESS: z.enum(['token', 'internal', 'open']).optional(),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),

    WORKER_QUEUES: list.default([]),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
    JOB_LOCK_SECONDS: z.coerce.number().int().min(2).max(600).default(30),
    HOUSEKEEPING_INTERVAL: seconds.default(3600),
    HEALTH_CHECK_INTERVAL: seconds.default(60),
    AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(180),

    SECURE_COOKIES: bool.optional(),

    TMDB_API_URL: z.url().default('https://api.themoviedb.org/3'),
    TMDB_API_TOKEN: z.string().min(1).optional(),
    TMDB_RATE_LIMIT: z.coerce.number().int().min(1).max(1000).default(40),
    TMDB_CACHE_TTL: seconds.default(86_400),
    DEFAULT_LANGUAGE: z
      .string()
      .regex(/^[a-z]{2}$/, 'an ISO 639-1 code such as en')
      .default('en'),
    CATALOG_LANGUAGES: list
      .pipe(z.array(z.string().regex(/^[a-z]{2}$/, 'ISO 639-1 codes such as en,fr')))
      .default(['en', 'fr', 'de', 'es']),
    EPISODE_SYNC_MODE: z.enum(['ON_DEMAND', 'GREEDY']).default('ON_DEMAND'),
    LIST_REFRESH_INTERVAL: seconds.default(3600),
    LIST_PAGES: z.coerce.number().int().min(1).max(500).default(3),
    CHANGES_SYNC_INTERVAL: seconds.default(5400),
    CHANGES_MIN_GAP: z.coerce.number().int().min(0).default(3600),
    REFERENCE_SYNC_INTERVAL: seconds.default(86_400),
    SEASON_SWEEP_INTERVAL: seconds.default(10),
    CATALOG_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(3000),

    YTS_MIRRORS: list
      .pipe(z.array(z.url('each mirror must be a URL')).min(1, 'at least one mirror'))
      .default(['https://yts.mx/api/v2', 'https://yts.lt/api/v2', 'https://yts.am/api/v2']),
    YTS_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(5),
    SOURCE_ENCRYPTION_KEYS: z
      .string()
      .regex(
        /^[a-z0-9]{1,16}:[A-Za-z0-9+/=]+(,[a-z0-9]{1,16}:[A-Za-z0-9+/=]+)*$/,
        'id:key pairs, comma-separated',
      )
      .optional(),
    SOURCE_LOOKUP_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    SOURCE_SEARCH_SWEEP_INTERVAL: seconds.default(60),
    SOURCE_RESEARCH_DAYS: z.coerce.number().int().min(1).default(7),
    TRACKERS: list
      .pipe(
        z.array(z.string().regex(/^(udp|https?):\/\/.+/, 'udp://, http:// or https:// announce URLs')).min(1),
      )
      .default([
        'udp://tracker.opentrackr.org:1337/announce',
        'udp://open.demonii.com:1337/announce',
        'udp://tracker.openbittorrent.com:80/announce',
      ]),
    STATS_SWEEP_INTERVAL: seconds.default(60),
    STATS_MAX_BACKOFF_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(72),
    METADATA_SWEEP_INTERVAL: seconds.default(60),

    VPN_CHECK_URL: z.url().optional(),
    VPN_CHECK_INTERVAL: seconds.default(5),
    DISABLE_VPN_CHECK: bool.default(false),

    STREAMER_URL: z.url().optional(),
    STREAMER_SECRET: z.string().optional(),
    STREAM_PUBLIC_URL: z.url().optional(),
    STREAM_TOKEN_TTL: seconds.default(6 * 3600),
    STREAM_SOURCE_TIMEOUT: seconds.default(20),
    STREAM_READ_TIMEOUT: seconds.default(30),
    STORAGE_DIR: z.string().min(1).optional(),
    STORAGE_LIMIT: budget.prefault('80%'),
    MIN_FREE_DISK: bytes.prefault('2gb'),
    MAX_ACTIVE_TORRENTS: z.coerce.number().int().min(1).max(100).default(5),
    TORRENT_IDLE_TIMEOUT: seconds.default(600),
    TORRENT_PORT: z.coerce.number().int().min(0).max(65535).default(6881),
    TORRENT_DHT: bool.default(true),
    TORRENT_UTP: bool.default(false),
  })
  .superRefine(
    (env, ctx) => {
      for (const key of ['JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET'] as const) {
        const value = env[key];
        if (env.NODE_ENV === 'production' && (!value || Buffer.byteLength(value) < 32)) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'required in production, at least 32 bytes' });
        } else if (value !== undefined && Buffer.byteLength(value) < 32) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'must be at least 32 bytes' });
        }
      }
      if (
        env.NODE_ENV === 'production' &&
        (!env.STREAMER_SECRET || Buffer.byteLength(env.STREAMER_SECRET) < 32)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['STREAMER_SECRET'],
          message: 'required in production, at least 32 bytes',
        });
      } else if (env.STREAMER_SECRET !== undefined && Buffer.byteLength(env.STREAMER_SECRET) < 32) {
        ctx.addIssue({ code: 'custom', path: ['STREAMER_SECRET'], message: 'must be at least 32 bytes' });
      }
      if (env.NODE_ENV === 'production' && !env.SOURCE_ENCRYPTION_KEYS) {
        ctx.addIssue({ code: 'custom', path: ['SOURCE_ENCRYPTION_KEYS'], message: 'required in production' });
      }
      if (!env.DISABLE_VPN_CHECK && !env.VPN_CHECK_URL && env.NODE_ENV === 'production') {
        ctx.addIssue({
          code: 'custom',
          path: ['VPN_CHECK_URL'],
          message: 'required in production unless DISABLE_VPN_CHECK=true',
        });
      }
      if (env.NODE_ENV === 'production' && !env.TMDB_API_TOKEN) {
        ctx.addIssue({ code: 'custom', path: ['TMDB_API_TOKEN'], message: 'required in production' });
      }
      if (env.METRICS_ACCESS === 'token' && !env.METRICS_TOKEN) {
        ctx.addIssue({
          code: 'custom',
          path: ['METRICS_TOKEN'],
          message: 'required when METRICS_ACCESS=token',
        });
      }
      if (env.NODE_ENV !== 'test' && env.BCRYPT_COST < 12) {
        ctx.addIssue({ code: 'custom', path: ['BCRYPT_COST'], message: 'must be at least 12 outside tests' });
      }
    },
    // Run even when other variables failed, so one start lists every problem (zod skips it by default).
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type Env = z.infer<typeof envSchema>;

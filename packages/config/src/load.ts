import type { z } from 'zod';
import { join } from 'node:path';
import { devSecrets, devSourceKeyring, devStreamerSecret } from './secrets.js';
import { envSchema, type Env } from './schema.js';

export type Config = Env & {
  JWT_ACCESS_SECRET: string;
  JWT_REFRESH_SECRET: string;
  SOURCE_ENCRYPTION_KEYS: string;
  STREAMER_SECRET: string;
  /** Where the API reaches the streamer's internal API (default: this host's STREAMER_PORT). */
  STREAMER_URL: string;
  STORAGE_DIR: string;
  secureCookies: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describe(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`);
}

/** Parses the environment once; throws a ConfigError listing every bad or missing variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new ConfigError(describe(parsed.error.issues));
  const cfg = parsed.data;
  const needSecrets = !cfg.JWT_ACCESS_SECRET || !cfg.JWT_REFRESH_SECRET;
  const generated = needSecrets ? devSecrets(cfg.DATA_DIR) : undefined;
  return {
    ...cfg,
    JWT_ACCESS_SECRET: cfg.JWT_ACCESS_SECRET ?? generated!.JWT_ACCESS_SECRET,
    JWT_REFRESH_SECRET: cfg.JWT_REFRESH_SECRET ?? generated!.JWT_REFRESH_SECRET,
    SOURCE_ENCRYPTION_KEYS: cfg.SOURCE_ENCRYPTION_KEYS ?? devSourceKeyring(cfg.DATA_DIR),
    STREAMER_SECRET: cfg.STREAMER_SECRET ?? devStreamerSecret(cfg.DATA_DIR),
    STREAMER_URL: (cfg.STREAMER_URL ?? `http://127.0.0.1:${cfg.STREAMER_PORT}`).replace(/\/+$/, ''),
    STORAGE_DIR: cfg.STORAGE_DIR ?? join(cfg.DATA_DIR, 'torrents'),
    secureCookies: cfg.SECURE_COOKIES ?? cfg.NODE_ENV === 'production',
  };
}

/** For process entry points: print what is wrong and exit non-zero instead of a stack trace. */
export function loadConfigOrExit(processName: string, env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${processName} refuses to start. ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

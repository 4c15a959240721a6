import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './load.js';

const dirs: string[] = [];
function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cinenest-config-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const SECRET_A = 'a'.repeat(32);
const SECRET_B = 'b'.repeat(40);

/** A complete, valid environment; each test changes what it is about. */
function env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    DATA_DIR: tempDataDir(),
    DATABASE_URL: 'postgresql://cinenest:secret@localhost:5432/cinenest',
    REDIS_URL: 'redis://localhost:6379',
    JWT_ACCESS_SECRET: SECRET_A,
    JWT_REFRESH_SECRET: SECRET_B,
    TMDB_API_TOKEN: 'a-tmdb-read-access-token',
    VPN_CHECK_URL: 'http://vpn:9999/',
    SOURCE_ENCRYPTION_KEYS: 'k1:' + Buffer.alloc(32, 7).toString('base64'),
    STREAMER_SECRET: 's'.repeat(40),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
}

function problemsOf(e: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(e);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('loadConfig accepted the environment');
}

function problemFor(problems: string[], key: string): string | undefined {
  return problems.find((p) => p.startsWith(`${key}:`));
}

describe('loadConfig', () => {
  it('accepts a complete environment', () => {
    const config = loadConfig(env());
    expect(config.DATABASE_URL).toBe('postgresql://cinenest:secret@localhost:5432/cinenest');
    expect(config.JWT_ACCESS_SECRET).toBe(SECRET_A);
    expect(config.JWT_REFRESH_SECRET).toBe(SECRET_B);
  });

  it('lists every bad or missing variable at once', () => {
    const problems = problemsOf(env({ DATABASE_URL: undefined, REDIS_URL: undefined, PORT: 'eighty' }));
    expect(problemFor(problems, 'DATABASE_URL')).toBeDefined();
    expect(problemFor(problems, 'REDIS_URL')).toBeDefined();
    expect(problemFor(problems, 'PORT')).toBeDefined();
    expect(problems).toHaveLength(3);
  });

  it('names the variables in the error message too', () => {
    try {
      loadConfig(env({ DATABASE_URL: 'mysql://localhost/db', REDIS_URL: 'http://localhost' }));
      throw new Error('loadConfig accepted the environment');
    } catch (err) {
      expect((err as Error).message).toMatch(/DATABASE_URL/);
      expect((err as Error).message).toMatch(/REDIS_URL/);
    }
  });

  it('treats an empty variable as unset', () => {
    const problems = problemsOf(env({ DATABASE_URL: '' }));
    expect(problemFor(problems, 'DATABASE_URL')).toBeDefined();
    expect(loadConfig(env({ PORT: '' })).PORT).toBe(8080);
  });

  it('applies the defaults: PORT 8080, STREAMER_PORT 8090', () => {
    const config = loadConfig(env());
    expect(config.PORT).toBe(8080);
    expect(config.STREAMER_PORT).toBe(8090);
    expect(config.CORS_ORIGINS).toEqual([]);
  });

  it('reads ports as numbers and refuses ones out of range', () => {
    expect(loadConfig(env({ PORT: '3000', STREAMER_PORT: '3001' }))).toMatchObject({
      PORT: 3000,
      STREAMER_PORT: 3001,
    });
    const problems = problemsOf(env({ PORT: '70000', STREAMER_PORT: '0' }));
    expect(problemFor(problems, 'PORT')).toBeDefined();
    expect(problemFor(problems, 'STREAMER_PORT')).toBeDefined();
  });

  it('splits CORS_ORIGINS on commas, trimming blanks', () => {
    const config = loadConfig(
      env({ CORS_ORIGINS: 'https://a.example, https://b.example,,http://localhost:5173 ' }),
    );
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example', 'http://localhost:5173']);
  });
});

describe('JWT secrets in production', () => {
  const production = (overrides: Record<string, string | undefined> = {}) =>
    env({ NODE_ENV: 'production', ...overrides });

  it('refuses missing secrets, naming both', () => {
    const problems = problemsOf(production({ JWT_ACCESS_SECRET: undefined, JWT_REFRESH_SECRET: undefined }));
    expect(problemFor(problems, 'JWT_ACCESS_SECRET')).toBeDefined();
    expect(problemFor(problems, 'JWT_REFRESH_SECRET')).toBeDefined();
  });

  it('refuses secrets shorter than 32 bytes', () => {
    const problems = problemsOf(
      production({ JWT_ACCESS_SECRET: 'x'.repeat(31), JWT_REFRESH_SECRET: 'short' }),
    );
    expect(problemFor(problems, 'JWT_ACCESS_SECRET')).toBeDefined();
    expect(problemFor(problems, 'JWT_REFRESH_SECRET')).toBeDefined();
  });

  it('counts bytes, not characters', () => {
    // 16 two-byte characters: 16 characters, 32 bytes.
    const config = loadConfig(production({ JWT_ACCESS_SECRET: 'é'.repeat(16) }));
    expect(config.JWT_ACCESS_SECRET).toBe('é'.repeat(16));
    const problems = problemsOf(production({ JWT_ACCESS_SECRET: 'é'.repeat(15) }));
    expect(problemFor(problems, 'JWT_ACCESS_SECRET')).toBeDefined();
  });

  it('accepts secrets of 32 bytes and more, and never writes a secrets file', () => {
    const dataDir = tempDataDir();
    const config = loadConfig(
      production({
        DATA_DIR: dataDir,
        JWT_ACCESS_SECRET: 'k'.repeat(32),
        JWT_REFRESH_SECRET: 'r'.repeat(64),
      }),
    );
    expect(config.JWT_ACCESS_SECRET).toBe('k'.repeat(32));
    expect(config.JWT_REFRESH_SECRET).toBe('r'.repeat(64));
    expect(config.secureCookies).toBe(true);
    expect(() => statSync(join(dataDir, 'dev-secrets.json'))).toThrow();
  });

  it('lists missing secrets together with other problems', () => {
    const problems = problemsOf(
      production({ JWT_ACCESS_SECRET: undefined, JWT_REFRESH_SECRET: undefined, DATABASE_URL: undefined }),
    );
    expect(problemFor(problems, 'DATABASE_URL')).toBeDefined();
    expect(problemFor(problems, 'JWT_ACCESS_SECRET')).toBeDefined();
    expect(problemFor(problems, 'JWT_REFRESH_SECRET')).toBeDefined();
  });
});

describe('JWT secrets outside production', () => {
  it('generates missing secrets once into <DATA_DIR>/dev-secrets.json and reuses them', () => {
    const dataDir = tempDataDir();
    const first = loadConfig(
      env({
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        JWT_ACCESS_SECRET: undefined,
        JWT_REFRESH_SECRET: undefined,
      }),
    );
    expect(Buffer.byteLength(first.JWT_ACCESS_SECRET)).toBeGreaterThanOrEqual(32);
    expect(Buffer.byteLength(first.JWT_REFRESH_SECRET)).toBeGreaterThanOrEqual(32);
    expect(first.JWT_ACCESS_SECRET).not.toBe(first.JWT_REFRESH_SECRET);

    const file = join(dataDir, 'dev-secrets.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      JWT_ACCESS_SECRET: first.JWT_ACCESS_SECRET,
      JWT_REFRESH_SECRET: first.JWT_REFRESH_SECRET,
    });
    expect(statSync(file).mode & 0o077).toBe(0);

    const second = loadConfig(
      env({
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        JWT_ACCESS_SECRET: undefined,
        JWT_REFRESH_SECRET: undefined,
      }),
    );
    expect(second.JWT_ACCESS_SECRET).toBe(first.JWT_ACCESS_SECRET);
    expect(second.JWT_REFRESH_SECRET).toBe(first.JWT_REFRESH_SECRET);
  });

  it('creates DATA_DIR when it does not exist yet', () => {
    const dataDir = join(tempDataDir(), 'nested', 'data');
    const config = loadConfig(
      env({ DATA_DIR: dataDir, JWT_ACCESS_SECRET: undefined, JWT_REFRESH_SECRET: undefined }),
    );
    expect(JSON.parse(readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8')).JWT_ACCESS_SECRET).toBe(
      config.JWT_ACCESS_SECRET,
    );
  });

  it('keeps a secret that is set and does not generate anything', () => {
    const dataDir = tempDataDir();
    const config = loadConfig(env({ DATA_DIR: dataDir }));
    expect(config.JWT_ACCESS_SECRET).toBe(SECRET_A);
    expect(() => statSync(join(dataDir, 'dev-secrets.json'))).toThrow();
  });

  it('still refuses a secret that is set but shorter than 32 bytes', () => {
    const problems = problemsOf(env({ NODE_ENV: 'development', JWT_REFRESH_SECRET: 'too-short' }));
    expect(problemFor(problems, 'JWT_REFRESH_SECRET')).toBeDefined();
    expect(problemFor(problems, 'JWT_ACCESS_SECRET')).toBeUndefined();
  });
});

describe('BCRYPT_COST', () => {
  it('refuses a cost below 12 in development and production', () => {
    expect(
      problemFor(problemsOf(env({ NODE_ENV: 'development', BCRYPT_COST: '10' })), 'BCRYPT_COST'),
    ).toBeDefined();
    expect(
      problemFor(problemsOf(env({ NODE_ENV: 'production', BCRYPT_COST: '11' })), 'BCRYPT_COST'),
    ).toBeDefined();
  });

  it('allows a low cost when NODE_ENV=test', () => {
    expect(loadConfig(env({ NODE_ENV: 'test', BCRYPT_COST: '4' })).BCRYPT_COST).toBe(4);
  });

  it('defaults to 12 and accepts 12 and more anywhere', () => {
    expect(loadConfig(env({ NODE_ENV: 'development' })).BCRYPT_COST).toBe(12);
    expect(loadConfig(env({ NODE_ENV: 'production', BCRYPT_COST: '13' })).BCRYPT_COST).toBe(13);
  });
});

describe('catalog settings', () => {
  it('requires a TMDB token in production only', () => {
    expect(
      problemFor(problemsOf(env({ NODE_ENV: 'production', TMDB_API_TOKEN: undefined })), 'TMDB_API_TOKEN'),
    ).toMatch(/required in production/);
    expect(
      loadConfig(env({ NODE_ENV: 'development', TMDB_API_TOKEN: undefined })).TMDB_API_TOKEN,
    ).toBeUndefined();
  });

  it('checks the language list and the episode sync mode', () => {
    expect(loadConfig(env({ CATALOG_LANGUAGES: 'en, fr' })).CATALOG_LANGUAGES).toEqual(['en', 'fr']);
    expect(problemFor(problemsOf(env({ CATALOG_LANGUAGES: 'en,french' })), 'CATALOG_LANGUAGES.1')).toMatch(
      /ISO 639-1/,
    );
    expect(
      problemFor(problemsOf(env({ EPISODE_SYNC_MODE: 'SOMETIMES' })), 'EPISODE_SYNC_MODE'),
    ).toBeDefined();
  });
});

describe('source encryption keys', () => {
  it('are required in production and generated once elsewhere', () => {
    expect(
      problemFor(
        problemsOf(env({ NODE_ENV: 'production', SOURCE_ENCRYPTION_KEYS: undefined })),
        'SOURCE_ENCRYPTION_KEYS',
      ),
    ).toMatch(/required in production/);
    const dataDir = tempDataDir();
    const first = loadConfig(
      env({ NODE_ENV: 'development', DATA_DIR: dataDir, SOURCE_ENCRYPTION_KEYS: undefined }),
    );
    const again = loadConfig(
      env({ NODE_ENV: 'development', DATA_DIR: dataDir, SOURCE_ENCRYPTION_KEYS: undefined }),
    );
    expect(first.SOURCE_ENCRYPTION_KEYS).toMatch(/^dev1:/);
    expect(again.SOURCE_ENCRYPTION_KEYS).toBe(first.SOURCE_ENCRYPTION_KEYS);
  });

  it('must be id:key pairs', () => {
    expect(
      problemFor(problemsOf(env({ SOURCE_ENCRYPTION_KEYS: 'just-a-key' })), 'SOURCE_ENCRYPTION_KEYS'),
    ).toMatch(/id:key/);
  });
});

describe('the streamer secret', () => {
  it('is required in production, at least 32 bytes, and generated once elsewhere', () => {
    expect(
      problemFor(problemsOf(env({ NODE_ENV: 'production', STREAMER_SECRET: undefined })), 'STREAMER_SECRET'),
    ).toMatch(/required in production/);
    expect(problemFor(problemsOf(env({ STREAMER_SECRET: 'short' })), 'STREAMER_SECRET')).toMatch(/32 bytes/);
    const dataDir = tempDataDir();
    const first = loadConfig(env({ NODE_ENV: 'development', DATA_DIR: dataDir, STREAMER_SECRET: undefined }));
    const again = loadConfig(env({ NODE_ENV: 'development', DATA_DIR: dataDir, STREAMER_SECRET: undefined }));
    expect(first.STREAMER_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(again.STREAMER_SECRET).toBe(first.STREAMER_SECRET);
  });
});

describe('storage settings', () => {
  it('read a byte budget, a size or a share of the disk', () => {
    expect(loadConfig(env({ STORAGE_LIMIT: '80%' })).STORAGE_LIMIT).toEqual({ percent: 80 });
    expect(loadConfig(env({ STORAGE_LIMIT: '1.5gb' })).STORAGE_LIMIT).toEqual({ bytes: 1.5 * 1024 ** 3 });
    expect(loadConfig(env({ STORAGE_LIMIT: '1048576' })).STORAGE_LIMIT).toEqual({ bytes: 1048576 });
    expect(loadConfig(env({ MIN_FREE_DISK: '512mb' })).MIN_FREE_DISK).toBe(512 * 1024 ** 2);
    expect(loadConfig(env()).STORAGE_DIR).toMatch(/torrents$/);
  });

  it('name what is wrong', () => {
    const problems = problemsOf(
      env({ STORAGE_LIMIT: '120%', MIN_FREE_DISK: 'lots', MAX_ACTIVE_TORRENTS: '0' }),
    );
    expect(problemFor(problems, 'STORAGE_LIMIT')).toMatch(/0% and 100%/);
    expect(problemFor(problems, 'MIN_FREE_DISK')).toMatch(/size/);
    expect(problemFor(problems, 'MAX_ACTIVE_TORRENTS')).toBeDefined();
  });
});

describe('VPN check', () => {
  it('is required in production unless explicitly disabled', () => {
    expect(
      problemFor(problemsOf(env({ NODE_ENV: 'production', VPN_CHECK_URL: undefined })), 'VPN_CHECK_URL'),
    ).toMatch(/DISABLE_VPN_CHECK/);
    const off = loadConfig(
      env({ NODE_ENV: 'production', VPN_CHECK_URL: undefined, DISABLE_VPN_CHECK: 'true' }),
    );
    expect(off.DISABLE_VPN_CHECK).toBe(true);
  });

  it('checks tracker URLs', () => {
    expect(problemFor(problemsOf(env({ TRACKERS: 'ftp://nope' })), 'TRACKERS.0')).toMatch(/announce/);
    expect(loadConfig(env({ TRACKERS: 'udp://127.0.0.1:6969/announce' })).TRACKERS).toEqual([
      'udp://127.0.0.1:6969/announce',
    ]);
  });
});

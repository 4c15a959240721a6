#!/usr/bin/env node
// `npm run demo`: installs what is missing, builds, starts Postgres (embedded, data kept under
// .data/demo) and Redis, migrates, and runs api + worker + streamer. Ctrl-C stops everything.
import { join } from 'node:path';
import { build, ensureDependencies } from './lib/deps.mjs';
import { preferPort } from './lib/ports.mjs';
import { startProcesses, waitForHttp } from './lib/processes.mjs';
import { cleanup, cleanupOnSignals, root, step } from './lib/util.mjs';

ensureDependencies();
const { startStack } = await import('./lib/stack.mjs');

let running;
cleanupOnSignals(async () => {
  step('stopping');
  await running?.stopAll();
});

try {
  build();
  const stack = await startStack({ dir: join(root, '.data/demo'), persistent: true, database: 'cinenest' });
  const port = await preferPort(Number(process.env.PORT ?? 8080));
  const streamerPort = await preferPort(Number(process.env.STREAMER_PORT ?? 8090));
  const apiUrl = `http://localhost:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    PORT: String(port),
    STREAMER_PORT: String(streamerPort),
    PUBLIC_URL: process.env.PUBLIC_URL ?? apiUrl,
    DATA_DIR: process.env.DATA_DIR ?? join(root, '.data'),
  };
  step('starting api, worker and streamer');
  running = startProcesses(env, async (name, code) => {
    process.stderr.write(`\n${name} exited unexpectedly (code ${code}); stopping the demo.\n`);
    await running.stopAll();
    await cleanup();
    process.exit(1);
  });
  await waitForHttp(`${apiUrl}/health/ready`);
  await waitForHttp(`http://localhost:${streamerPort}/health/live`);
  process.stdout.write(`
  Cinenest is running.

    API       ${apiUrl}/api/v1        (health: ${apiUrl}/health/ready)
    Streamer  http://localhost:${streamerPort}

  Create the first administrator (only works while no user exists):

    curl -X POST ${apiUrl}/api/v1/auth/setup -H 'Content-Type: application/json' \\
         -d '{"email":"admin@example.com","password":"choose-a-password"}'

  Then sign in:

    curl -X POST ${apiUrl}/api/v1/auth/login -H 'Content-Type: application/json' \\
         -d '{"email":"admin@example.com","password":"choose-a-password"}'

  Data is kept in .data/demo. Press Ctrl-C to stop.
\n`);
} catch (err) {
  process.stderr.write(`npm run demo: ${err instanceof Error ? err.message : String(err)}\n`);
  await running?.stopAll();
  await cleanup();
  process.exit(1);
}

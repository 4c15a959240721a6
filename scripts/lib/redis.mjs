// Starts a private redis-server on a free loopback port (Debian's package, installed when missing).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { ensureDebianPackage } from './apt.mjs';
import { freePort, onCleanup } from './util.mjs';

export function ensureRedisServer() {
  return ensureDebianPackage({
    command: 'redis-server',
    pkg: 'redis-server',
    otherwise: 'or set REDIS_URL to an existing Redis',
  });
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

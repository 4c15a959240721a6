import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

export function step(message) {
  process.stdout.write(`\u001b[36m›\u001b[0m ${message}\n`);
}

/** A TCP port nobody listens on right now, on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const cleanups = [];
let cleaning;

/** Registers work to undo on exit (last registered runs first). */
export function onCleanup(fn) {
  cleanups.unshift(fn);
}

export function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  })();
  return cleaning;
}

/** Ctrl-C and SIGTERM undo what was started, then exit with the given code. */
export function cleanupOnSignals(onSignal) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, async () => {
      await onSignal?.(signal);
      await cleanup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

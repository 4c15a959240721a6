import { createServer } from 'node:net';
import { freePort } from './util.mjs';

function isFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** The preferred port when nobody uses it, another free one otherwise. */
export async function preferPort(preferred) {
  return (await isFree(preferred)) ? preferred : freePort();
}

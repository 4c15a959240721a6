import { collectDefaultMetrics, Registry } from 'prom-client';

/** Every metric name starts with it. */
export const PREFIX = 'cinenest_';

/**
 * A registry of one process's metrics, with Node's process metrics (CPU, memory, event loop lag,
 * GC, handles) prefixed `cinenest_`. Each process (and each test app) has its own: nothing global.
 */
export function createRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  return registry;
}

/** Settles within `ms`, or rejects: a collector waiting on Redis or Postgres must not hang a scrape. */
export function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { envSchema } from '../src/schema.js';

/**
 * The deployment files against the configuration schema: docker-compose.yml is valid (Debian's
 * docker-compose, no engine needed), the torrent-facing services have no network of their own, and
 * every variable is known to the schema and documented in .env.example.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');

const SCHEMA_KEYS = Object.keys(envSchema.shape);
/** Variables only docker-compose.yml reads (for postgres, gluetun), documented in .env.example too. */
const COMPOSE_ONLY = ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB'];
/** Read by scripts/prisma.mjs (which schema engine migrations use), not by the processes. */
const SCRIPT_ONLY = ['PRISMA_MIGRATE_ENGINE'];
/** What the required (`:?`) variables are set to for validation: any value will do. */
const REQUIRED_FOR_COMPOSE = [
  'POSTGRES_PASSWORD',
  'JWT_ACCESS_SECRET',
  'JWT_REFRESH_SECRET',
  'STREAMER_SECRET',
  'VPN_SERVICE_PROVIDER',
  'WIREGUARD_PRIVATE_KEY',
  'TMDB_API_TOKEN',
  'SOURCE_ENCRYPTION_KEYS',
];
/** The services that run Cinenest's own code. */
const OURS = ['migrate', 'api', 'worker', 'streamer', 'swarm-worker'];

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | null>;
  ports?: unknown[];
  networks?: unknown;
  network_mode?: string;
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  restart?: string;
  healthcheck?: { disable?: boolean; test?: unknown };
}

function dockerCompose(args: string[]): string {
  const bin = process.env.DOCKER_COMPOSE;
  if (!bin)
    throw new Error('docker-compose is not installed: `npm test` installs it (apt-get) when run as root');
  const env = {
    PATH: process.env.PATH ?? '',
    ...Object.fromEntries(REQUIRED_FOR_COMPOSE.map((k) => [k, 'x'])),
  };
  return execFileSync(bin, ['-f', `${root}docker-compose.yml`, ...args], {
    env,
    encoding: 'utf8',
    cwd: root,
  });
}

/** Names a .env.example line sets or shows commented out: `NAME=` or `# NAME=`. */
function documented(): Set<string> {
  return new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose', () => {
    expect(() => dockerCompose(['config', '-q'])).not.toThrow();
  });

  const services = (parse(dockerCompose(['config'])) as { services: Record<string, Service> }).services;

  it('runs the streamer and the swarm worker inside the VPN service’s network, with none of their own', () => {
    for (const name of ['streamer', 'swarm-worker']) {
      const service = services[name]!;
      expect({ name, network_mode: service.network_mode }).toEqual({ name, network_mode: 'service:vpn' });
      expect(service.ports ?? []).toEqual([]);
      expect(service.networks).toBeUndefined();
      expect(service.depends_on?.vpn).toEqual({ condition: 'service_healthy' });
      // Their VPN check is gluetun's health endpoint as seen from inside its namespace.
      expect(service.environment?.VPN_CHECK_URL).toBe('http://127.0.0.1:9999');
    }
    expect(services.vpn!.healthcheck?.test).toBeDefined();
  });

  it('gives every Cinenest service only variables the configuration schema knows', () => {
    for (const name of OURS) {
      const unknown = Object.keys(services[name]!.environment ?? {}).filter(
        (key) => !SCHEMA_KEYS.includes(key) && !SCRIPT_ONLY.includes(key),
      );
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
  });

  it('starts each service after what it needs, restarts it, and gives it longer than the drain bound to stop', () => {
    for (const name of ['api', 'worker', 'streamer', 'swarm-worker']) {
      const s = services[name]!;
      expect(s.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
      expect(s.restart).toBe('unless-stopped');
      // SHUTDOWN_TIMEOUT_MS is at most 9 s.
      expect(Number.parseInt(s.stop_grace_period ?? '0', 10)).toBeGreaterThan(9);
    }
    expect(services.worker!.ports ?? []).toEqual([]);
  });

  it('keeps Redis from losing jobs: append-only, no eviction', () => {
    const command = (services.redis!.command ?? []).join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--appendfsync everysec/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
  });

  it('documents in .env.example every variable it reads', () => {
    const names = [...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)[:}?-]/g)].map((m) => m[1]!);
    const docs = documented();
    expect([...new Set(names)].filter((n) => !docs.has(n))).toEqual([]);
  });
});

describe('.env.example', () => {
  it('documents every setting of the configuration schema', () => {
    const docs = documented();
    expect(SCHEMA_KEYS.filter((key) => !docs.has(key))).toEqual([]);
  });

  it('documents nothing the schema or docker-compose.yml does not read', () => {
    const compose = read('docker-compose.yml');
    const stray = [...documented()].filter(
      (key) =>
        ![...SCHEMA_KEYS, ...COMPOSE_ONLY, ...SCRIPT_ONLY].includes(key) && !compose.includes(`\${${key}`),
    );
    expect(stray).toEqual([]);
  });
});

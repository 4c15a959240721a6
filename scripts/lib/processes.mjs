// Runs api, worker and streamer side by side; stops them all (SIGTERM, then waits) together.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from './util.mjs';

export const PROCESSES = ['api', 'worker', 'streamer'];

/**
 * @param {Record<string, string>} env
 * @param {(name: string, code: number | null) => void} onUnexpectedExit
 */
export function startProcesses(env, onUnexpectedExit) {
  let stopping = false;
  const children = PROCESSES.map((name) => {
    const child = spawn(process.execPath, [join(root, `apps/${name}/dist/main.js`)], {
      cwd: root,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => {
      if (!stopping) onUnexpectedExit(name, code);
    });
    return { name, child };
  });
  async function stopAll() {
    stopping = true;
    await Promise.all(
      children.map(({ child }) =>
        child.exitCode !== null || child.signalCode !== null
          ? Promise.resolve()
          : new Promise((resolve) => {
              child.once('exit', resolve);
              child.kill('SIGTERM');
            }),
      ),
    );
  }
  return { stopAll };
}

/** Resolves once url answers 2xx, or rejects after timeoutMs. */
export async function waitForHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

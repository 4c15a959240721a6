// Shared by the benches: paths, a cleanup list run on exit or signal, and a plain-text table.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const WORKER = join(root, 'apps/worker/dist/main.js');
export const API = join(root, 'apps/api/dist/main.js');
export const STREAMER = join(root, 'apps/streamer/dist/main.js');

export function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run benches with \`npm run bench -- <name>\``);
  return value;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function log(message) {
  process.stdout.write(`  · ${message}\n`);
}

const cleanups = [];

/** Registers work to undo when the bench ends (last registered runs first). */
export function onExit(fn) {
  cleanups.unshift(fn);
}

async function runCleanups() {
  while (cleanups.length) {
    const fn = cleanups.shift();
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}

/** Runs the bench, then whatever it registered with onExit, also on Ctrl-C; exits 1 on an error. */
export async function runBench(main) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, async () => {
      await runCleanups();
      process.exit(130);
    });
  }
  let code = 0;
  try {
    await main();
  } catch (err) {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    code = 1;
  } finally {
    await runCleanups();
  }
  process.exit(code);
}

/** Prints rows (arrays of cells) as an aligned table; the first row is the header. */
export function printTable(rows, { indent = '  ' } = {}) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) =>
    r
      .map((cell, i) => {
        const text = String(cell ?? '');
        return i === 0 ? text.padEnd(widths[i]) : text.padStart(widths[i]);
      })
      .join('  ');
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  process.stdout.write(`${out.map((l) => `${indent}${l}`.trimEnd()).join('\n')}\n`);
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN where there is no /proc. */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Busy CPU seconds of the whole machine so far (every core), from /proc/stat; NaN where there is none. */
export function machineCpuSeconds() {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return NaN;
  }
}

export const fixed = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
export const thousands = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
export const verdict = (ok) => (ok ? 'PASS' : 'MISS');

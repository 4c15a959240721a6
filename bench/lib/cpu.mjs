// Where the CPU goes during a measured run: named processes, Postgres, Redis, this process (the load
// generator) and the whole machine, as CPU seconds between two snapshots.
import { readdirSync, readFileSync } from 'node:fs';
import { cpuSeconds, machineCpuSeconds } from './common.mjs';

/** utime, stime, cutime, cstime (seconds) and the parent of a process, from /proc; undefined without. */
function stat(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map((n) => Number(n) / 100);
    return { ppid: Number(fields[1]), own: utime + stime, children: cutime + cstime };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds so far of the whole Postgres server behind the pool, every process of it: the
 * postmaster, its running children (backends, parallel workers, autovacuum, the WAL writer…) and the
 * children it already reaped. NaN where there is no /proc or the server is not on this machine.
 */
async function postgresTreeCpu(pool) {
  const { rows } = await pool.query('SELECT pg_backend_pid() AS pid');
  const postmaster = stat(rows[0].pid)?.ppid;
  const top = postmaster && stat(postmaster);
  if (!top) return NaN;
  let total = top.own + top.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(entry);
    if (s?.ppid === postmaster) total += s.own;
  }
  return total;
}

/** Redis's own CPU seconds so far. */
export async function redisCpu(redis) {
  const info = await redis.info('cpu');
  const value = (key) => Number(new RegExp(`${key}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return value('used_cpu_user') + value('used_cpu_sys');
}

/**
 * CPU seconds so far of each process of `pids` ({ name: pid }), of Postgres (the backends serving the
 * pool's database, and the whole server), of Redis, of this process and of the machine.
 */
export async function cpuSnapshot({ pids, pool, redis }) {
  const { rows } = await pool.query(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const own = process.cpuUsage();
  return {
    processes: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])),
    postgres: new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)])),
    postgresAll: await postgresTreeCpu(pool),
    redis: await redisCpu(redis),
    loadgen: (own.user + own.system) / 1e6,
    machine: machineCpuSeconds(),
  };
}

/** What each one spent between two snapshots; `other` is the rest of the machine meanwhile. */
export function cpuSpent(before, after) {
  let postgres = 0;
  for (const [pid, s] of after.postgres) {
    // A backend that ended between the listing and the read has no figure: left out.
    const was = before.postgres.get(pid) ?? 0;
    if (Number.isFinite(s) && Number.isFinite(was)) postgres += s - was;
  }
  const processes = Object.fromEntries(
    Object.entries(after.processes).map(([name, s]) => [name, s - before.processes[name]]),
  );
  const postgresAll = after.postgresAll - before.postgresAll;
  const spent = {
    processes,
    // The whole server where it can be read (parallel workers, autovacuum… too), else the backends.
    postgres: Number.isFinite(postgresAll) ? postgresAll : postgres,
    postgresBackends: postgres,
    redis: after.redis - before.redis,
    loadgen: after.loadgen - before.loadgen,
    machine: after.machine - before.machine,
  };
  const known = Object.values(processes).reduce((n, s) => n + (Number.isFinite(s) ? s : 0), 0);
  spent.other = Math.max(0, spent.machine - known - spent.postgres - spent.redis - spent.loadgen);
  return spent;
}

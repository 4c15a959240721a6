import { fileURLToPath } from 'node:url';
import {
  freePort,
  startProcess,
  testEnv,
  waitFor,
  type RunningProcess,
  type TmdbStandIn,
} from '@cinenest/testkit';

const API = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const WORKER = fileURLToPath(new URL('../../../worker/dist/main.js', import.meta.url));

export interface Running {
  base: string;
  env: Record<string, string>;
  processes: RunningProcess[];
  /** GET as the signed-in administrator. */
  get: (path: string) => Promise<Response>;
  auth: Record<string, string>;
  /** A catalog read under load: a status per request, every 20 ms, until stop(). */
  load: (path: string) => { statuses: Map<number, number>; stop: () => Promise<void> };
  kill: () => Promise<void>;
}

/**
 * The built API and worker on a database and a Redis of the test's choosing, an administrator
 * signed in, and the catalog filled by the lists refresh from the TMDB stand-in.
 */
export async function startApiAndWorker(
  databaseUrl: string,
  tmdb: TmdbStandIn,
  overrides: Record<string, string>,
): Promise<Running> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = testEnv(databaseUrl, {
    PORT: String(port),
    TMDB_API_URL: tmdb.url,
    TMDB_API_TOKEN: tmdb.token,
    LIST_PAGES: '1',
    CATALOG_LANGUAGES: 'en',
    ...overrides,
  });
  const processes = [startProcess(API, env), startProcess(WORKER, env)];
  await waitFor(async () => (await fetch(`${base}/health/ready`)).ok, { timeoutMs: 20_000 });
  const json = { 'Content-Type': 'application/json' };
  const login = JSON.stringify({ email: 'admin@home.test', password: 'correct horse battery' });
  await fetch(`${base}/api/v1/auth/setup`, { method: 'POST', headers: json, body: login });
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: json, body: login });
  const auth = { Authorization: `Bearer ${((await res.json()) as { accessToken: string }).accessToken}` };
  const get = (path: string) => fetch(`${base}${path}`, { headers: auth });
  await waitFor(async () => ((await (await get('/api/v1/movies')).json()) as { total: number }).total > 0, {
    timeoutMs: 30_000,
  });
  const load = (path: string) => {
    const statuses = new Map<number, number>();
    let loading = true;
    const running = (async () => {
      while (loading) {
        const status = await get(path)
          .then((r) => r.status)
          .catch(() => 0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    return {
      statuses,
      stop: async () => {
        loading = false;
        await running;
      },
    };
  };
  return {
    base,
    env,
    processes,
    get,
    auth,
    load,
    kill: async () => {
      for (const p of processes) await p.stop('SIGKILL');
    },
  };
}

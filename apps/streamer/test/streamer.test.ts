import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createTestDatabase,
  freePort,
  startProcess,
  testEnv,
  waitFor,
  type RunningProcess,
} from '@cinenest/testkit';

const STREAMER = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let streamer: RunningProcess;
let url: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const port = await freePort();
  // PORT (the API's) is set to another port: the streamer must listen on STREAMER_PORT.
  const apiPort = await freePort();
  url = `http://127.0.0.1:${port}`;
  streamer = startProcess(
    STREAMER,
    testEnv(database.url, { STREAMER_PORT: String(port), PORT: String(apiPort) }),
  );
  await waitFor(async () => {
    if (streamer.child.exitCode !== null) throw new Error('exited early');
    return (await fetch(`${url}/health/live`)).ok;
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n${streamer.output()}`);
  });
});

afterAll(async () => {
  await streamer.stop('SIGKILL');
  await database.drop();
});

describe('the streamer process', () => {
  it('listens on STREAMER_PORT and answers /health/live with 200', async () => {
    const res = await fetch(`${url}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers an unknown path with a JSON 404', async () => {
    const res = await fetch(`${url}/nowhere`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('exits 0 within 10 s of SIGTERM', async () => {
    streamer.child.kill('SIGTERM');
    expect(await streamer.exitWithin(10_000)).toBe(0);
  }, 15_000);
});

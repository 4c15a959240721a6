#!/usr/bin/env node
// `npm start`: runs the built api, worker and streamer together against the Postgres and Redis
// that DATABASE_URL and REDIS_URL name (run `npm run build` and `npm run db:migrate` first).
import { startProcesses } from './lib/processes.mjs';

const missing = ['DATABASE_URL', 'REDIS_URL'].filter((name) => !process.env[name]);
if (missing.length) {
  console.error(`npm start needs ${missing.join(' and ')} (or use \`npm run demo\`, which starts its own).`);
  process.exit(78);
}
let code = 0;
const running = startProcesses(process.env, async (name, exitCode) => {
  console.error(`${name} exited (code ${exitCode}); stopping the others.`);
  code = exitCode || 1;
  await running.stopAll();
  process.exit(code);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await running.stopAll();
    process.exit(0);
  });
}

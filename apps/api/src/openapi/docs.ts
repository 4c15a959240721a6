import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import type { RegisteredRoute } from '../http/routes.js';
import { OPENAPI_PATH, openApiDocument } from './document.js';
import { pageCsp } from '../http/page-csp.js';

/** Where Swagger UI is served. */
export const DOCS_PATH = '/api/docs';

/** Swagger UI's own files, served as they ship (no source maps, none of its sample pages). */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);
const assetsDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * Swagger UI is a script bundle from this origin that styles its elements inline and draws some of its
 * icons from data: URLs; it fetches the document and, with "Try it out", calls the API, both from this
 * origin. Its page has no inline script (the start-up script is a file below). No
 * upgrade-insecure-requests: on a plain-HTTP LAN server it would turn every asset URL into https.
 */
const docsCsp = pageCsp;

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Cinenest API</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/init.js"></script>
</body>
</html>
`;

/** Sends the access cookie with "Try it out" (same origin); a Bearer token can be set with Authorize. */
const INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  withCredentials: true,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

/**
 * GET /api/v1/openapi.json (public: the API's shape is no secret) and Swagger UI at /api/docs. The
 * document is built from the route table once, on first request. Mount with `app.use(...)` before
 * the API's router.
 */
export function apiDocs(routes: RegisteredRoute[], limit: RequestHandler): Router {
  let document: string | undefined;
  const router = express.Router();
  router.get(OPENAPI_PATH, limit, (_req, res) => {
    document ??= JSON.stringify(openApiDocument(routes));
    res.type('json').set('Cache-Control', 'no-cache').send(document);
  });
  router.get(DOCS_PATH, docsCsp, (_req, res) => {
    res.type('html').set('Cache-Control', 'no-cache').send(PAGE);
  });
  router.get(`${DOCS_PATH}/init.js`, docsCsp, (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'no-cache').send(INIT);
  });
  router.get(`${DOCS_PATH}/:file`, docsCsp, (req, res, next) => {
    const file = req.params.file;
    if (!ASSETS.has(file)) return next();
    res.sendFile(file, { root: assetsDir, maxAge: '1d' });
  });
  return router;
}

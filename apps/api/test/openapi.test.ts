import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorHandler } from '@cinenest/http';
import { createLogger } from '@cinenest/logger';
import { Validator } from '@seriousme/openapi-schema-validator';
import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { mountRoutes, responseMismatches, route, type RegisteredRoute } from '../src/http/routes.js';
import { openApiPath } from '../src/openapi/document.js';
import { startTestApp, type TestApp } from './support.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
}
interface Operation {
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

let t: TestApp;
let doc: Document;
beforeAll(async () => {
  t = await startTestApp();
  doc = (await t.http().get('/api/v1/openapi.json')).body as Document;
});
afterAll(async () => t.close());

const label = (r: RegisteredRoute) => `${r.method.toUpperCase()} ${r.path}`;
const keysOf = (schema: z.ZodType | undefined) =>
  schema && 'shape' in schema ? Object.keys((schema as z.ZodObject).shape).sort() : [];

describe('GET /api/v1/openapi.json', () => {
  it('is public JSON: a valid OpenAPI 3.1 document', async () => {
    const res = await t.http().get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual(expect.objectContaining({ title: 'Cinenest API', version: expect.any(String) }));
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect({ valid: result.valid, errors: result.errors }).toEqual({ valid: true, errors: undefined });
    expect(validator.version).toBe('3.1');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearerAuth', 'cookieAuth']);
    expect(doc.components.schemas.Error).toBeDefined();
  });

  it('documents every route in the table: method, summary, tags, security, params, query, body, answers', () => {
    expect(t.routes.length).toBeGreaterThanOrEqual(30);
    for (const r of t.routes) {
      const op = doc.paths[openApiPath(r.path)]?.[r.method];
      expect({ route: label(r), documented: op !== undefined }).toEqual({
        route: label(r),
        documented: true,
      });
      if (!op) continue;
      expect(op.summary).toBe(r.summary);
      expect(op.tags?.length).toBe(1);
      expect({ route: label(r), security: op.security }).toEqual({
        route: label(r),
        security: r.access === 'public' ? [] : [{ bearerAuth: [] }, { cookieAuth: [] }],
      });

      const params = (op.parameters ?? []).filter((p) => p.in === 'path');
      const query = (op.parameters ?? []).filter((p) => p.in === 'query');
      expect({ route: label(r), path: params.map((p) => p.name).sort() }).toEqual({
        route: label(r),
        path: keysOf(r.params),
      });
      for (const p of params) expect(p.required).toBe(true);
      // Every :param of the path is declared, and named as in the OpenAPI path.
      const placeholders = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]).sort();
      expect(placeholders).toEqual(keysOf(r.params));
      expect({ route: label(r), query: query.map((p) => p.name).sort() }).toEqual({
        route: label(r),
        query: keysOf(r.query),
      });
      expect({
        route: label(r),
        body: op.requestBody?.content['application/json']?.schema !== undefined,
      }).toEqual({ route: label(r), body: r.body !== undefined });

      const statuses = Object.keys(op.responses).map(Number);
      expect(statuses).toContain(r.status);
      if (r.status === 204) expect(op.responses['204']!.content).toBeUndefined();
      else expect(op.responses[String(r.status)]!.content?.['application/json']?.schema).toBeDefined();
      for (const status of r.errors) {
        expect(statuses).toContain(status);
        expect(op.responses[String(status)]!.content?.['application/json']?.schema).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
      if (r.access !== 'public') expect(r.errors).toContain(401);
      if (r.access === 'admin') expect(r.errors).toContain(403);
      if (r.body || r.query || r.params) expect(r.errors).toContain(400);
    }
  });

  it('every documented operation is a route of the table (or the document itself)', () => {
    const table = new Set(t.routes.map((r) => `${r.method} ${openApiPath(r.path)}`));
    for (const [path, item] of Object.entries(doc.paths))
      for (const method of Object.keys(item))
        if (path !== '/api/v1/openapi.json') expect(table.has(`${method} ${path}`)).toBe(true);
  });

  it('every route but those answering 204 has a response schema', () => {
    for (const r of t.routes)
      expect({ route: label(r), schema: r.status === 204 || r.response !== undefined }).toEqual({
        route: label(r),
        schema: true,
      });
  });
});

describe('Swagger UI at /api/docs', () => {
  it('serves the page with a CSP of its own, and its assets load', async () => {
    const page = await t.http().get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(page.text).not.toMatch(/<script>/);

    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    const styles = [...page.text.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['/api/docs/swagger-ui-bundle.js', '/api/docs/init.js']);
    for (const src of scripts) {
      const res = await t.http().get(src);
      expect({ src, status: res.status }).toEqual({ src, status: 200 });
      expect(res.headers['content-type']).toMatch(/javascript/);
    }
    const bundle = await t.http().get('/api/docs/swagger-ui-bundle.js');
    expect(bundle.text.length).toBeGreaterThan(100_000);
    const init = await t.http().get('/api/docs/init.js');
    expect(init.text).toContain('"/api/v1/openapi.json"');
    expect(styles).toEqual(['/api/docs/swagger-ui.css']);
    const css = await t.http().get(styles[0]!);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('serves none of the package’s other files, and leaves the API’s own CSP alone', async () => {
    for (const file of ['index.html', 'swagger-initializer.js', 'package.json', '..%2Fpackage.json'])
      expect((await t.http().get(`/api/docs/${file}`)).status).toBe(404);
    const api = await t.http().get('/health/live');
    expect(String(api.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    expect(String(api.headers['content-security-policy'])).not.toContain("style-src 'self' 'unsafe-inline'");
  });
});

describe('response validation in tests', () => {
  const guards = {
    authenticate: (): RequestHandler => (_req, _res, next) => next(),
    requireRole: (): RequestHandler => (_req, _res, next) => next(),
    generalLimit: ((_req, _res, next) => next()) as RequestHandler,
  };
  const specs = [
    route({
      method: 'get',
      path: '/right',
      access: 'public',
      summary: 'As documented',
      response: z.strictObject({ n: z.number() }),
      handler: () => ({ n: 1 }),
    }),
    route({
      method: 'get',
      path: '/wrong',
      access: 'public',
      summary: 'Not as documented',
      response: z.strictObject({ n: z.number() }),
      handler: () => ({ n: 'one', extra: true }),
    }),
    route({
      method: 'get',
      path: '/undocumented',
      access: 'public',
      summary: 'An answer with no schema',
      handler: () => ({ n: 1 }),
    }),
    route({
      method: 'get',
      path: '/silent',
      access: 'public',
      summary: 'Documents a body, answers none',
      response: z.strictObject({ n: z.number() }),
      handler: () => undefined,
    }),
    route({
      method: 'get',
      path: '/teapot',
      access: 'public',
      summary: 'An error status it does not document',
      response: z.strictObject({ n: z.number() }),
      handler: () => {
        throw new (class extends Error {
          status = 418;
        })();
      },
    }),
  ];
  function appWith(validateResponses: boolean) {
    const app = express();
    app.use(mountRoutes(specs, guards, { validateResponses }).router);
    app.use(errorHandler(createLogger({ service: 'test', silent: true }), true));
    return app;
  }

  it('answers 500 response_schema_mismatch, naming the zod issues, for any body not as documented', async () => {
    const app = appWith(true);
    const before = responseMismatches.length;
    expect((await request(app).get('/right')).body).toEqual({ n: 1 });
    const wrong = await request(app).get('/wrong');
    expect(wrong.status).toBe(500);
    expect(wrong.body.error.code).toBe('response_schema_mismatch');
    expect(wrong.body.error.message).toContain('GET /wrong answered 200');
    expect(wrong.body.error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ['n'], code: 'invalid_type' }),
        expect.objectContaining({ code: 'unrecognized_keys', keys: ['extra'] }),
      ]),
    );
    for (const path of ['/undocumented', '/silent']) {
      const res = await request(app).get(path);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 500,
        code: 'response_schema_mismatch',
      });
    }
    const teapot = await request(app).get('/teapot');
    expect(teapot.status).toBe(500);
    expect(teapot.body.error.message).toContain('status 418 with a body is not documented');
    expect(responseMismatches.length - before).toBe(4);
    responseMismatches.splice(before);
  });

  it('checks nothing when off (production)', async () => {
    const app = appWith(false);
    expect((await request(app).get('/wrong')).body).toEqual({ n: 'one', extra: true });
    expect((await request(app).get('/silent')).status).toBe(204);
  });

  it('is on in this suite: the API under test checks its answers', async () => {
    const admin = await t.signedIn('ADMIN');
    for (const path of ['/api/v1/auth/me', '/api/v1/users', '/api/v1/admin/audit', '/api/v1/status'])
      expect((await t.http().get(path).set(admin.auth)).status).toBe(200);
    expect(responseMismatches).toEqual([]);
  });
});

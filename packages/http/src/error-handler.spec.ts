import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@cinenest/logger';
import express, { type Express } from 'express';
import request from 'supertest';
import { errorHandler, notFound } from './error-handler.js';
import { AppError, ConflictError, NotFoundError, TooManyRequestsError, ValidationError } from './errors.js';

class TeapotError extends AppError {
  constructor() {
    super(418, 'teapot', 'I am a teapot');
  }
}

/** A tiny app whose routes throw; the error handler under test answers for them. */
function appWith(exposeStack: boolean): Express {
  const app = express();
  app.use(express.json());
  app.get('/teapot', () => {
    throw new TeapotError();
  });
  app.get('/conflict', async () => {
    // Express 5 forwards a rejected promise to the error handler.
    await Promise.resolve();
    throw new ConflictError('already_exists', 'That exists already');
  });
  app.get('/missing', () => {
    throw new NotFoundError('No such movie');
  });
  app.get('/limited', () => {
    throw new TooManyRequestsError(42);
  });
  app.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  app.get('/string', () => {
    throw 'not even an Error';
  });
  app.post('/validate', () => {
    throw new ValidationError({ email: 'Invalid email', password: 'Too short' });
  });
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  app.use(notFound);
  app.use(errorHandler(createLogger({ service: 'test', silent: true }), exposeStack));
  return app;
}

const production = appWith(false);
const development = appWith(true);

describe('errorHandler', () => {
  it('maps an AppError subclass to its status and {error:{code,message}}', async () => {
    const res = await request(production).get('/teapot');
    expect(res.status).toBe(418);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ error: { code: 'teapot', message: 'I am a teapot' } });
  });

  it('maps errors from async handlers too', async () => {
    const res = await request(production).get('/conflict');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'already_exists', message: 'That exists already' } });
    expect((await request(production).get('/missing')).body).toEqual({
      error: { code: 'not_found', message: 'No such movie' },
    });
  });

  it("sends the error's headers", async () => {
    const res = await request(production).get('/limited');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('42');
    expect(res.body.error.code).toBe('rate_limited');
  });

  it('answers a plain Error with 500 internal_error, no stack and no message leak in production', async () => {
    const res = await request(production).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal_error');
    expect(res.body.error).not.toHaveProperty('stack');
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2/);
  });

  it('adds the stack of a plain Error when exposeStack is true', async () => {
    const res = await request(development).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal_error');
    expect(res.body.error.stack).toEqual(expect.stringContaining('database password is hunter2'));
  });

  it('never adds a stack to a domain error, even when exposing stacks', async () => {
    const res = await request(development).get('/teapot');
    expect(res.body.error).not.toHaveProperty('stack');
  });

  it('answers a thrown non-Error with 500 internal_error', async () => {
    const res = await request(development).get('/string');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal_error');
  });

  it('carries the fields of a ValidationError', async () => {
    const res = await request(production).post('/validate').send({});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'validation_failed',
        message: 'The request is invalid',
        fields: { email: 'Invalid email', password: 'Too short' },
      },
    });
  });

  it('answers malformed JSON with 400 malformed_json', async () => {
    const res = await request(production).post('/echo').set('Content-Type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_json');
  });

  it('answers an unknown route with 404 not_found naming it', async () => {
    const res = await request(production).delete('/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'No route for DELETE /nowhere' });
  });
});

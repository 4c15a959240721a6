import { isDbUnavailable } from '@cinenest/db';
import type { Logger } from '@cinenest/logger';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, NotFoundError, ServiceUnavailableError } from './errors.js';
import { redactPath } from './request-context.js';

interface BodyParserError {
  type?: string;
  status?: number;
}

function isRedisUnavailable(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return /Connection is closed|Reached the max retries per request|ECONNREFUSED|Stream isn't writeable/.test(
    message,
  );
}

/** Translates any error into `{"error":{"code","message","fields"?}}` with the right status. */
export function errorHandler(logger: Logger, exposeStack: boolean): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let appError: AppError;
    const parserType = (err as BodyParserError | null)?.type;
    if (err instanceof AppError) appError = err;
    else if (parserType === 'entity.parse.failed')
      appError = new AppError(400, 'malformed_json', 'The body is not valid JSON');
    else if (parserType === 'entity.too.large')
      appError = new AppError(413, 'payload_too_large', 'The body is larger than the server accepts');
    else if (parserType === 'encoding.unsupported' || parserType === 'charset.unsupported')
      appError = new AppError(415, 'unsupported_encoding', 'The body encoding is not supported');
    else if (
      typeof (err as BodyParserError | null)?.status === 'number' &&
      (err as BodyParserError).status! < 500
    )
      appError = new AppError(
        (err as BodyParserError).status!,
        'bad_request',
        'The request could not be read',
      );
    else if (isDbUnavailable(err))
      appError = new ServiceUnavailableError('The database is unavailable, try again shortly');
    else if (isRedisUnavailable(err))
      appError = new ServiceUnavailableError('Redis is unavailable, try again shortly');
    else appError = new AppError(500, 'internal_error', 'Something went wrong on our side');

    if (appError.status >= 500)
      logger.error('request failed', { err, method: req.method, path: redactPath(req.path) });
    if (res.headersSent) return res.end();
    for (const [name, value] of Object.entries(appError.headers ?? {})) res.setHeader(name, value);
    const body: Record<string, unknown> = { code: appError.code, message: appError.message };
    if (appError.fields) body.fields = appError.fields;
    if (exposeStack && appError.status === 500 && err instanceof Error) body.stack = err.stack;
    res.status(appError.status).json({ error: body });
  };
}

export const notFound: RequestHandler = (req) => {
  throw new NotFoundError(`No route for ${req.method} ${req.path}`);
};

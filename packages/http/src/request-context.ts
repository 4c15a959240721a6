import { createHash, randomUUID } from 'node:crypto';
import { logContext, type Logger } from '@cinenest/logger';
import type { RequestHandler } from 'express';

const VALID_ID = /^[\w.:-]{1,128}$/;

/** Stream URLs carry their credential in the path: logs keep only a fingerprint of it. */
export function redactPath(path: string): string {
  return path.replace(/^\/stream\/([^/?]+)/, (_, token: string) => `/stream/<${fingerprint(token)}>`);
}

function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

/**
 * Gives each request an id (the client's X-Request-Id when it is sane), echoes it in the response,
 * binds it to every log line of the request, and writes one access-log line when the response ends.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && VALID_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.locals.requestId = requestId;
    const started = process.hrtime.bigint();
    // The access log is at info: when that level is off, skip building the line at all (winston
    // would still push it through its stream to drop it).
    if (logger.isInfoEnabled())
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logger.info('request', {
          requestId,
          method: req.method,
          path: redactPath(req.originalUrl.split('?')[0] ?? ''),
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          ip: req.ip,
          userId: res.locals.userId,
        });
      });
    logContext.run({ requestId }, next);
  };
}

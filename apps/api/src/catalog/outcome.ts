import { NotFoundError, ServiceUnavailableError } from '@cinenest/http';
import type { Response } from 'express';
import type { JobOutcome } from './wait-for-job.js';

export const RETRY_AFTER_SECONDS = 2;

/** A 404 when TMDB has no such title, a 503 when TMDB cannot be reached: never one for the other. */
export function failUnlessFound(outcome: JobOutcome, what: string): void {
  if (outcome.status === 'not_found') throw new NotFoundError(`TMDB has no ${what}`);
  if (outcome.status === 'unavailable')
    throw new ServiceUnavailableError('TMDB cannot be reached right now; try again shortly', 30);
}

/** Still being fetched: 202 with Retry-After. */
export function accepted(res: Response, what: string): undefined {
  res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.status(202).json({ status: 'pending', message: `${what}: still being fetched; try again shortly` });
  return undefined;
}

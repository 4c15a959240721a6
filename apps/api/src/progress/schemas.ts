import { z } from 'zod';
import { langQuery } from '../catalog/language.js';
import { movieSummary } from '../catalog/schemas.js';
import { pagingQuery } from '../http/paging.js';
import { timestamp } from '../openapi/schemas.js';

/**
 * How far past the duration a position may be and still be taken (as the end): players report the
 * last timestamp of the stream, which can run a little over the duration they were told.
 */
export const POSITION_TOLERANCE_SECONDS = 5;

export const progressBody = z
  .strictObject({
    position: z.number().min(0),
    duration: z.number().positive(),
  })
  .superRefine((b, ctx) => {
    // Only compared when both are valid on their own (zod runs this after a failed bound too).
    if (b.duration > 0 && b.position > b.duration + POSITION_TOLERANCE_SECONDS)
      ctx.addIssue({
        code: 'custom',
        path: ['position'],
        message: `must not exceed duration by more than ${POSITION_TOLERANCE_SECONDS} seconds`,
      });
  })
  // Slightly over the end is the end.
  .transform((b) => ({ ...b, position: Math.min(b.position, b.duration) }));

export const progressListQuery = z.strictObject({ ...pagingQuery, lang: langQuery });

// Answers.

/** The caller's progress in one movie (presentProgress()). */
export const progressResponse = z
  .strictObject({
    tmdbId: z.number().int(),
    /** Seconds. */
    position: z.number(),
    duration: z.number(),
    fraction: z.number(),
    watched: z.boolean(),
    /** When it first reached 90 %; kept through a rewatch. */
    watchedAt: timestamp().nullable(),
    updatedAt: timestamp(),
  })
  .meta({ id: 'Progress' });

export const progressPage = z.strictObject({
  items: z.array(z.strictObject({ movie: movieSummary, progress: progressResponse })),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});

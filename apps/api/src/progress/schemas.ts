import { z } from 'zod';
import { langQuery } from '../catalog/language.js';
import { pagingQuery } from '../http/paging.js';

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

import { z } from 'zod';

const state = z.enum(['up', 'down']);

export const liveResponse = z.strictObject({ status: z.literal('ok') });

export const readyResponse = z.strictObject({
  status: z.literal('ok'),
  checks: z.strictObject({ postgres: z.literal('up'), redis: z.literal('up') }),
});

/** Not ready: the shared error body, and which dependency is down. */
export const notReadyResponse = z.strictObject({
  error: z.strictObject({ code: z.literal('not_ready'), message: z.string() }),
  checks: z.strictObject({ postgres: state, redis: state }),
});

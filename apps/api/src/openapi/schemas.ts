import { z } from 'zod';

/** Every error the API answers: `{"error":{"code","message","fields"?}}` (see @cinenest/http). */
export const errorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.string().meta({ description: 'Machine-readable, e.g. validation_failed, not_found' }),
      message: z.string(),
      fields: z
        .record(z.string(), z.string())
        .optional()
        .meta({ description: 'With validation_failed: what is wrong with each field' }),
    }),
  })
  .meta({ id: 'Error' });

/** A timestamp as JSON carries it (Date#toJSON): ISO 8601 in UTC. */
export const timestamp = () => z.iso.datetime();
/** A calendar day, YYYY-MM-DD. */
export const day = () => z.iso.date();

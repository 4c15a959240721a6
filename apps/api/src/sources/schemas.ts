import { z } from 'zod';
import { timestamp } from '../openapi/schemas.js';

/** A movie's sources, best first: never a hash, magnet or torrent link. */
export const sourcesResponse = z.strictObject({
  items: z.array(
    z.strictObject({
      id: z.number().int(),
      provider: z.string(),
      quality: z.string(),
      codec: z.string(),
      type: z.string().nullable(),
      sizeBytes: z.number().int(),
      /** sizeBytes for people: 1.40 GB, 700 MB. */
      size: z.string(),
      seeds: z.number().int(),
      peers: z.number().int(),
      health: z.enum(['excellent', 'good', 'fair', 'poor', 'dead', 'unknown']),
      score: z.number(),
      statsCheckedAt: timestamp().nullable(),
      statsAgeSeconds: z.number().int().nullable(),
    }),
  ),
  searchedAt: timestamp().nullable(),
  nextSearchAt: timestamp().nullable(),
});

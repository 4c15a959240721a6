import { prepareFailure, storageReport } from '@cinenest/streaming';
import { z } from 'zod';
import { timestamp } from '../openapi/schemas.js';

/** A signed stream URL and the source it plays. */
export const streamResponse = z.strictObject({
  /** GET (with Range) for the bytes; the token in it is the credential. */
  streamUrl: z.string(),
  expiresAt: timestamp(),
  /** DELETE /api/v1/streams/{tokenId} revokes the URL. */
  tokenId: z.uuid(),
  mimeType: z.string(),
  source: z.strictObject({
    id: z.number().int(),
    quality: z.string(),
    codec: z.string(),
    type: z.string().nullable(),
    sizeBytes: z.number().int(),
    size: z.string(),
    score: z.number(),
  }),
  /** Sources given up before this one, best first, and why. */
  fallbacks: z.array(
    z.strictObject({ quality: z.string(), codec: z.string(), size: z.string(), reason: prepareFailure }),
  ),
});

/** The streamer's disk against the budget, as the streamer reports it. */
export const storageResponse = storageReport;

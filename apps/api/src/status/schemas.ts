import { z } from 'zod';
import { timestamp } from '../openapi/schemas.js';

const health = z.enum(['up', 'degraded', 'down']);

const services = z.strictObject({
  postgres: health,
  redis: health,
  tmdb: health,
  yts: health,
  trackers: health,
  vpn: health,
  streamer: health,
  queues: health,
});

/** One service for an administrator: what its state is based on, its uptime and last changes. */
const entry = {
  state: health,
  /** The state comes from no recent check (or none at all): it then says degraded. */
  stale: z.boolean(),
  latencyMs: z.number().nullable(),
  detail: z.string().nullable(),
  checkedAt: z.string().nullable(),
  /** Share of the checks in the window, in %: up counts whole, degraded half. */
  uptime24h: z.number().nullable(),
  uptime7d: z.number().nullable(),
  /** Latest first. */
  history: z.array(
    z.strictObject({
      state: health,
      from: health.nullable(),
      at: timestamp(),
      detail: z.string().nullable(),
    }),
  ),
};
const service = z.strictObject(entry);

const publicStatus = z.strictObject({ status: health, services });

const adminStatus = z.strictObject({
  status: health,
  services,
  detail: z.strictObject({
    postgres: service,
    redis: service,
    tmdb: service,
    yts: z.strictObject({ state: health, mirrors: z.record(z.string(), service) }),
    trackers: service,
    vpn: z.strictObject({
      ...entry,
      vpnState: z.enum(['up', 'down', 'disabled', 'unknown']),
      checkDisabled: z.boolean(),
    }),
    streamer: service,
    queues: service,
  }),
});

/** Everyone gets the states; administrators also get the detail. */
export const statusResponse = z.union([publicStatus, adminStatus]);

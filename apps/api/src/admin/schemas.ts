import { z } from 'zod';
import { AUDIT_TYPES } from '../auth/audit.js';
import { timestamp } from '../openapi/schemas.js';

/** A row of the audit log, as stored. */
export const auditEntry = z
  .strictObject({
    id: z.uuid(),
    type: z.enum(AUDIT_TYPES),
    /** Whom it is about. */
    userId: z.uuid().nullable(),
    /** Who did it, when not the user themself. */
    actorId: z.uuid().nullable(),
    email: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    meta: z.record(z.string(), z.unknown()).nullable(),
    createdAt: timestamp(),
  })
  .meta({ id: 'AuditEntry' });

export const auditPage = z.strictObject({
  items: z.array(auditEntry),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});

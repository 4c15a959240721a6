import type { Db, Prisma } from '@cinenest/db';
import type { Logger } from '@cinenest/logger';
import type { Request } from 'express';

export const AUDIT_TYPES = [
  'auth.setup',
  'auth.login',
  'auth.login_failed',
  'auth.refresh',
  'auth.refresh_reuse',
  'auth.logout',
  'auth.password_changed',
  'auth.session_revoked',
  'device.approved',
  'device.denied',
  'device.signed_in',
  'user.created',
  'user.updated',
  'user.role_changed',
  'user.deleted',
  'rate_limit.hit',
  'stream.revoked',
  'storage.deleted',
  'queues.action',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

export interface AuditEntry {
  type: AuditType;
  userId?: string | null;
  actorId?: string | null;
  email?: string | null;
  meta?: Prisma.InputJsonValue;
}

/** Writes one audit row with the caller's ip and user agent; a failure is logged, never thrown. */
export async function audit(db: Db, logger: Logger, req: Request, entry: AuditEntry): Promise<void> {
  try {
    await db.auditLog.create({
      data: {
        type: entry.type,
        userId: entry.userId ?? null,
        actorId: entry.actorId ?? null,
        email: entry.email ?? null,
        ip: req.ip ?? null,
        userAgent: req.get('user-agent')?.slice(0, 512) ?? null,
        ...(entry.meta === undefined ? {} : { meta: entry.meta }),
      },
    });
  } catch (err) {
    logger.error('audit write failed', { err, type: entry.type });
  }
}

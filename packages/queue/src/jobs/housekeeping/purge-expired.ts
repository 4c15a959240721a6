import { z } from 'zod';
import { defineJob } from '../../define.js';

const DAY = 24 * 3600 * 1000;
/** Health checks are kept this long: the status page's 7-day uptime, and a day to spare. */
export const SERVICE_CHECK_RETENTION_DAYS = 8;

/**
 * Deletes expired or long-revoked sessions, expired device codes, stream URLs a day past their expiry,
 * audit entries past retention and health checks (ServiceCheck) past SERVICE_CHECK_RETENTION_DAYS.
 */
export const purgeExpired = defineJob({
  name: 'housekeeping.purge-expired',
  queue: 'housekeeping',
  schema: z.object({}).strict(),
  every: (config) => config.HOUSEKEEPING_INTERVAL * 1000,
  options: { attempts: 3 },
  handler: async (_payload, { db, config, logger }) => {
    const now = Date.now();
    const sessions = await db.session.deleteMany({
      where: { OR: [{ expiresAt: { lt: new Date(now) } }, { revokedAt: { lt: new Date(now - DAY) } }] },
    });
    const deviceCodes = await db.deviceCode.deleteMany({
      where: { expiresAt: { lt: new Date(now - 3600_000) } },
    });
    const streamTokens = await db.streamToken.deleteMany({
      where: { expiresAt: { lt: new Date(now - DAY) } },
    });
    const audit = await db.auditLog.deleteMany({
      where: { createdAt: { lt: new Date(now - config.AUDIT_RETENTION_DAYS * DAY) } },
    });
    const serviceChecks = await db.serviceCheck.deleteMany({
      where: { checkedAt: { lt: new Date(now - SERVICE_CHECK_RETENTION_DAYS * DAY) } },
    });
    const result = {
      sessions: sessions.count,
      deviceCodes: deviceCodes.count,
      streamTokens: streamTokens.count,
      auditEntries: audit.count,
      serviceChecks: serviceChecks.count,
    };
    logger.info('purged expired records', result);
    return result;
  },
});

import type { Db } from '@cinenest/db';
import type { StreamGrant } from '@cinenest/streaming';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long a check is reused: a revoked URL stops working within this long. */
export const GRANT_CACHE_MS = 5000;
const MAX_CACHED = 10_000;

/**
 * Whether a validly signed stream token still holds: its row exists, is not revoked or expired, its
 * user is active, and it grants what the token says. Players fire many Range requests per minute,
 * so an answer is reused for a few seconds.
 */
export class GrantCheck {
  private readonly cache = new Map<string, { ok: boolean; until: number }>();

  constructor(private readonly db: Db) {}

  async holds(grant: StreamGrant): Promise<boolean> {
    const now = Date.now();
    const cached = this.cache.get(grant.tokenId);
    if (cached && cached.until > now) return cached.ok;
    const ok = await this.lookup(grant);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(grant.tokenId, { ok, until: now + GRANT_CACHE_MS });
    return ok;
  }

  private async lookup(grant: StreamGrant): Promise<boolean> {
    if (!UUID.test(grant.tokenId)) return false;
    const row = await this.db.streamToken.findUnique({
      where: { id: grant.tokenId },
      select: {
        userId: true,
        sourceId: true,
        fileIndex: true,
        expiresAt: true,
        revokedAt: true,
        user: { select: { active: true } },
      },
    });
    return Boolean(
      row &&
      !row.revokedAt &&
      row.expiresAt.getTime() > Date.now() &&
      row.user.active &&
      row.userId === grant.userId &&
      row.sourceId === grant.sourceId &&
      row.fileIndex === grant.fileIndex,
    );
  }
}

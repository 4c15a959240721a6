import type { Db } from '@cinenest/db';

export type Health = 'up' | 'degraded' | 'down';
type CheckState = 'UP' | 'DEGRADED' | 'DOWN';

const HEALTH: Record<CheckState, Health> = { UP: 'up', DEGRADED: 'degraded', DOWN: 'down' };
export const toHealth = (state: string): Health => HEALTH[state as CheckState] ?? 'degraded';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** State changes shown per service. */
export const HISTORY_LENGTH = 5;

/** The latest row of housekeeping.health-check (or swarm.tracker-health) for one service. */
export interface LatestCheck {
  service: string;
  state: Health;
  latencyMs: number | null;
  detail: string | null;
  checkedAt: Date;
}

/** One state change: `from` is null for the oldest check in the 7-day window. */
export interface StateChange {
  state: Health;
  from: Health | null;
  at: string;
  detail: string | null;
}

export interface ServiceHistory {
  /** Share of the checks in the window, in %: UP counts whole, DEGRADED half, DOWN nothing. */
  uptime24h: number | null;
  uptime7d: number | null;
  /** Latest first. */
  history: StateChange[];
}

const iso = (date: Date) => date.toISOString();

/**
 * The uptime over a window: UP checks count whole, DEGRADED ones half (working, but slow or partly),
 * DOWN ones nothing, as a percentage of the checks made, two decimals. Null with no check in the
 * window. Time without any check (no worker running) is not counted either way.
 */
export function uptime(total: number, up: number, degraded: number): number | null {
  if (total === 0) return null;
  return Math.round(((up + degraded / 2) / total) * 10_000) / 100;
}

/** The latest check of each service named, one index lookup each. */
export async function latestChecks(db: Db, services: readonly string[]): Promise<Map<string, LatestCheck>> {
  const rows = await db.$queryRaw<
    Array<{
      service: string;
      state: string;
      latencyMs: number | null;
      detail: string | null;
      checkedAt: Date;
    }>
  >`
    SELECT l.service, l.state::text AS state, l."latencyMs", l.detail, l."checkedAt"
    FROM unnest(${[...services]}::text[]) AS n(service)
    CROSS JOIN LATERAL (
      SELECT c.service, c.state, c."latencyMs", c.detail, c."checkedAt" FROM "ServiceCheck" c
      WHERE c.service = n.service ORDER BY c."checkedAt" DESC LIMIT 1
    ) l`;
  return new Map(rows.map((r) => [r.service, { ...r, state: toHealth(r.state) }]));
}

/** Uptime over 24 hours and 7 days, and the last few state changes, of each service named. */
export async function serviceHistory(
  db: Db,
  services: readonly string[],
  now = Date.now(),
): Promise<Map<string, ServiceHistory>> {
  const names = [...services];
  const day = iso(new Date(now - DAY));
  const week = iso(new Date(now - 7 * DAY));
  const [counts, changes] = await Promise.all([
    db.$queryRaw<
      Array<{
        service: string;
        day: number;
        dayUp: number;
        dayDegraded: number;
        week: number;
        weekUp: number;
        weekDegraded: number;
      }>
    >`
      SELECT service,
        count(*) FILTER (WHERE "checkedAt" >= ${day}::timestamp(3))::int AS day,
        count(*) FILTER (WHERE "checkedAt" >= ${day}::timestamp(3) AND state = 'UP')::int AS "dayUp",
        count(*) FILTER (WHERE "checkedAt" >= ${day}::timestamp(3) AND state = 'DEGRADED')::int AS "dayDegraded",
        count(*)::int AS week,
        count(*) FILTER (WHERE state = 'UP')::int AS "weekUp",
        count(*) FILTER (WHERE state = 'DEGRADED')::int AS "weekDegraded"
      FROM "ServiceCheck"
      WHERE service = ANY(${names}::text[]) AND "checkedAt" >= ${week}::timestamp(3)
      GROUP BY service`,
    db.$queryRaw<
      Array<{
        service: string;
        state: string;
        previous: string | null;
        detail: string | null;
        checkedAt: Date;
      }>
    >`
      SELECT service, state::text AS state, previous::text AS previous, detail, "checkedAt"
      FROM (
        SELECT service, state, previous, detail, "checkedAt",
          row_number() OVER (PARTITION BY service ORDER BY "checkedAt" DESC, id DESC) AS n
        FROM (
          SELECT service, state, detail, "checkedAt", id,
            lag(state) OVER (PARTITION BY service ORDER BY "checkedAt", id) AS previous
          FROM "ServiceCheck"
          WHERE service = ANY(${names}::text[]) AND "checkedAt" >= ${week}::timestamp(3)
        ) checks
        WHERE previous IS DISTINCT FROM state
      ) changes
      WHERE n <= ${HISTORY_LENGTH}
      ORDER BY service, "checkedAt" DESC, n`,
  ]);
  const out = new Map<string, ServiceHistory>(
    names.map((s) => [s, { uptime24h: null, uptime7d: null, history: [] }]),
  );
  for (const c of counts) {
    const entry = out.get(c.service)!;
    entry.uptime24h = uptime(c.day, c.dayUp, c.dayDegraded);
    entry.uptime7d = uptime(c.week, c.weekUp, c.weekDegraded);
  }
  for (const c of changes)
    out.get(c.service)!.history.push({
      state: toHealth(c.state),
      from: c.previous === null ? null : toHealth(c.previous),
      at: iso(c.checkedAt),
      detail: c.detail,
    });
  return out;
}

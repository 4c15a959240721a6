import type { Db } from '@cinenest/db';
import type { Response } from 'express';

/**
 * Postgres's current MVCC snapshot (`pg_current_snapshot()`: the oldest running transaction, the
 * next one, and those in progress), as text. Two equal readings mean no transaction committed or
 * aborted anywhere in the database cluster in between, so every row reads the same at both: what
 * was read after the first reading is still exactly current at the second. That is what lets the
 * API keep sessions and catalog answers in memory without serving them stale: an entry tagged with
 * the reading taken before it was read is reused only while the reading is unchanged. Any write
 * (a worker sync, a revoked session, an admin's edit, from any process) changes it.
 */
export type Snapshot = string;

/**
 * Takes readings for many requests at once. A request must see every write committed before it
 * arrived, so it may only use a reading that started after it did: a request arriving while one
 * reading is under way waits for the next, which starts once that one ends (and at least
 * `spacingMs` after it started) and serves every request that arrived meanwhile. Under load one
 * cheap query thus serves a batch of requests, for at most a reading and `spacingMs` of extra latency.
 */
export class SnapshotClock {
  private running: Promise<Snapshot> | undefined;
  private queued: Promise<Snapshot> | undefined;
  private startedAt = 0;

  constructor(
    private readonly read: () => Promise<Snapshot>,
    private readonly spacingMs = 2,
  ) {}

  /** A reading started after this call. */
  now(): Promise<Snapshot> {
    if (!this.running) return this.start();
    this.queued ??= this.running.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private async startQueued(): Promise<Snapshot> {
    const wait = this.startedAt + this.spacingMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.queued = undefined;
    return this.start();
  }

  private start(): Promise<Snapshot> {
    const reading = this.read();
    this.startedAt = Date.now();
    this.running = reading;
    const done = () => {
      if (this.running === reading) this.running = undefined;
    };
    reading.then(done, done);
    return reading;
  }
}

const clocks = new WeakMap<Db, SnapshotClock>();

/** The one clock of a database client, shared by everything in the process that caches its rows. */
export function snapshotClock(db: Db): SnapshotClock {
  let clock = clocks.get(db);
  if (!clock) {
    clock = new SnapshotClock(async () => {
      const rows = await db.$queryRaw<Array<{ s: string }>>`SELECT pg_current_snapshot()::text AS s`;
      return rows[0]!.s;
    });
    clocks.set(db, clock);
  }
  return clock;
}

/**
 * The reading a request goes by, taken once after it arrived (by the authentication, usually) and
 * reused by its handler: everything the request serves from memory is as of that reading.
 */
export function requestSnapshot(db: Db, res: Response): Promise<Snapshot> {
  const locals = res.locals as { dbSnapshot?: Promise<Snapshot> };
  locals.dbSnapshot ??= snapshotClock(db).now();
  return locals.dbSnapshot;
}

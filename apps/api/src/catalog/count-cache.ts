import type { Snapshot } from './db-snapshot.js';

interface Entry {
  value: Promise<number>;
  until: number;
  snapshot?: Snapshot;
}

/**
 * Totals of browse queries, kept a few seconds per filter: counting every matching row on every page
 * costs more than reading the page itself (which an index serves), and a total a few seconds old is
 * what a paging client expects anyway. A total counted at a database snapshot stays exact, however
 * old, while the snapshot is unchanged (see db-snapshot.ts).
 */
export class CountCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs = 5000) {}

  get(key: string, count: () => Promise<number>): Promise<number> {
    return this.at(key, undefined, count).value;
  }

  /**
   * The total at this snapshot: exact (`until` undefined) when counted at it, otherwise one counted
   * less than ttlMs ago, good until `until`.
   */
  at(
    key: string,
    snapshot: Snapshot | undefined,
    count: () => Promise<number>,
  ): { value: Promise<number>; until?: number } {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && snapshot !== undefined && hit.snapshot === snapshot) return { value: hit.value };
    if (hit && hit.until > now) return { value: hit.value, until: hit.until };
    if (this.entries.size > 1000) this.entries.clear();
    const value = count();
    this.entries.set(key, { value, until: now + this.ttlMs, snapshot });
    // A failed count is not remembered.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return { value };
  }
}

/**
 * Totals of browse queries, kept a few seconds per filter: counting every matching row on every page
 * costs more than reading the page itself (which an index serves), and a total a few seconds old is
 * what a paging client expects anyway.
 */
export class CountCache {
  private readonly entries = new Map<string, { value: Promise<number>; until: number }>();

  constructor(private readonly ttlMs = 5000) {}

  get(key: string, count: () => Promise<number>): Promise<number> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    if (this.entries.size > 1000) this.entries.clear();
    const value = count();
    this.entries.set(key, { value, until: now + this.ttlMs });
    // A failed count is not remembered.
    value.catch(() => this.entries.delete(key));
    return value;
  }
}

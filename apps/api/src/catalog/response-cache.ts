import type { Response } from 'express';
import type { Snapshot } from './db-snapshot.js';

export interface Built {
  body: unknown;
  /** When the answer stops being good even if nothing is written (say a total counted a while ago). */
  until?: number;
  /** False: answer this request with it but keep nothing (say a TMDB part still pending). */
  keep?: boolean;
}

/** An answer serialized once: its UTF-8 JSON, and its ETag once asked for. */
export interface JsonBody {
  bytes: Buffer;
  etag?: { fn: unknown; value: string | undefined };
}

interface Entry {
  snapshot: Snapshot;
  body: JsonBody;
  until: number;
}

/** xmax, then the number of transactions in progress: a later snapshot has a higher xmax or fewer running. */
function order(snapshot: Snapshot): [bigint, number] {
  const [, xmax = '0', xip = ''] = snapshot.split(':');
  return [BigInt(xmax), xip ? xip.split(',').length : 0];
}

function later(a: Snapshot, b: Snapshot): boolean {
  const [ax, an] = order(a);
  const [bx, bn] = order(b);
  return ax > bx || (ax === bx && an < bn);
}

/**
 * Serialized JSON answers of read-only catalog routes, by a key naming everything the answer depends
 * on (the normalized query and language), valid only at the database snapshot they were built at
 * (see db-snapshot.ts): a request is answered from here only when nothing at all was written to the
 * database since the answer was read, so a cached answer is never stale (a movie the worker syncs
 * shows on the next request, as without the cache). Requests that miss together build once. Holds
 * at most `maxBytes` of text, least recently used dropped first; everything goes when a later
 * snapshot is seen.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly building = new Map<string, { snapshot: Snapshot; body: Promise<JsonBody> }>();
  private latest: Snapshot | undefined;
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  /** The answer for the key at this snapshot: from memory, or built (once for concurrent askers). */
  async get(key: string, snapshot: Snapshot, build: () => Promise<Built>): Promise<JsonBody> {
    this.observe(snapshot);
    const hit = this.entries.get(key);
    if (hit && hit.snapshot === snapshot && hit.until > Date.now()) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.body;
    }
    const running = this.building.get(key);
    if (running?.snapshot === snapshot) return running.body;
    const body = build().then((built) => {
      const json: JsonBody = { bytes: Buffer.from(JSON.stringify(built.body)) };
      if (built.keep !== false) this.store(key, { snapshot, body: json, until: built.until ?? Infinity });
      return json;
    });
    this.building.set(key, { snapshot, body });
    const done = () => {
      if (this.building.get(key)?.body === body) this.building.delete(key);
    };
    body.then(done, done);
    return body;
  }

  get size(): number {
    return this.entries.size;
  }

  private observe(snapshot: Snapshot) {
    if (this.latest === snapshot) return;
    if (this.latest === undefined || later(snapshot, this.latest)) {
      this.latest = snapshot;
      this.entries.clear();
      this.bytes = 0;
    }
  }

  private store(key: string, entry: Entry) {
    // Built at a snapshot already superseded: no later request can use it.
    if (entry.snapshot !== this.latest) return;
    const size = (e: Entry) => 2 * key.length + e.body.bytes.length;
    if (size(entry) > this.maxBytes / 4) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= size(old);
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    this.bytes += size(entry);
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= size(e);
    }
  }
}

/**
 * Sends the answer as res.json() would send the value it was serialized from (the same headers, the
 * same ETag and 304), without serializing, encoding or hashing it again.
 */
export function sendJson(res: Response, body: JsonBody): void {
  if (!res.get('Content-Type')) res.set('Content-Type', 'application/json; charset=utf-8');
  const etagFn: unknown = res.app.get('etag fn');
  if (typeof etagFn === 'function') {
    if (body.etag?.fn !== etagFn)
      body.etag = { fn: etagFn, value: (etagFn as (b: Buffer) => string | undefined)(body.bytes) };
    if (body.etag.value) res.set('ETag', body.etag.value);
  }
  res.send(body.bytes);
}

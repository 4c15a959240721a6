// bittorrent-tracker ships no types; the test program reaches this file through ../src (packages/queue/test) and needs them too.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../types/bittorrent-tracker.d.ts" />
import { Client, type ScrapeData } from 'bittorrent-tracker';

/**
 * How many info-hashes one scrape request carries. UDP (BEP 15): an answer is 8 + 12 bytes per hash
 * and must fit one datagram that survives any path, which the BEP puts at about 74 hashes. HTTP: the
 * hashes go in the query string, ~61 characters each, so 200 make a ~12 KB request line, under the
 * 16 KB many servers (Node's among them) accept.
 */
export const MAX_HASHES_PER_SCRAPE = { udp: 74, http: 200 } as const;

export interface SwarmCounts {
  /** Seeders (the tracker's `complete`). */
  seeds: number;
  /** Leechers (the tracker's `incomplete`). */
  peers: number;
}

export interface TrackerOutcome {
  announce: string;
  /** Scrape requests sent. */
  requests: number;
  /** Hashes the tracker gave figures for. */
  answered: number;
  /** Why some or all of its requests brought nothing (timeouts, errors), at most one line per request. */
  errors: string[];
}

export interface ScrapeResult {
  /** Per hex info-hash, the highest seeds and the highest peers any answering tracker gave. */
  counts: Map<string, SwarmCounts>;
  trackers: TrackerOutcome[];
}

const INT32_MAX = 2 ** 31 - 1;

function count(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  return Math.min(INT32_MAX, Math.floor(value));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One scrape request to one tracker for these (distinct, lower-case hex) hashes, given up after
 * timeoutMs. Resolves with what the tracker answered — possibly for only some of the hashes — and
 * never rejects: a tracker that is down is an outcome, not an error.
 */
function scrapeOnce(
  announce: string,
  hashes: readonly string[],
  timeoutMs: number,
): Promise<{ found: Map<string, SwarmCounts>; error?: string }> {
  return new Promise((resolve) => {
    const wanted = new Set(hashes);
    const found = new Map<string, SwarmCounts>();
    let client: Client | undefined;
    let done = false;
    let error: string | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client?.destroy();
      resolve(error && found.size < wanted.size ? { found, error } : { found });
    };
    const timer = setTimeout(() => {
      error ??= `no answer within ${timeoutMs} ms`;
      finish();
    }, timeoutMs);
    const udp = announce.startsWith('udp:');
    try {
      client = Client.scrape(
        // The UDP client puts the hashes into the packet as they are: it needs them as bytes.
        { announce, infoHash: udp ? hashes.map((h) => Buffer.from(h, 'hex')) : [...hashes] },
        (err) => {
          if (err) error ??= err.message;
          // An HTTP tracker's warning comes just before its answer, in the same tick: take that too.
          setImmediate(finish);
        },
      );
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      finish();
      return;
    }
    // Listened to here, not only through the callback: it reports nothing unless every hash was
    // answered, and a tracker may leave some out.
    client.on('scrape', (data: ScrapeData) => {
      const hash = typeof data.infoHash === 'string' ? data.infoHash.toLowerCase() : '';
      const seeds = count(data.complete);
      const peers = count(data.incomplete);
      if (!wanted.has(hash) || seeds === null || peers === null) return;
      found.set(hash, { seeds, peers });
      if (found.size === wanted.size) finish();
    });
    // A second error event with no listener would throw; the callback above has the first.
    client.on('error', () => undefined);
    client.on('warning', () => undefined);
  });
}

/**
 * Scrapes every tracker for every hash, all at once: one request per tracker for the whole set
 * (UDP trackers get one per MAX_HASHES_PER_SCRAPE.udp hashes), each bounded by timeoutMs. A hash is in
 * the result when at least one tracker answered for it, with the highest seeds and the highest peers
 * across those that did.
 */
export async function scrapeTrackers(
  trackers: readonly string[],
  hashes: readonly string[],
  timeoutMs: number,
): Promise<ScrapeResult> {
  const distinct = [...new Set(hashes.map((h) => h.toLowerCase()))];
  const counts = new Map<string, SwarmCounts>();
  const outcomes = await Promise.all(
    [...new Set(trackers)].map(async (announce): Promise<TrackerOutcome> => {
      const size = announce.startsWith('udp:') ? MAX_HASHES_PER_SCRAPE.udp : MAX_HASHES_PER_SCRAPE.http;
      const parts = distinct.length ? chunks(distinct, size) : [];
      const results = await Promise.all(parts.map((part) => scrapeOnce(announce, part, timeoutMs)));
      let answered = 0;
      const errors: string[] = [];
      for (const { found, error } of results) {
        if (error) errors.push(error);
        answered += found.size;
        for (const [hash, c] of found) {
          const best = counts.get(hash);
          counts.set(
            hash,
            best ? { seeds: Math.max(best.seeds, c.seeds), peers: Math.max(best.peers, c.peers) } : c,
          );
        }
      }
      return { announce, requests: parts.length, answered, errors };
    }),
  );
  return { counts, trackers: outcomes };
}

/**
 * The part of bittorrent-tracker@11 the jobs use: its client's one-shot scrape (the package ships no
 * types). Only `Client` is declared here; the testkit declares `Server` in a declaration of its own,
 * and the two merge should one program see both.
 */
declare module 'bittorrent-tracker' {
  import type { EventEmitter } from 'node:events';

  /** One info-hash's figures in a scrape answer. */
  export interface ScrapeData {
    announce: string;
    /** Lower-case hex. */
    infoHash: string;
    /** Seeders. */
    complete: number;
    /** Leechers. */
    incomplete: number;
    downloaded: number;
  }

  export interface ScrapeOptions {
    announce: string;
    /**
     * Hex strings for an HTTP tracker; 20-byte buffers for a UDP one (its client concatenates them
     * as they are into the packet, so hex strings would be sent as text).
     */
    infoHash: string | Uint8Array | Array<string | Uint8Array>;
  }

  export class Client extends EventEmitter {
    /**
     * Scrapes one tracker for one or many info-hashes. The client emits 'scrape' once per hash the
     * tracker answers for; cb runs once: with the results when every hash was answered (one object
     * for a single hash, an object keyed by hex info-hash for several), or with the first error or
     * warning.
     */
    static scrape(
      opts: ScrapeOptions,
      cb: (err: Error | null, results?: ScrapeData | Record<string, ScrapeData>) => void,
    ): Client;
    on(event: 'scrape', listener: (data: ScrapeData) => void): this;
    on(event: 'error' | 'warning', listener: (err: Error) => void): this;
    destroy(cb?: (err: Error | null) => void): void;
    readonly destroyed: boolean;
  }

  export default Client;
}

/** The part of bittorrent-dht@11 the streamer uses to reopen the DHT after the kill switch. */
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';

  export default class DHT extends EventEmitter {
    constructor(opts?: { nodeId?: string | Uint8Array });
    listen(port?: number): void;
    destroy(cb?: () => void): void;
  }
}

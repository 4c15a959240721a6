import type { Logger } from '@cinenest/logger';
import DHT from 'bittorrent-dht';
import type WebTorrent from 'webtorrent';
import type { Discovery, Torrent } from 'webtorrent';

/**
 * The kill switch's hands: with the network paused, no torrent keeps a peer, accepts or dials one,
 * or announces to a tracker, and the DHT is closed; bytes already on disk can still be read.
 * WebTorrent's own pause() only stops new outgoing connections, so the rest is done here.
 */
export class Network {
  paused = false;

  constructor(
    private readonly client: WebTorrent,
    private readonly dhtEnabled: boolean,
    private readonly logger: Logger,
  ) {}

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const torrent of this.client.torrents) quiet(torrent);
    const dht = this.client.dht;
    if (dht) {
      this.client.dht = false;
      dht.destroy();
    }
    this.logger.warn('VPN down: every torrent paused (no peer, tracker or DHT traffic)', {
      torrents: this.client.torrents.length,
    });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.dhtEnabled && !this.client.dht) {
      const dht = new DHT({ nodeId: this.client.nodeId });
      dht.on('error', (err: unknown) => this.logger.warn('DHT error', { err }));
      dht.listen(this.client.dhtPort);
      this.client.dht = dht;
    }
    for (const torrent of this.client.torrents) {
      if (torrent.destroyed) continue;
      torrent.resume();
      if (torrent.discovery === HELD) {
        torrent.discovery = null;
        torrent._startDiscovery();
      }
    }
    this.logger.info('VPN up: torrents resumed', { torrents: this.client.torrents.length });
  }

  /** A torrent added while paused must not reach out either. */
  hold(torrent: Torrent): void {
    if (this.paused) quiet(torrent);
  }
}

/**
 * Stands in for a paused torrent's peer discovery. WebTorrent starts discovery only while a torrent
 * has none (`_startDiscovery` returns early otherwise), including when a torrent added meanwhile
 * becomes ready: with this in place, nothing announces until resume() swaps it for the real one.
 */
const HELD: Discovery = { destroy: (cb) => cb?.() };

function quiet(torrent: Torrent): void {
  if (torrent.destroyed) return;
  torrent.pause();
  for (const id of [...(torrent._peers?.keys() ?? [])]) torrent.removePeer(id);
  if (torrent._noPeersIntervalId) clearInterval(torrent._noPeersIntervalId);
  const discovery = torrent.discovery;
  torrent.discovery = HELD;
  if (discovery !== HELD) discovery?.destroy();
}

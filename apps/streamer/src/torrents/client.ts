import type { Config } from '@cinenest/config';
import type { Logger } from '@cinenest/logger';
import WebTorrent from 'webtorrent';

/**
 * The one WebTorrent client. Nothing that would leave the VPN's tunnel for the local network:
 * no UPnP or NAT-PMP port mapping, no local service discovery; web seeds are off so that the kill
 * switch covers every connection a torrent makes (peers, trackers, DHT).
 */
export function createTorrentClient(config: Config, logger: Logger): WebTorrent {
  const client = new WebTorrent({
    dht: config.TORRENT_DHT,
    lsd: false,
    natUpnp: false,
    natPmp: false,
    webSeeds: false,
    torrentPort: config.TORRENT_PORT,
    // With uTP on, WebTorrent dials every peer over uTP first and falls back to TCP only after several
    // failed tries (TCP-only peers look dead for a while), and it costs more CPU per byte here.
    utp: config.TORRENT_UTP,
  });
  client.on('error', (err: unknown) => logger.error('torrent client error', { err }));
  return client;
}

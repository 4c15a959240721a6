import {
  Counter,
  Gauge,
  type GaugeConfiguration,
  type MetricObjectWithValues,
  type MetricValue,
  type Registry,
} from 'prom-client';
import { within } from './registry.js';

/** A gauge left out of a scrape when its value cannot be read (an unlabelled Gauge would say 0). */
class OptionalGauge extends Gauge {
  constructor(
    configuration: GaugeConfiguration<string>,
    private readonly read: () => Promise<number | undefined>,
  ) {
    super(configuration);
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<string>>> {
    const value = await this.read();
    if (value === undefined) return { ...(await super.get()), values: [] };
    this.set(value);
    return super.get();
  }
}

/** What the streamer's torrent pool knows at once, without I/O. */
export interface StreamerLive {
  activeTorrents: number;
  readers: number;
  downloadBytesPerSecond: number;
  uploadBytesPerSecond: number;
}

/** The storage figures (a database sum and a statfs: cheap, but I/O). */
export interface StreamerDisk {
  usedBytes: number;
  budgetBytes: number;
  freeBytes: number;
}

export interface StreamerSource {
  live(): StreamerLive;
  disk(): Promise<StreamerDisk>;
  vpnUp(): boolean;
}

export interface StreamerMetrics {
  /** Add the length of every chunk written to a stream response (cheap: one addition). */
  bytesServed(bytes: number): void;
}

/**
 * The streamer's gauges, read from the pool at each scrape, and its bytes-served counter. The disk
 * figures are read once per scrape (shared by their gauges, bounded by `timeoutMs`); when they cannot
 * be read in time those gauges are left out of that scrape.
 */
export function registerStreamerMetrics(
  registry: Registry,
  source: StreamerSource,
  options: { timeoutMs?: number; onError?: (err: unknown) => void } = {},
): StreamerMetrics {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name: `cinenest_streamer_${name}`,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('active_torrents', 'Torrents running in the pool', () => source.live().activeTorrents);
  gauge('readers', 'Stream responses reading from the pool now', () => source.live().readers);
  gauge(
    'download_bytes_per_second',
    'Download rate of the torrent client from its peers',
    () => source.live().downloadBytesPerSecond,
  );
  gauge(
    'upload_bytes_per_second',
    'Upload rate of the torrent client to its peers',
    () => source.live().uploadBytesPerSecond,
  );
  gauge('vpn_up', '1 while the VPN check passes (torrent traffic allowed), 0 otherwise', () =>
    source.vpnUp() ? 1 : 0,
  );

  // One read per scrape, shared by the three disk gauges (they are collected together).
  let pending: { at: number; figures: Promise<StreamerDisk> } | undefined;
  const disk = () => {
    if (!pending || Date.now() - pending.at > 1000) {
      const figures = within(options.timeoutMs ?? 2000, source.disk(), 'reading the storage figures');
      figures.catch((err: unknown) => options.onError?.(err));
      pending = { at: Date.now(), figures };
    }
    return pending.figures;
  };
  const diskGauge = (name: string, help: string, read: (d: StreamerDisk) => number) =>
    new OptionalGauge({ name: `cinenest_streamer_${name}`, help, registers: [registry] }, async () => {
      const figures = await disk().catch(() => undefined);
      return figures && read(figures);
    });
  diskGauge('disk_used_bytes', 'Bytes the stored torrents occupy on disk', (d) => d.usedBytes);
  diskGauge('disk_budget_bytes', 'The storage budget (STORAGE_LIMIT) in bytes', (d) => d.budgetBytes);
  diskGauge('disk_free_bytes', 'Free bytes on the disk holding the torrents', (d) => d.freeBytes);

  const served = new Counter({
    name: 'cinenest_streamer_bytes_served_total',
    help: 'Video bytes written to stream responses',
    registers: [registry],
  });
  return { bytesServed: (bytes) => served.inc(bytes) };
}

import { loadConfigOrExit } from '@cinenest/config';
import { createDb } from '@cinenest/db';
import { serveUntilSignal } from '@cinenest/http';
import { createLogger } from '@cinenest/logger';
import { createRedis, VpnGate } from '@cinenest/queue';
import { Cipher, parseKeyring } from '@cinenest/secrets';
import { createStreamerApp } from './app.js';
import { GrantCheck } from './stream/grants.js';
import { createTorrentClient } from './torrents/client.js';
import { TorrentPool } from './torrents/pool.js';

const config = loadConfigOrExit('cinenest-streamer');
const logger = createLogger({
  service: 'streamer',
  level: config.LOG_LEVEL,
  json: config.NODE_ENV === 'production',
});

const db = createDb(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
const redis = createRedis(config.REDIS_URL, 'request');
redis.on('error', (err: Error) => logger.warn('redis connection error', { message: err.message }));
const cipher = new Cipher(parseKeyring(config.SOURCE_ENCRYPTION_KEYS, config.SOURCE_LOOKUP_SECRET));
// The kill switch must act within 5 s of the VPN failing: checks here run at least every 2 s.
const vpn = new VpnGate({
  url: config.VPN_CHECK_URL ?? null,
  disabled: config.DISABLE_VPN_CHECK,
  intervalMs: Math.min(config.VPN_CHECK_INTERVAL * 1000, 2000),
  timeoutMs: 1500,
  redis,
  keyPrefix: `${config.REDIS_PREFIX}:streamer`,
  logger,
});
const client = createTorrentClient(config, logger);
const pool = new TorrentPool({
  client,
  db,
  cipher,
  logger,
  storageDir: config.STORAGE_DIR,
  budget: config.STORAGE_LIMIT,
  minFreeBytes: config.MIN_FREE_DISK,
  maxActive: config.MAX_ACTIVE_TORRENTS,
  idleTimeoutMs: config.TORRENT_IDLE_TIMEOUT * 1000,
  trackers: config.TRACKERS,
  networkOpen: () => vpn.isOpen(),
  dht: config.TORRENT_DHT,
});
vpn.onChange(() => (vpn.isOpen() ? pool.network.resume() : pool.network.pause()));

// Nothing runs yet: rows a previous run left ACTIVE are stopped torrents now (their pieces are kept).
await db.storage.updateMany({ where: { state: 'ACTIVE' }, data: { state: 'STOPPED' } });
await vpn.start();

const every = (ms: number, task: () => Promise<void>, what: string) => {
  const timer = setInterval(
    () => void task().catch((err: unknown) => logger.warn(`${what} failed`, { err })),
    ms,
  );
  timer.unref();
  return timer;
};
const timers = [
  every(5000, () => pool.flush(), 'saving torrent progress'),
  every(
    Math.min(30_000, Math.max(1000, (config.TORRENT_IDLE_TIMEOUT * 1000) / 2)),
    () => pool.stopIdle(),
    'stopping idle torrents',
  ),
];

serveUntilSignal(createStreamerApp(config, logger, { pool, grants: new GrantCheck(db), vpn }), {
  host: config.HOST,
  port: config.STREAMER_PORT,
  drainMs: config.SHUTDOWN_TIMEOUT_MS,
  logger,
  onClose: async () => {
    for (const timer of timers) clearInterval(timer);
    vpn.stop();
    await pool.close();
    await new Promise<void>((resolve) => client.destroy(() => resolve()));
    await Promise.allSettled([redis.quit(), db.$disconnect()]);
  },
});

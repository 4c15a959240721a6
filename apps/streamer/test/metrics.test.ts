import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@cinenest/config';
import { createLogger } from '@cinenest/logger';
import type { VpnGate } from '@cinenest/queue';
import { signStreamToken } from '@cinenest/streaming';
import { testEnv } from '@cinenest/testkit';
import request from 'supertest';
// The built app, as the other streamer suites use the built process (its sources need the streamer's
// own declarations of webtorrent, which the test typecheck does not load).
import { createStreamerApp } from '../dist/app.js';
import type { GrantCheck } from '../dist/stream/grants.js';
import type { Entry, TorrentPool } from '../dist/torrents/pool.js';

/**
 * The streamer's /metrics against a stand-in pool (the real pool and WebTorrent are covered by the
 * end-to-end suites): gauges read from the pool at each scrape, bytes served counted per chunk, and
 * the access rule on the streamer's public port.
 */
const SECRET = 'streamer-secret-for-metrics-test-0123456789';
const TOKEN = 'streamer-metrics-token-0123456789';
const FILE_SIZE = 300_000;

/** A "file" that yields its bytes in 64 KiB chunks, as a torrent file's iterator does. */
const file = {
  name: 'movie.mp4',
  length: FILE_SIZE,
  async *[Symbol.asyncIterator]({ start, end }: { start: number; end: number }) {
    for (let at = start; at <= end; at += 65536) yield Buffer.alloc(Math.min(65536, end - at + 1), 7);
  },
};
const entry = { fileIndex: 0, file } as unknown as Entry;

let vpnOpen = true;
let diskFails = false;
const pool = {
  stats: () => ({ activeTorrents: 1, readers: 0, downloadBytesPerSecond: 4096, uploadBytesPerSecond: 512 }),
  diskStats: async () => {
    if (diskFails) throw new Error('database unavailable');
    return { usedBytes: 123_456, budgetBytes: 10_000_000, freeBytes: 99_000_000 };
  },
  open: async () => entry,
  attach: () => ({ touch: () => undefined, release: () => undefined }),
} as unknown as TorrentPool;
const grants = { holds: async () => true } as unknown as GrantCheck;
const vpn = { isOpen: () => vpnOpen } as unknown as VpnGate;

function streamer(overrides: Record<string, string> = {}) {
  const config = loadConfig(
    testEnv('postgresql://unused@127.0.0.1:9/unused', { STREAMER_SECRET: SECRET, ...overrides }),
  );
  return createStreamerApp(config, createLogger({ service: 'streamer-test', silent: true }), {
    pool,
    grants,
    vpn,
  });
}

describe('GET /metrics (streamer)', () => {
  let app: ReturnType<typeof streamer>;
  beforeAll(() => {
    app = streamer();
  });
  afterAll(() => {
    vpnOpen = true;
    diskFails = false;
  });

  it('reports the pool, the disk against its budget and the VPN', async () => {
    const text = (await request(app).get('/metrics').expect(200)).text;
    expect(text).toMatch(/^cinenest_streamer_active_torrents 1$/m);
    expect(text).toMatch(/^cinenest_streamer_readers 0$/m);
    expect(text).toMatch(/^cinenest_streamer_download_bytes_per_second 4096$/m);
    expect(text).toMatch(/^cinenest_streamer_upload_bytes_per_second 512$/m);
    expect(text).toMatch(/^cinenest_streamer_disk_used_bytes 123456$/m);
    expect(text).toMatch(/^cinenest_streamer_disk_budget_bytes 10000000$/m);
    expect(text).toMatch(/^cinenest_streamer_vpn_up 1$/m);
    vpnOpen = false;
    expect((await request(app).get('/metrics')).text).toMatch(/^cinenest_streamer_vpn_up 0$/m);
  });

  it('counts the bytes served, and labels /stream by its template, never its token', async () => {
    const token = signStreamToken(
      SECRET,
      { tokenId: 'tok-1', userId: 'u-1', sourceId: 5, fileIndex: 0 },
      new Date(Date.now() + 60_000),
    );
    const whole = await request(app).get(`/stream/${token}`).expect(200);
    expect(whole.body.length ?? whole.text.length).toBe(FILE_SIZE);
    await request(app).get(`/stream/${token}`).set('Range', 'bytes=0-999').expect(206);
    const text = (await request(app).get('/metrics').expect(200)).text;
    expect(text).toMatch(new RegExp(`^cinenest_streamer_bytes_served_total ${FILE_SIZE + 1000}$`, 'm'));
    expect(text).toMatch(/route="\/stream\/:token",status="200"\} 1$/m);
    expect(text).toMatch(/route="\/stream\/:token",status="206"\} 1$/m);
    expect(text).not.toContain(token);
  });

  it('leaves the disk gauges out when the figures cannot be read, the rest still served', async () => {
    diskFails = true;
    const text = (await request(streamer()).get('/metrics').expect(200)).text;
    expect(text).toMatch(/^cinenest_streamer_active_torrents 1$/m);
    expect(text).not.toMatch(/^cinenest_streamer_disk_used_bytes /m);
  });

  it('internal by default on the public port: a proxied request is refused', async () => {
    await request(app).get('/metrics').set('X-Forwarded-For', '203.0.113.9').expect(403);
  });

  it('with METRICS_TOKEN: 401 without it, 200 with it', async () => {
    const tokened = streamer({ METRICS_TOKEN: TOKEN });
    await request(tokened).get('/metrics').expect(401);
    await request(tokened).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  });
});

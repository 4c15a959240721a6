import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cipher, parseKeyring } from '@cinenest/secrets';
import { signStreamToken } from '@cinenest/streaming';
import { startTestApp, type TestApp } from './support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

/** Held movies (not stand-in titles: no job ever touches them). */
const NO_SOURCES = 9_100_001;
const ONLY_HEVC = 9_100_002;
const ONE_720P = 9_100_003;

let t: TestApp;
let user: Awaited<ReturnType<TestApp['signedIn']>>;
let admin: Awaited<ReturnType<TestApp['signedIn']>>;
let sourceId: number;

async function heldMovie(tmdbId: number, sources: Array<{ quality: string; codec: string }>) {
  const cipher = new Cipher(parseKeyring(t.config.SOURCE_ENCRYPTION_KEYS, t.config.SOURCE_LOOKUP_SECRET));
  const movie = await t.db.movie.create({
    data: {
      tmdbId,
      title: `Held ${tmdbId}`,
      runtime: 100,
      syncedAt: new Date(),
      sourceSearchedAt: new Date(),
    },
  });
  const ids: number[] = [];
  for (const s of sources) {
    const hash = randomBytes(20).toString('hex');
    const row = await t.db.movieSource.create({
      data: {
        movieId: movie.id,
        provider: 'yts',
        hashLookup: cipher.lookup(hash),
        infoHashEnc: cipher.encrypt(hash),
        magnetEnc: cipher.encrypt(`magnet:?xt=urn:btih:${hash}`),
        quality: s.quality,
        codec: s.codec,
        sizeBytes: BigInt(1.5 * 1024 ** 3),
        seeds: 100,
        peers: 10,
        lastStatsCheck: new Date(),
      },
    });
    ids.push(row.id);
  }
  return ids;
}

beforeAll(async () => {
  // No streamer listens on port 9: every call to it fails to connect.
  t = await startTestApp({ STREAMER_URL: 'http://127.0.0.1:9', STREAMER_SECRET: 's'.repeat(40) });
  user = await t.signedIn();
  admin = await t.signedIn('ADMIN');
  await heldMovie(NO_SOURCES, []);
  await heldMovie(ONLY_HEVC, [{ quality: '1080p', codec: 'x265' }]);
  sourceId = (await heldMovie(ONE_720P, [{ quality: '720p', codec: 'x264' }]))[0]!;
});

afterAll(async () => {
  await t.close();
});

const play = (tmdbId: number, body: object, auth: Record<string, string> = user.auth) =>
  t.http().post(`/api/v1/movies/${tmdbId}/stream`).set(auth).send(body);

describe('POST /api/v1/movies/:tmdbId/stream', () => {
  it('needs a signed-in user', async () => {
    expect((await t.http().post(`/api/v1/movies/${ONE_720P}/stream`).send({})).status).toBe(401);
  });

  it.each([
    [{ quality: '4k' }, 'quality'],
    [{ quality: 1080 }, 'quality'],
    [{ hevc: 'yes' }, 'hevc'],
    [{ quality: 'auto', player: 'vlc' }, 'player'],
  ])('rejects %j naming the field', async (body, field) => {
    const res = await play(ONE_720P, body);
    expect(res.status).toBe(400);
    expect(Object.keys((res.body as Body).error.fields)).toContain(field);
  });

  it('rejects a bad movie id naming it', async () => {
    const res = await t.http().post('/api/v1/movies/abc/stream').set(user.auth).send({});
    expect(res.status).toBe(400);
    expect((res.body as Body).error.fields).toHaveProperty('tmdbId');
  });

  it('says why nothing can play: no source, only HEVC, not in that quality', async () => {
    const none = await play(NO_SOURCES, {});
    expect(none.status).toBe(404);
    expect((none.body as Body).error).toMatchObject({ code: 'no_playable_source' });
    expect((none.body as Body).error.message).toMatch(/no source/i);

    const hevc = await play(ONLY_HEVC, {});
    expect(hevc.status).toBe(404);
    expect((hevc.body as Body).error.message).toMatch(/HEVC/);

    const quality = await play(ONE_720P, { quality: '2160p' });
    expect(quality.status).toBe(404);
    expect((quality.body as Body).error.message).toMatch(/available: 720p/);
  });

  it('answers 503 when the streamer is down, never 404', async () => {
    const res = await play(ONE_720P, { quality: '720p' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect((res.body as Body).error.code).toBe('service_unavailable');
  });
});

describe('GET /stream/:token through the API', () => {
  it('answers 503 JSON when the streamer cannot be reached', async () => {
    const token = signStreamToken(
      t.config.STREAMER_SECRET,
      { tokenId: randomUUID(), userId: user.user.id, sourceId, fileIndex: 0 },
      new Date(Date.now() + 60_000),
    );
    const res = await t.http().get(`/stream/${token}`).set('Range', 'bytes=0-99');
    expect(res.status).toBe(503);
    expect((res.body as Body).error.code).toBe('service_unavailable');
  });

  it('only proxies GET and HEAD', async () => {
    expect((await t.http().post('/stream/anything').send({})).status).toBe(404);
  });
});

describe('DELETE /api/v1/streams/:tokenId', () => {
  const token = (userId: string) =>
    t.db.streamToken.create({
      data: { userId, sourceId, fileIndex: 0, expiresAt: new Date(Date.now() + 3600_000) },
    });

  it('revokes the caller’s own stream URL', async () => {
    const row = await token(user.user.id);
    expect((await t.http().delete(`/api/v1/streams/${row.id}`).set(user.auth)).status).toBe(204);
    expect((await t.db.streamToken.findUnique({ where: { id: row.id } }))?.revokedAt).toBeInstanceOf(Date);
  });

  it('refuses another user’s, but lets an admin revoke it', async () => {
    const row = await token(admin.user.id);
    expect((await t.http().delete(`/api/v1/streams/${row.id}`).set(user.auth)).status).toBe(403);
    const other = await token(user.user.id);
    expect((await t.http().delete(`/api/v1/streams/${other.id}`).set(admin.auth)).status).toBe(204);
  });

  it('404 for an unknown id, 400 naming a malformed one', async () => {
    expect((await t.http().delete(`/api/v1/streams/${randomUUID()}`).set(user.auth)).status).toBe(404);
    const bad = await t.http().delete('/api/v1/streams/not-a-uuid').set(user.auth);
    expect(bad.status).toBe(400);
    expect((bad.body as Body).error.fields).toHaveProperty('tokenId');
  });
});

describe('/api/v1/admin/storage', () => {
  it('is for admins only', async () => {
    expect((await t.http().get('/api/v1/admin/storage')).status).toBe(401);
    expect((await t.http().get('/api/v1/admin/storage').set(user.auth)).status).toBe(403);
    expect((await t.http().delete('/api/v1/admin/storage/1').set(user.auth)).status).toBe(403);
  });

  it('answers 503 while the streamer is down', async () => {
    expect((await t.http().get('/api/v1/admin/storage').set(admin.auth)).status).toBe(503);
    expect((await t.http().delete('/api/v1/admin/storage/1').set(admin.auth)).status).toBe(503);
  });

  it('names a malformed id', async () => {
    const res = await t.http().delete('/api/v1/admin/storage/x').set(admin.auth);
    expect(res.status).toBe(400);
    expect((res.body as Body).error.fields).toHaveProperty('id');
  });
});

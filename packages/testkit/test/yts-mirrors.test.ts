import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  startTmdbStandIn,
  startYtsMirrors,
  ytsMoviesFromTmdb,
  type TmdbStandIn,
  type YtsMirror,
  type YtsMirrors,
} from '../src/index.js';

const opened: Array<{ close(): Promise<void> }> = [];
let y: YtsMirrors;

async function mirrors(options: Parameters<typeof startYtsMirrors>[0] = {}): Promise<YtsMirrors> {
  const started = await startYtsMirrors(options);
  opened.push(started);
  return started;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

async function get(
  on: YtsMirror,
  path: string,
  signal?: AbortSignal,
): Promise<{ status: number; type: string; text: string; body: Body }> {
  const res = await fetch(`${on.url}${path}`, { signal });
  const text = await res.text();
  let body: Body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, body };
}

beforeAll(async () => {
  y = await mirrors();
});
afterAll(async () => {
  await Promise.all(opened.map((o) => o.close()));
});

describe('list_movies.json', () => {
  it('finds a movie by its IMDb id, with YTS’s fields and torrents pointing at the same mirror', async () => {
    const movie = y.catalog.movies().find((m) => m.torrents.length >= 2)!;
    const [m1, m2] = y.mirrors;
    const { status, body } = await get(m1!, `/list_movies.json?query_term=${movie.imdb_code}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      status_message: 'Query was successful',
      data: { movie_count: 1, limit: 20, page_number: 1 },
      '@meta': { api_version: 2 },
    });
    const listed = body.data.movies[0];
    expect(listed).toMatchObject({
      id: movie.id,
      imdb_code: movie.imdb_code,
      title: movie.title,
      title_english: movie.title,
      title_long: `${movie.title} (${movie.year})`,
      slug: movie.slug,
      year: movie.year,
      state: 'ok',
      url: `${m1!.origin}/movies/${movie.slug}`,
    });
    for (const field of ['rating', 'runtime', 'date_uploaded_unix'])
      expect(typeof listed[field]).toBe('number');
    for (const field of ['summary', 'language', 'yt_trailer_code', 'small_cover_image', 'large_cover_image'])
      expect(typeof listed[field]).toBe('string');
    expect(listed.medium_cover_image).toMatch(
      new RegExp(`^${m1!.origin}/assets/images/movies/.+/medium-cover\\.jpg$`),
    );
    expect(listed.genres.length).toBeGreaterThan(0);
    expect(listed.torrents).toHaveLength(movie.torrents.length);
    for (const t of listed.torrents) {
      expect(t.hash).toMatch(/^[0-9A-F]{40}$/);
      expect(t.url).toBe(`${m1!.origin}/torrent/download/${t.hash}`);
      expect(['480p', '720p', '1080p', '1080p.x265', '2160p', '3D']).toContain(t.quality);
      expect(['web', 'bluray']).toContain(t.type);
      expect(['x264', 'x265']).toContain(t.video_codec);
      expect(t.size).toMatch(/^\d+\.\d\d (GB|MB)$/);
      expect(t.size_bytes).toBeGreaterThan(100 * 1024 * 1024);
      expect(t).toMatchObject({
        is_repack: expect.stringMatching(/^[01]$/),
        bit_depth: expect.stringMatching(/^(8|10)$/),
        audio_channels: expect.any(String),
        seeds: expect.any(Number),
        peers: expect.any(Number),
        date_uploaded_unix: expect.any(Number),
      });
    }
    // Another mirror serves the same catalog, with its own URLs.
    const other = await get(m2!, `/list_movies.json?query_term=${movie.imdb_code}`);
    expect(other.body.data.movies[0].torrents.map((t: Body) => t.hash)).toEqual(
      listed.torrents.map((t: Body) => t.hash),
    );
    expect(other.body.data.movies[0].url.startsWith(m2!.origin)).toBe(true);
  });

  it('leaves `movies` out when nothing matched or the page is past the end', async () => {
    const none = await get(y.mirrors[0]!, '/list_movies.json?query_term=tt0000001');
    expect(none.body).toMatchObject({ status: 'ok', data: { movie_count: 0, limit: 20, page_number: 1 } });
    expect(none.body.data).not.toHaveProperty('movies');
    const past = await get(y.mirrors[0]!, '/list_movies.json?limit=50&page=9');
    expect(past.body.data.movie_count).toBe(40);
    expect(past.body.data).not.toHaveProperty('movies');
  });

  it('matches titles loosely, so an IMDb query can bring other movies; pages and limits like YTS', async () => {
    const s = await mirrors({
      movies: [
        { imdbId: 'tt0100001', title: 'The Silent River', year: 1999 },
        { imdbId: 'tt0100002', title: 'River of Stars', year: 2004 },
        { imdbId: 'tt0100003', title: 'Tapes of tt0100001', year: 2011 },
        { imdbId: 'tt0100004', title: 'Mountain', year: 2020 },
      ],
    });
    const m = s.mirrors[0]!;
    const river = await get(m, '/list_movies.json?query_term=RIVER');
    expect(river.body.data.movies.map((x: Body) => x.imdb_code).sort()).toEqual(['tt0100001', 'tt0100002']);
    expect((await get(m, '/list_movies.json?query_term=river%20silent')).body.data.movie_count).toBe(1);
    const byId = await get(m, '/list_movies.json?query_term=tt0100001');
    expect(byId.body.data.movies.map((x: Body) => x.imdb_code).sort()).toEqual(['tt0100001', 'tt0100003']);
    const page = await get(m, '/list_movies.json?limit=3&page=2');
    expect(page.body.data).toMatchObject({ movie_count: 4, limit: 3, page_number: 2 });
    expect(page.body.data.movies).toHaveLength(1);
    // Out of range limits fall back to 20, as YTS does.
    expect((await get(m, '/list_movies.json?limit=500')).body.data.limit).toBe(20);
    expect((await get(m, '/list_movies.json?limit=0')).body.data.limit).toBe(20);
    const sorted = await get(m, '/list_movies.json?sort_by=year&order_by=asc');
    expect(sorted.body.data.movies.map((x: Body) => x.year)).toEqual([1999, 2004, 2011, 2020]);
  });

  it('makes the same catalog from the same seed, a different one from another, some movies torrentless', async () => {
    const twin = await mirrors({ count: 1 });
    const other = await mirrors({ count: 1, seed: 7 });
    const list = async (on: YtsMirrors) =>
      (await get(on.mirrors[0]!, '/list_movies.json?limit=50')).body.data.movies.map((m: Body) => [
        m.imdb_code,
        m.title,
        m.torrents.map((t: Body) => t.hash),
      ]);
    expect(await list(twin)).toEqual(await list(y));
    expect(await list(other)).not.toEqual(await list(y));
    const torrentless = y.catalog.movies().filter((m) => m.torrents.length === 0);
    expect(torrentless.length).toBeGreaterThan(0);
    const { body } = await get(y.mirrors[0]!, `/list_movies.json?query_term=${torrentless[0]!.imdb_code}`);
    expect(body.data.movies[0].torrents).toEqual([]);
  });
});

describe('movie_details.json', () => {
  it('answers by imdb_id and by movie_id, and an empty movie (id 0) for an unknown one', async () => {
    const movie = y.catalog.movies()[3]!;
    const m = y.mirrors[1]!;
    const byImdb = await get(m, `/movie_details.json?imdb_id=${movie.imdb_code}`);
    expect(byImdb.body).toMatchObject({
      status: 'ok',
      data: { movie: { id: movie.id, imdb_code: movie.imdb_code, like_count: expect.any(Number) } },
    });
    const byId = await get(m, `/movie_details.json?movie_id=${movie.id}`);
    expect(byId.body.data.movie).toEqual(byImdb.body.data.movie);
    const unknown = await get(m, '/movie_details.json?imdb_id=tt0000001');
    expect(unknown.body).toMatchObject({ status: 'ok', data: { movie: { id: 0, imdb_code: '' } } });
    const missing = await get(m, '/movie_details.json');
    expect(missing.body.status).toBe('error');
  });
});

describe('torrents', () => {
  it('replaces a movie’s torrents and serves registered .torrent files, 404 otherwise', async () => {
    const s = await mirrors({ count: 2, movieCount: 5, trackers: ['udp://127.0.0.1:6969/announce'] });
    expect(s.trackers).toEqual(['udp://127.0.0.1:6969/announce']);
    const movie = s.catalog.movies()[0]!;
    const hash = 'ab'.repeat(20);
    const set = s.setTorrents(movie.imdb_code, [{ hash, quality: '1080p', seeds: 42 }, { quality: '720p' }]);
    expect(set[0]).toMatchObject({
      hash: hash.toUpperCase(),
      quality: '1080p',
      seeds: 42,
      size: expect.any(String),
    });
    expect(set[1]!.hash).toMatch(/^[0-9A-F]{40}$/);
    const listed = await get(s.mirrors[1]!, `/list_movies.json?query_term=${movie.imdb_code}`);
    expect(listed.body.data.movies[0].torrents.map((t: Body) => [t.hash, t.quality])).toEqual([
      [hash.toUpperCase(), '1080p'],
      [set[1]!.hash, '720p'],
    ]);
    const url = listed.body.data.movies[0].torrents[0].url as string;
    expect((await fetch(url)).status).toBe(404);
    s.setTorrentFile(hash, Buffer.from('d8:announce0:e'));
    const file = await fetch(url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/x-bittorrent');
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('d8:announce0:e');
    s.setTorrents(movie.imdb_code, []);
    expect(
      (await get(s.mirrors[0]!, `/movie_details.json?imdb_id=${movie.imdb_code}`)).body.data.movie.torrents,
    ).toEqual([]);
    expect(() => s.setTorrents('tt0000001', [])).toThrow(RangeError);
  });
});

describe('modes', () => {
  const path = '/list_movies.json?query_term=river';

  it('goes down (connections refused) and comes back on the same port', async () => {
    const s = await mirrors({ count: 2, movieCount: 5 });
    const [a, b] = s.mirrors;
    a!.mode('down');
    await expect(fetch(`${a!.url}${path}`)).rejects.toThrow();
    expect(a!.requests()).toBe(0);
    expect((await get(b!, path)).status).toBe(200);
    a!.mode('ok');
    expect((await get(a!, path)).status).toBe(200);
    expect(a!.currentMode()).toBe('ok');
    expect(a!.requestLog()).toEqual([
      { path: '/api/v2/list_movies.json', query: '?query_term=river', status: 200, at: expect.any(Number) },
    ]);
  });

  it('answers HTML, truncated JSON, 503 and status "error" when told to', async () => {
    const s = await mirrors({ count: 1, movieCount: 5 });
    const m = s.mirrors[0]!;
    m.mode('html');
    const html = await get(m, path);
    expect(html).toMatchObject({ status: 200, body: undefined });
    expect(html.type).toMatch(/^text\/html/);
    expect(html.text).toContain('Just a moment...');
    m.mode('garbage');
    const garbage = await get(m, path);
    expect(garbage).toMatchObject({ status: 200, body: undefined });
    expect(garbage.type).toMatch(/^application\/json/);
    expect(garbage.text.startsWith('{"status":"ok"')).toBe(true);
    m.mode('error');
    expect((await get(m, path)).status).toBe(503);
    m.mode('status-error');
    const said = await get(m, path);
    expect(said).toMatchObject({
      status: 200,
      body: { status: 'error', status_message: expect.any(String) },
    });
    expect(said.body).not.toHaveProperty('data.movies');
    m.mode('ok');
    expect((await get(m, path)).body.status).toBe('ok');
    expect(m.requestLog().map((e) => e.status)).toEqual([200, 200, 503, 200, 200]);
  });

  it('answers late when slow: a short client timeout gives up, a patient one gets the answer', async () => {
    const s = await mirrors({ count: 1, movieCount: 5 });
    const m = s.mirrors[0]!;
    m.mode('slow', { delayMs: 400 });
    await expect(get(m, path, AbortSignal.timeout(50))).rejects.toThrow();
    const late = await get(m, path, AbortSignal.timeout(10_000));
    expect(late.body.status).toBe('ok');
    expect(m.requests()).toBe(2);
  });
});

describe('lining up with the TMDB stand-in', () => {
  let tmdb: TmdbStandIn;
  beforeAll(async () => {
    tmdb = await startTmdbStandIn({ today: '2026-06-15', movies: 60 });
    opened.push(tmdb);
  });

  it('lists released TMDB movies under their IMDb ids, titles and years', async () => {
    const movies = ytsMoviesFromTmdb(tmdb.catalog);
    const released = tmdb.catalog.allMovies().filter((m) => m.releaseDate <= tmdb.catalog.today);
    expect(movies.length).toBeGreaterThan(released.length / 2);
    expect(movies.length).toBeLessThan(released.length);
    expect(ytsMoviesFromTmdb(tmdb.catalog, { share: 1 })).toHaveLength(released.length);
    const s = await mirrors({ count: 1, movies });
    const pick = movies[5]!;
    const record = tmdb.catalog.findByImdb(pick.imdbId).movie!;
    const res = await fetch(`${tmdb.url}/movie/${record.id}`, {
      headers: { authorization: `Bearer ${tmdb.token}` },
    });
    const details = (await res.json()) as { imdb_id: string; title: string; release_date: string };
    expect(details.imdb_id).toBe(pick.imdbId);
    const { body } = await get(s.mirrors[0]!, `/list_movies.json?query_term=${details.imdb_id}`);
    expect(body.data.movies[0]).toMatchObject({
      imdb_code: details.imdb_id,
      title: details.title,
      year: Number(details.release_date.slice(0, 4)),
    });
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@cinenest/logger';
import { startTmdbStandIn, type TmdbStandIn } from '@cinenest/testkit';
import { Redis } from 'ioredis';
import {
  imageUrl,
  TmdbAuthError,
  TmdbClient,
  TmdbNotFoundError,
  TmdbRequestError,
  TmdbUnavailableError,
  type TmdbClientOptions,
  type TmdbResponseEvent,
} from '../src/index.js';

const logger = createLogger({ service: 'test', silent: true });
const prefixes: string[] = [];
const connections: Redis[] = [];
const clients: TmdbClient[] = [];
const standIns: TmdbStandIn[] = [];
let s: TmdbStandIn;

/** A Redis connection of its own, as another process would have. */
function connection(): Redis {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the tests with `npm test`');
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  connections.push(redis);
  return redis;
}

function newPrefix(): string {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  prefixes.push(prefix);
  return prefix;
}

function client(options: Partial<TmdbClientOptions> = {}, on = s): TmdbClient {
  const c = new TmdbClient({
    baseUrl: on.url,
    token: on.token,
    redis: connection(),
    keyPrefix: options.keyPrefix ?? newPrefix(),
    ratePerSecond: 40,
    cacheTtlSeconds: 86_400,
    retryBaseMs: 20,
    logger,
    ...options,
  });
  clients.push(c);
  return c;
}

async function standIn(): Promise<TmdbStandIn> {
  const started = await startTmdbStandIn({ today: '2026-06-15' });
  standIns.push(started);
  return started;
}

/** The stand-in's log entries for requests made while fn ran. */
async function logOf(on: TmdbStandIn, fn: () => Promise<unknown>) {
  const before = on.requests();
  await fn();
  return on.requestLog().slice(before);
}

beforeAll(async () => {
  s = await standIn();
});

afterAll(async () => {
  for (const c of clients) c.close();
  const redis = connections[0] ?? connection();
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  }
  await Promise.all(connections.map((r) => r.quit()));
  await Promise.all(standIns.map((x) => x.close()));
});

describe('details', () => {
  it('reads a movie with its translations, images, external ids and videos', async () => {
    const id = s.catalog.movieIds()[11]!;
    const texts = s.catalog.texts('movie', id)!;
    const movie = await client().movie(id);
    expect(movie).toMatchObject({ id, title: texts.en.title, overview: texts.en.overview });
    const fr = movie.translations.translations.find((t) => t.iso_639_1 === 'fr');
    expect(fr?.data).toMatchObject({
      title: texts.fr.title,
      overview: texts.fr.overview,
      tagline: texts.fr.tagline,
    });
    expect(movie.images.posters.length).toBeGreaterThan(0);
    expect(movie.images.backdrops.length).toBeGreaterThan(0);
    expect(movie.external_ids.imdb_id).toMatch(/^tt\d{7}$/);
    expect(movie.videos.results).toContainEqual(
      expect.objectContaining({ site: 'YouTube', type: 'Trailer' }),
    );
  });

  it('reads a show, its seasons and their episodes', async () => {
    const c = client();
    const id = s.catalog.showIds()[4]!;
    const show = await c.tv(id);
    expect(show.external_ids).toMatchObject({
      imdb_id: expect.stringMatching(/^tt/),
      tvdb_id: expect.any(Number),
    });
    expect(show.translations.translations.length).toBeGreaterThanOrEqual(4);
    const first = show.seasons.find((x) => x.season_number === 1)!;
    const season = await c.season(id, 1);
    expect(season.episodes).toHaveLength(first.episode_count);
  });

  it('answers in the asked language, with that language’s videos and language-less images kept', async () => {
    const c = client();
    const id = s.catalog.movieIds()[12]!;
    const texts = s.catalog.texts('movie', id)!;
    const movie = await c.movie(id, 'fr-FR');
    expect(movie).toMatchObject({
      title: texts.fr.title,
      overview: texts.fr.overview,
      tagline: texts.fr.tagline,
    });
    expect(movie.videos.results.some((v) => v.type === 'Trailer')).toBe(true);
    expect(movie.images.backdrops.some((b) => b.iso_639_1 === null)).toBe(true);
    expect((await c.genres('movie', 'fr')).genres).toContainEqual({ id: 35, name: 'Comédie' });
  });

  it('builds image URLs from the configuration', async () => {
    const config = await client().configuration();
    expect(imageUrl(config, '/abc.jpg', 'w342')).toBe('https://image.tmdb.org/t/p/w342/abc.jpg');
    expect(imageUrl(config, null, 'original')).toBeNull();
  });

  it('serves lists, trending, discover, search, changes and find', async () => {
    const c = client();
    const popular = await c.list('movie', 'popular', 2);
    expect(popular).toMatchObject({ page: 2, total_results: 300 });
    expect(popular.results).toHaveLength(20);
    const trending = await c.list('tv', 'trending');
    expect(trending.results[0]).toHaveProperty('name');
    const log = await logOf(s, () => c.list('movie', 'trending'));
    expect(log.map((e) => e.path)).toEqual(['/trending/movie/week']);
    const drama = await c.discover('movie', {
      with_genres: '18',
      sort_by: 'vote_average.desc',
      'vote_count.gte': 10,
    });
    expect(drama.results.every((m) => m.genre_ids.includes(18) && m.vote_count >= 10)).toBe(true);
    const target = popular.results[0]!;
    const found = await c.search('movie', target.title.toLowerCase());
    expect(found.results.map((m) => m.id)).toContain(target.id);
    const multi = await c.search('multi', target.title);
    expect(multi.results.find((r) => r.id === target.id)?.media_type).toBe('movie');
    const changes = await c.changes('movie', '2026-06-01', '2026-06-05');
    expect(changes.results.length).toBeGreaterThan(0);
    await expect(c.changes('movie', '2026-05-01', '2026-06-05')).rejects.toBeInstanceOf(TmdbRequestError);
    const movie = await c.movie(target.id);
    const byImdb = await c.findByImdb(movie.imdb_id!);
    expect(byImdb.movie_results.map((m) => m.id)).toEqual([target.id]);
  });
});

describe('not found, unavailable, unauthorised', () => {
  it('throws TmdbNotFoundError for a 404, and remembers it', async () => {
    const c = client();
    const log = await logOf(s, async () => {
      await expect(c.movie(999)).rejects.toBeInstanceOf(TmdbNotFoundError);
      await expect(c.movie(999)).rejects.toBeInstanceOf(TmdbNotFoundError);
    });
    expect(log.map((e) => e.status)).toEqual([404]);
    await expect(c.tv(499_999)).rejects.toMatchObject({
      name: 'TmdbNotFoundError',
      httpStatus: 404,
      tmdbCode: 34,
    });
    await expect(c.season(s.catalog.showIds()[0]!, 40)).rejects.toBeInstanceOf(TmdbNotFoundError);
  });

  it('retries 500s and then succeeds, counting every attempt', async () => {
    const f = await standIn();
    const events: TmdbResponseEvent[] = [];
    const c = client({ onResponse: (e) => events.push(e) }, f);
    f.fault('server-error', { count: 3 });
    const log = await logOf(f, () => c.configuration());
    expect(log.map((e) => e.status)).toEqual([500, 502, 503, 200]);
    expect(c.stats()).toMatchObject({
      requests: 4,
      retries: 3,
      byStatus: { '500': 1, '502': 1, '503': 1, '200': 1 },
    });
    expect(events.map((e) => [e.status, e.attempt])).toEqual([
      ['500', 0],
      ['502', 1],
      ['503', 2],
      ['200', 3],
    ]);
  });

  it('retries reset connections and truncated JSON', async () => {
    const f = await standIn();
    const c = client({}, f);
    const [a, b] = f.catalog.movieIds();
    f.fault('reset', { count: 2 });
    expect((await c.movie(a!)).id).toBe(a);
    f.fault('bad-json', { count: 2 });
    expect((await c.movie(b!)).id).toBe(b);
    const { byStatus, requests } = c.stats();
    expect(requests).toBe(6);
    expect(byStatus['invalid-body']).toBe(2);
    expect(byStatus['200']).toBe(2);
    const noAnswer = Object.entries(byStatus).filter(([k]) => !/^\d+$/.test(k) && k !== 'invalid-body');
    expect(noAnswer.reduce((sum, [, n]) => sum + n, 0)).toBe(2);
  });

  it('throws TmdbUnavailableError, never NotFound, when TMDB keeps failing', async () => {
    const f = await standIn();
    const c = client({ maxRetries: 2 }, f);
    f.fault('server-error');
    const id = f.catalog.movieIds()[0]!;
    const error = await c.movie(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TmdbUnavailableError);
    expect(error).not.toBeInstanceOf(TmdbNotFoundError);
    expect(error).toMatchObject({ attempts: 3 });
    expect(f.requests()).toBe(3);
    f.fault('none');
    // Errors are never cached: the next call reaches TMDB and succeeds.
    expect((await c.movie(id)).id).toBe(id);
  });

  it('gives up on timeouts with TmdbUnavailableError', async () => {
    const f = await standIn();
    const c = client({ maxRetries: 1, timeoutMs: 150 }, f);
    f.fault('slow', { delayMs: 1000 });
    await expect(c.configuration()).rejects.toBeInstanceOf(TmdbUnavailableError);
    expect(f.requests()).toBe(2);
    f.fault('none');
  });

  it('throws TmdbAuthError for a bad token, without retrying', async () => {
    const f = await standIn();
    const c = client({ token: 'not-the-token' }, f);
    const error = await c.configuration().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TmdbAuthError);
    expect(error).toBeInstanceOf(TmdbUnavailableError);
    expect(error).toMatchObject({ httpStatus: 401, tmdbCode: 7 });
    expect(f.requests()).toBe(1);
  });

  it('completes every call through a storm of 429s, waiting Retry-After each time', async () => {
    const f = await standIn();
    // 0.5 per attempt: ten retries make a failure a 1-in-2048 event per call; faults are seeded, so runs repeat.
    const c = client({ maxRetries: 10 }, f);
    f.fault('rate-limit', { probability: 0.5, retryAfter: 1 });
    const ids = f.catalog.movieIds().slice(0, 20);
    const movies = await Promise.all(ids.map((id) => c.movie(id)));
    expect(movies.map((m) => m.id)).toEqual(ids);
    const log = f.requestLog();
    expect(log.filter((e) => e.status === 429).length).toBeGreaterThan(0);
    expect(log.filter((e) => e.status === 200)).toHaveLength(20);
    expect(c.stats().byStatus['429']).toBe(log.filter((e) => e.status === 429).length);
    for (const id of ids) {
      const attempts = log.filter((e) => e.path === `/movie/${id}`);
      for (let i = 1; i < attempts.length; i++) {
        if (attempts[i - 1]!.status === 429)
          expect(attempts[i]!.at - attempts[i - 1]!.at).toBeGreaterThanOrEqual(950);
      }
    }
  }, 60_000);
});

describe('cache', () => {
  it('answers the same call twice with one request, even from two processes', async () => {
    const keyPrefix = newPrefix();
    const one = client({ keyPrefix });
    const two = client({ keyPrefix });
    const id = s.catalog.movieIds()[20]!;
    const log = await logOf(s, async () => {
      const a = await one.movie(id);
      const b = await one.movie(id);
      const c = await two.movie(id);
      expect(b).toEqual(a);
      expect(c).toEqual(a);
    });
    expect(log).toHaveLength(1);
    expect(one.stats()).toMatchObject({ requests: 1, cacheHits: 1 });
    expect(two.stats()).toMatchObject({ requests: 0, cacheHits: 1 });
    const redis = connection();
    expect(await redis.keys(`${keyPrefix}:tmdb:cache:*`)).toHaveLength(1);
    // The one request took one point of the shared budget (cache hits take none).
    await one.movie(s.catalog.movieIds()[22]!);
    expect(Number(await redis.get(`${keyPrefix}:tmdb:rate`))).toBeGreaterThanOrEqual(1);
  });

  it('keys the cache by parameters, skips it for changes, and refreshes on demand', async () => {
    const c = client();
    const id = s.catalog.movieIds()[21]!;
    const log = await logOf(s, async () => {
      await c.movie(id);
      await c.movie(id, 'de-DE');
      await c.movie(id, undefined, { fresh: true });
      await c.movie(id);
      await c.changes('movie', '2026-06-01', '2026-06-02');
      await c.changes('movie', '2026-06-01', '2026-06-02');
    });
    expect(log.map((e) => e.path)).toEqual([
      `/movie/${id}`,
      `/movie/${id}`,
      `/movie/${id}`,
      '/movie/changes',
      '/movie/changes',
    ]);
  });
});

describe('shared rate limit', () => {
  it('admits at most ratePerSecond requests per second across two processes', async () => {
    const f = await standIn();
    const keyPrefix = newPrefix();
    const one = client({ keyPrefix, ratePerSecond: 10 }, f);
    const two = client({ keyPrefix, ratePerSecond: 10 }, f);
    const ids = f.catalog.movieIds().slice(0, 30);
    await Promise.all(ids.map((id, i) => (i % 2 ? one : two).movie(id)));
    const times = f
      .requestLog()
      .map((e) => e.at)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(30);
    // Admission happens in 1 s windows: no 900 ms span may hold more than one window's 10 requests
    // (100 ms of slack for the trip from the limiter to the stand-in), and 30 need three windows.
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 900).length));
    expect(busiest).toBeLessThanOrEqual(10);
    expect(times[29]! - times[0]!).toBeGreaterThanOrEqual(1800);
  }, 20_000);
});

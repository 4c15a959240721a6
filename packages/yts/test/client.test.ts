import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@cinenest/logger';
import { startYtsMirrors, type YtsMirrors, type YtsMirrorsOptions } from '@cinenest/testkit';
import { Redis } from 'ioredis';
import {
  normaliseHash,
  YtsClient,
  YtsUnavailableError,
  type YtsClientOptions,
  type YtsResponseEvent,
} from '../src/index.js';

const logger = createLogger({ service: 'test', silent: true });
const prefixes: string[] = [];
const connections: Redis[] = [];
const clients: YtsClient[] = [];
const opened: YtsMirrors[] = [];
let y: YtsMirrors;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

async function mirrors(options: YtsMirrorsOptions = {}): Promise<YtsMirrors> {
  const started = await startYtsMirrors({ movieCount: 12, ...options });
  opened.push(started);
  return started;
}

/** A client (as one worker process would hold it) and the attempts it reports. */
function client(on: YtsMirrors, options: Partial<YtsClientOptions> = {}) {
  const events: YtsResponseEvent[] = [];
  const c = new YtsClient({
    mirrors: on.urls,
    redis: connection(),
    keyPrefix: options.keyPrefix ?? newPrefix(),
    ratePerSecond: 50,
    timeoutMs: 2000,
    retryBaseMs: 20,
    logger,
    onResponse: (e) => events.push(e),
    ...options,
  });
  clients.push(c);
  return { c, events };
}

/** Index of the mirror an event went to, and how it ended: [0, 'ECONNREFUSED', false]. */
const route = (on: YtsMirrors, events: YtsResponseEvent[]) =>
  events.map((e) => [on.urls.indexOf(e.mirror), e.outcome, e.probe]);

const withTorrents = (on: YtsMirrors) => on.catalog.movies().find((m) => m.torrents.length > 0)!;

/** Waits until a mirror's open time is over (the circuit is due for its probe). */
async function untilHalfOpen(c: YtsClient, index: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await c.mirrorStates())[index]!.circuit === 'half-open') return;
    await sleep(25);
  }
  throw new Error(`mirror ${index} never became half-open`);
}

beforeAll(async () => {
  y = await mirrors({ movieCount: 40 });
});

afterAll(async () => {
  for (const c of clients) c.close();
  const redis = connections[0] ?? connection();
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  }
  await Promise.all(connections.map((r) => r.quit()));
  await Promise.all(opened.map((o) => o.close()));
});

describe('answers', () => {
  it('finds a movie by IMDb id with its torrents, hashes as YTS sends them', async () => {
    const { c } = client(y);
    const expected = y.catalog.movies().find((m) => m.torrents.length >= 2)!;
    const movies = await c.moviesByImdb(expected.imdb_code);
    expect(movies).toHaveLength(1);
    const [movie] = movies;
    expect(movie).toMatchObject({
      id: expected.id,
      imdb_code: expected.imdb_code,
      title: expected.title,
      year: expected.year,
      runtime: expected.runtime,
    });
    expect(movie!.torrents.map((t) => t.hash)).toEqual(expected.torrents.map((t) => t.hash));
    for (const t of movie!.torrents) {
      expect(t.hash).toMatch(/^[0-9A-F]{40}$/);
      expect(normaliseHash(t.hash)).toBe(t.hash.toLowerCase());
      expect(t.url).toBe(`${y.mirrors[0]!.origin}/torrent/download/${t.hash}`);
      expect(t).toMatchObject({
        quality: expect.any(String),
        size: expect.any(String),
        size_bytes: expect.any(Number),
      });
    }
  });

  it('answers an empty array when YTS has no such movie, and [] torrents when it lists none', async () => {
    const { c, events } = client(y);
    await expect(c.moviesByImdb('tt0000001')).resolves.toEqual([]);
    expect(events).toEqual([expect.objectContaining({ mirror: y.urls[0], outcome: '200', ok: true })]);
    const bare = y.catalog.movies().find((m) => m.torrents.length === 0)!;
    const [movie] = await c.moviesByImdb(bare.imdb_code);
    expect(movie).toMatchObject({ imdb_code: bare.imdb_code, torrents: [] });
    await expect(c.moviesByImdb('Inception')).rejects.toBeInstanceOf(RangeError);
  });

  it('keeps only exact imdb_code matches when YTS matches a title loosely', async () => {
    const s = await mirrors({
      count: 1,
      movies: [
        { imdbId: 'tt0100001', title: 'The Silent River', year: 1999 },
        { imdbId: 'tt0100002', title: 'Tapes of tt0100001', year: 2004 },
        { imdbId: 'tt0100003', title: 'Notes on tt0100009', year: 2011 },
      ],
    });
    const { c } = client(s);
    expect((await c.moviesByImdb('tt0100001')).map((m) => m.imdb_code)).toEqual(['tt0100001']);
    expect(await c.moviesByImdb('TT0100009')).toEqual([]);
    // The mirror did answer both queries with loose matches: the client filtered them out.
    const raw = await fetch(`${s.urls[0]}/list_movies.json?query_term=tt0100009`);
    expect(((await raw.json()) as { data: { movie_count: number } }).data.movie_count).toBe(1);
    expect(s.mirrors[0]!.requestLog().map((e) => e.query)).toEqual([
      '?query_term=tt0100001&limit=50',
      '?query_term=tt0100009&limit=50',
      '?query_term=tt0100009',
    ]);
  });

  it('reads movie details by IMDb id or YTS id, null when YTS has no such movie', async () => {
    const { c } = client(y);
    const expected = withTorrents(y);
    const byImdb = await c.movieDetails(expected.imdb_code);
    expect(byImdb).toMatchObject({
      id: expected.id,
      imdb_code: expected.imdb_code,
      like_count: expect.any(Number),
    });
    expect(byImdb!.torrents).toHaveLength(expected.torrents.length);
    expect(await c.movieDetails(expected.id)).toEqual(byImdb);
    await expect(c.movieDetails('tt0000001')).resolves.toBeNull();
    await expect(c.movieDetails(999_999)).resolves.toBeNull();
    await expect(c.movieDetails(0)).rejects.toBeInstanceOf(RangeError);
  });

  it('asks once for the same movie requested twice at the same time', async () => {
    const s = await mirrors({ count: 1 });
    const { c } = client(s);
    const imdb = withTorrents(s).imdb_code;
    const [a, b] = await Promise.all([c.moviesByImdb(imdb), c.moviesByImdb(imdb)]);
    expect(b).toEqual(a);
    expect(s.mirrors[0]!.requests()).toBe(1);
  });

  it('normalises info-hashes to lower-case hex', () => {
    expect(normaliseHash(' ABCDEF0123456789ABCDEF0123456789ABCDEF01 ')).toBe(
      'abcdef0123456789abcdef0123456789abcdef01',
    );
    // The base32 form of the same 20 bytes.
    expect(normaliseHash('VPG66AJDIVTYTK6N54ASGRLHRGV433YB')).toBe(
      'abcdef0123456789abcdef0123456789abcdef01',
    );
    expect(() => normaliseHash('abc')).toThrow(RangeError);
    expect(() => normaliseHash('g'.repeat(40))).toThrow(RangeError);
  });
});

describe('failover', () => {
  it('goes to the next mirror, in order, when the first is down', async () => {
    const s = await mirrors();
    const { c, events } = client(s);
    s.mirrors[0]!.mode('down');
    const imdb = withTorrents(s).imdb_code;
    const [movie] = await c.moviesByImdb(imdb);
    expect(movie!.imdb_code).toBe(imdb);
    expect(route(s, events)).toEqual([
      [0, 'ECONNREFUSED', false],
      [1, '200', false],
    ]);
    expect(events.map((e) => e.attempt)).toEqual([0, 1]);
    expect(s.mirrors.map((m) => m.requests())).toEqual([0, 1, 0]);
    expect(s.mirrors[1]!.requestLog()[0]).toMatchObject({ path: '/api/v2/list_movies.json', status: 200 });
    // The torrents point at the mirror that answered.
    expect(movie!.torrents[0]!.url.startsWith(s.mirrors[1]!.origin)).toBe(true);
    expect(c.stats()).toMatchObject({ requests: 2, failovers: 1, byOutcome: { ECONNREFUSED: 1, '200': 1 } });
  });

  it.each([
    ['down', 'ECONNREFUSED', undefined],
    ['html', 'invalid-body', 200],
    ['garbage', 'invalid-body', 200],
    ['error', '503', 503],
    ['status-error', 'status-error', 200],
    ['slow', 'ETIMEDOUT', 0],
  ] as const)('fails over when the first mirror is %s', async (mode, outcome, status) => {
    const s = await mirrors();
    const { c, events } = client(s, { timeoutMs: 300 });
    s.mirrors[0]!.mode(mode, { delayMs: 3000 });
    const imdb = withTorrents(s).imdb_code;
    expect((await c.moviesByImdb(imdb)).map((m) => m.imdb_code)).toEqual([imdb]);
    expect(route(s, events)).toEqual([
      [0, outcome, false],
      [1, '200', false],
    ]);
    expect(s.mirrors[0]!.requestLog().map((e) => e.status)).toEqual(status === undefined ? [] : [status]);
    expect(s.mirrors[2]!.requests()).toBe(0);
  });

  it('wraps around: started at mirror 2 (1 open), 2 and 3 failing, it probes 1 once its open time is over', async () => {
    const s = await mirrors();
    const [m1, m2, m3] = s.mirrors;
    // openMs shorter than the timeout: mirror 1 is still open when the call starts at 2, and due for
    // its probe by the time mirror 2 has timed out and mirror 3 refused.
    const { c, events } = client(s, {
      timeoutMs: 1000,
      rounds: 1,
      breaker: { failureThreshold: 1, openMs: 600 },
    });
    const imdb = withTorrents(s).imdb_code;
    m1!.mode('error');
    await c.moviesByImdb(imdb);
    expect(route(s, events.splice(0))).toEqual([
      [0, '503', false],
      [1, '200', false],
    ]);
    m1!.mode('ok');
    m2!.mode('slow', { delayMs: 5000 });
    m3!.mode('down');
    expect((await c.moviesByImdb(imdb)).map((m) => m.imdb_code)).toEqual([imdb]);
    expect(route(s, events)).toEqual([
      [1, 'ETIMEDOUT', false],
      [2, 'ECONNREFUSED', false],
      [0, '200', true],
    ]);
    expect((await c.mirrorStates()).map((m) => m.circuit)).toEqual(['closed', 'open', 'open']);
    expect(m1!.requestLog().map((e) => e.status)).toEqual([503, 200]);
  });

  it('walks the ring again after a backoff, within a bounded number of rounds', async () => {
    const s = await mirrors({ count: 2 });
    const { c, events } = client(s, { rounds: 3 });
    s.mirrors[0]!.mode('error');
    s.mirrors[1]!.mode('html');
    await expect(c.moviesByImdb(withTorrents(s).imdb_code)).rejects.toBeInstanceOf(YtsUnavailableError);
    // Each mirror once per round, in order; the third failure in a row (the default threshold) opens both.
    expect(route(s, events).map(([i, outcome]) => [i, outcome])).toEqual([
      [0, '503'],
      [1, 'invalid-body'],
      [0, '503'],
      [1, 'invalid-body'],
      [0, '503'],
      [1, 'invalid-body'],
    ]);
    expect(events.map((e) => e.attempt)).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await c.mirrorStates()).map((m) => m.circuit)).toEqual(['open', 'open']);
  });
});

describe('circuit breakers', () => {
  it('open after failureThreshold consecutive failures: the mirror is no longer asked', async () => {
    const s = await mirrors();
    const { c, events } = client(s, { breaker: { failureThreshold: 3, openMs: 60_000 } });
    const [m1, m2] = s.mirrors;
    const imdb = withTorrents(s).imdb_code;
    m1!.mode('error');
    // A success in between starts the count again: failures must be consecutive.
    await c.moviesByImdb(imdb);
    await c.moviesByImdb(imdb);
    m1!.mode('ok');
    await c.moviesByImdb(imdb);
    expect((await c.mirrorStates())[0]).toMatchObject({ circuit: 'closed', failures: 0 });
    m1!.mode('error');
    for (let i = 0; i < 3; i++) await c.moviesByImdb(imdb);
    expect(m1!.requests()).toBe(6);
    expect((await c.mirrorStates())[0]).toMatchObject({ circuit: 'open', failures: 3, lastFailure: '503' });
    expect((await c.mirrorStates())[0]!.retryInMs).toBeGreaterThan(0);
    events.splice(0);
    for (let i = 0; i < 3; i++) await c.moviesByImdb(imdb);
    expect(m1!.requests()).toBe(6);
    expect(route(s, events)).toEqual([
      [1, '200', false],
      [1, '200', false],
      [1, '200', false],
    ]);
    expect(m2!.requests()).toBe(8);
  });

  it('after openMs one probe decides: a failure reopens the circuit, a success closes it', async () => {
    const s = await mirrors();
    const { c, events } = client(s, { breaker: { failureThreshold: 1, openMs: 300 } });
    const m1 = s.mirrors[0]!;
    const imdb = withTorrents(s).imdb_code;
    m1.mode('error');
    await c.moviesByImdb(imdb);
    await c.moviesByImdb(imdb);
    expect(m1.requests()).toBe(1);

    await untilHalfOpen(c, 0);
    events.splice(0);
    await c.moviesByImdb(imdb);
    expect(route(s, events)).toEqual([
      [0, '503', true],
      [1, '200', false],
    ]);
    expect((await c.mirrorStates())[0]!.circuit).toBe('open');
    await c.moviesByImdb(imdb);
    expect(m1.requests()).toBe(2);

    m1.mode('ok');
    await untilHalfOpen(c, 0);
    events.splice(0);
    await c.moviesByImdb(imdb);
    await c.moviesByImdb(imdb);
    expect(route(s, events)).toEqual([
      [0, '200', true],
      [0, '200', false],
    ]);
    expect((await c.mirrorStates())[0]).toMatchObject({ circuit: 'closed', failures: 0 });
    expect(c.stats().probes).toBe(2);
  });

  it('are shared by every process using the same key prefix', async () => {
    const s = await mirrors();
    const keyPrefix = newPrefix();
    const one = client(s, { keyPrefix, breaker: { failureThreshold: 2 } });
    const two = client(s, { keyPrefix, breaker: { failureThreshold: 2 } });
    const [m1, m2] = s.mirrors;
    const imdb = withTorrents(s).imdb_code;
    m1!.mode('error');
    await one.c.moviesByImdb(imdb);
    await one.c.moviesByImdb(imdb);
    expect(m1!.requests()).toBe(2);
    await two.c.moviesByImdb(imdb);
    expect(m1!.requests()).toBe(2);
    expect(route(s, two.events)).toEqual([[1, '200', false]]);
    expect((await two.c.mirrorStates()).map((m) => m.circuit)).toEqual(['open', 'closed', 'closed']);
    expect(m2!.requests()).toBe(3);
  });
});

describe('outages', () => {
  it('throws YtsUnavailableError, never an empty result, when every mirror fails', async () => {
    const s = await mirrors();
    const { c } = client(s, { rounds: 2 });
    s.mirrors[0]!.mode('down');
    s.mirrors[1]!.mode('error');
    s.mirrors[2]!.mode('garbage');
    const error = await c.moviesByImdb(withTorrents(s).imdb_code).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YtsUnavailableError);
    const outcomes = ['ECONNREFUSED', '503', 'invalid-body'];
    expect(error).toMatchObject({
      reason: 'all-failed',
      path: '/list_movies.json',
      attempts: [...outcomes, ...outcomes].map((outcome, i) => ({ mirror: s.urls[i % 3], outcome })),
    });
    // Two failures each, below the default threshold of three: nothing is open, no wait is suggested.
    expect((error as YtsUnavailableError).retryAfterMs).toBeUndefined();
    await expect(c.movieDetails(withTorrents(s).id)).rejects.toBeInstanceOf(YtsUnavailableError);
    expect(c.stats().unavailable).toBe(2);
  });

  it('fails at once, asking nobody, while every circuit is open, and says when to try again', async () => {
    const s = await mirrors();
    const { c } = client(s, { rounds: 1, breaker: { failureThreshold: 1, openMs: 60_000 } });
    for (const m of s.mirrors) m.mode('error');
    const first = (await c
      .moviesByImdb(withTorrents(s).imdb_code)
      .catch((e: unknown) => e)) as YtsUnavailableError;
    expect(first).toMatchObject({ name: 'YtsUnavailableError', reason: 'all-failed' });
    expect(first.attempts).toHaveLength(3);
    expect(first.retryAfterMs).toBeGreaterThan(0);
    for (const m of s.mirrors) m.mode('ok');
    const second = (await c
      .moviesByImdb(withTorrents(s).imdb_code)
      .catch((e: unknown) => e)) as YtsUnavailableError;
    expect(second).toMatchObject({ name: 'YtsUnavailableError', reason: 'all-open', attempts: [] });
    expect(second.retryAfterMs).toBeGreaterThan(0);
    expect(second.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(s.mirrors.map((m) => m.requests())).toEqual([1, 1, 1]);
  });
});

describe('shared rate limit', () => {
  it('admits ratePerSecond attempts per second across processes, failovers included', async () => {
    const s = await mirrors({ count: 2 });
    const keyPrefix = newPrefix();
    const one = client(s, { keyPrefix, ratePerSecond: 4 });
    const two = client(s, { keyPrefix, ratePerSecond: 4 });
    s.mirrors[0]!.mode('down');
    const ids = s.catalog
      .movies()
      .slice(0, 8)
      .map((m) => m.imdb_code);
    const started = Date.now();
    await Promise.all(ids.map((id, i) => (i % 2 ? one : two).c.moviesByImdb(id)));
    // 8 calls of 2 attempts each (mirror 1 refuses, mirror 2 answers) are 16 points: four 1 s windows
    // at 4 a second, so the last answer comes 3 s or more after the first window opened. Two separate
    // budgets, or failovers that took no point, would need only two windows.
    const arrivals = s.mirrors[1]!.requestLog().map((e) => e.at);
    expect(arrivals).toHaveLength(8);
    expect(Math.max(...arrivals) - started).toBeGreaterThanOrEqual(2500);
    expect(one.events.length + two.events.length).toBe(16);
    const redis = connection();
    expect(await redis.exists(`${keyPrefix}:yts:rate`)).toBe(1);
  }, 20_000);
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fold, startTmdbStandIn, type TmdbStandIn } from '../src/index.js';

let s: TmdbStandIn;
const opened: TmdbStandIn[] = [];

async function standIn(options: Parameters<typeof startTmdbStandIn>[0] = {}): Promise<TmdbStandIn> {
  const started = await startTmdbStandIn({ today: '2026-06-15', ...options });
  opened.push(started);
  return started;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

async function get(
  path: string,
  token: string | null = s.token,
  on = s,
): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${on.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  let body: Body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text: the bad-json fault
  }
  return { status: res.status, body };
}

beforeAll(async () => {
  s = await standIn();
});
afterAll(async () => {
  await Promise.all(opened.map((o) => o.close()));
});

describe('shapes', () => {
  it('serves /configuration with the image base and sizes', async () => {
    const { status, body } = await get('/configuration');
    expect(status).toBe(200);
    expect(body.images.secure_base_url).toBe('https://image.tmdb.org/t/p/');
    for (const sizes of ['poster_sizes', 'backdrop_sizes', 'logo_sizes', 'still_sizes', 'profile_sizes']) {
      expect(body.images[sizes]).toContain('original');
    }
  });

  it('lists genres with TMDB ids, translated', async () => {
    const en = await get('/genre/movie/list');
    const fr = await get('/genre/movie/list?language=fr-FR');
    const tv = await get('/genre/tv/list?language=fr');
    expect(en.body.genres).toContainEqual({ id: 878, name: 'Science Fiction' });
    expect(en.body.genres).toHaveLength(19);
    expect(fr.body.genres).toContainEqual({ id: 35, name: 'Comédie' });
    expect(tv.body.genres).toContainEqual({ id: 10765, name: 'Science-Fiction & Fantastique' });
  });

  it('answers movie details with the appended blocks', async () => {
    const id = s.catalog.movieIds()[7]!;
    const { status, body } = await get(
      `/movie/${id}?append_to_response=translations,images,external_ids,videos`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id,
      status: expect.any(String),
      title: expect.any(String),
      overview: expect.any(String),
    });
    expect(body.imdb_id).toMatch(/^tt\d{7}$/);
    expect(body.release_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(body.poster_path).toMatch(/^\/[A-Za-z0-9]{27}\.jpg$/);
    expect(body.runtime).toBeGreaterThan(0);
    expect(body.genres.length).toBeGreaterThan(0);
    expect(body.translations.translations.map((t: Body) => `${t.iso_639_1}-${t.iso_3166_1}`)).toEqual(
      expect.arrayContaining(['en-US', 'fr-FR', 'de-DE', 'es-ES']),
    );
    const fr = body.translations.translations.find((t: Body) => t.iso_639_1 === 'fr');
    expect(fr.data).toEqual(
      expect.objectContaining({
        title: expect.any(String),
        overview: expect.any(String),
        tagline: expect.any(String),
      }),
    );
    expect(Object.keys(body.images).sort()).toEqual(['backdrops', 'logos', 'posters']);
    expect(body.images.posters[0]).toMatchObject({
      file_path: expect.any(String),
      vote_average: expect.any(Number),
    });
    expect(body.external_ids.imdb_id).toBe(body.imdb_id);
    expect(body.videos.results).toContainEqual(expect.objectContaining({ site: 'YouTube', type: 'Trailer' }));
  });

  it('answers in the asked language at the top level', async () => {
    const id = s.catalog.movieIds()[3]!;
    const texts = s.catalog.texts('movie', id)!;
    const en = await get(`/movie/${id}`);
    const frFR = await get(`/movie/${id}?language=fr-FR`);
    const fr = await get(`/movie/${id}?language=fr`);
    expect(en.body.title).toBe(texts.en.title);
    expect(frFR.body).toMatchObject({
      title: texts.fr.title,
      overview: texts.fr.overview,
      tagline: texts.fr.tagline,
    });
    expect(fr.body.title).toBe(texts.fr.title);
    expect(texts.fr.overview).not.toBe(texts.en.overview);
  });

  it('keeps movie and show ids apart and makes the same catalog from the same seed', async () => {
    const movieIds = new Set(s.catalog.movieIds());
    expect(s.catalog.showIds().some((id) => movieIds.has(id))).toBe(false);
    const twin = await standIn();
    const id = s.catalog.movieIds()[42]!;
    expect((await get(`/movie/${id}`, twin.token, twin)).body).toEqual((await get(`/movie/${id}`)).body);
    const other = await standIn({ seed: 2 });
    const titles = (c: TmdbStandIn) =>
      c.catalog
        .movieIds()
        .slice(0, 10)
        .map((m) => c.catalog.texts('movie', m)!.en.title);
    expect(titles(other)).not.toEqual(titles(s));
  });

  it('gives titles with accents', () => {
    const titles = s.catalog.movieIds().map((id) => s.catalog.texts('movie', id)!.en.title);
    expect(titles.some((t) => /[éñüøöçáí]/i.test(t))).toBe(true);
  });

  it('answers shows, seasons and their episodes', async () => {
    const id = s.catalog.showIds()[5]!;
    const { body } = await get(`/tv/${id}?append_to_response=external_ids,translations`);
    expect(body).toMatchObject({
      id,
      name: expect.any(String),
      original_name: expect.any(String),
      in_production: expect.any(Boolean),
    });
    expect(body.number_of_seasons).toBeGreaterThanOrEqual(1);
    expect(body.number_of_seasons).toBeLessThanOrEqual(6);
    expect(body.external_ids).toMatchObject({
      imdb_id: expect.stringMatching(/^tt\d{7}$/),
      tvdb_id: expect.any(Number),
    });
    expect(body).toHaveProperty('next_episode_to_air');
    const season = body.seasons.find((x: Body) => x.season_number === 1);
    const { body: s1 } = await get(`/tv/${id}/season/1`);
    expect(s1.episodes).toHaveLength(season.episode_count);
    expect(s1.episodes.length).toBeGreaterThanOrEqual(6);
    expect(s1.episodes.length).toBeLessThanOrEqual(12);
    expect(s1.episodes[0]).toMatchObject({
      episode_number: 1,
      season_number: 1,
      air_date: expect.any(String),
    });
    expect((await get(`/tv/${id}/season/9`)).status).toBe(404);
  });

  it('gives airing shows a next episode in the future, and ended ones none', async () => {
    const shows = await Promise.all(s.catalog.showIds().map(async (id) => (await get(`/tv/${id}`)).body));
    const next = shows.filter((x) => x.next_episode_to_air).map((x) => x.next_episode_to_air.air_date);
    expect(next.length).toBeGreaterThan(0);
    expect(next.every((date) => date > '2026-06-15')).toBe(true);
    const ended = shows.filter((x) => !x.in_production);
    expect(ended.length).toBeGreaterThan(0);
    expect(ended.every((x) => x.next_episode_to_air === null && x.last_air_date <= '2026-06-15')).toBe(true);
  });
});

describe('lists and paging', () => {
  it('pages by 20 with totals, and refuses pages outside 1..500', async () => {
    const p1 = await get('/movie/popular');
    const p2 = await get('/movie/popular?page=2');
    expect(p1.body).toMatchObject({ page: 1, total_results: 300, total_pages: 15 });
    expect(p1.body.results).toHaveLength(20);
    expect(p2.body.page).toBe(2);
    const ids = [...p1.body.results, ...p2.body.results].map((r: Body) => r.id);
    expect(new Set(ids).size).toBe(40);
    const pops = p1.body.results.map((r: Body) => r.popularity);
    expect(pops).toEqual([...pops].sort((a, b) => b - a));
    for (const page of ['0', '501', 'x']) {
      const bad = await get(`/movie/popular?page=${page}`);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ success: false, status_code: 22 });
    }
  });

  it('serves every list and trending', async () => {
    for (const path of [
      '/movie/top_rated',
      '/movie/now_playing',
      '/movie/upcoming',
      '/tv/popular',
      '/tv/top_rated',
      '/tv/on_the_air',
      '/tv/airing_today',
      '/trending/movie/week',
      '/trending/tv/week',
    ]) {
      const { status, body } = await get(path);
      expect([path, status]).toEqual([path, 200]);
      expect(body).toMatchObject({ page: 1, results: expect.any(Array), total_pages: expect.any(Number) });
    }
    const all = await get('/trending/all/week');
    expect(new Set(all.body.results.map((r: Body) => r.media_type))).toEqual(new Set(['movie', 'tv']));
    const upcoming = await get('/movie/upcoming');
    expect(upcoming.body.results.every((r: Body) => r.release_date > '2026-06-15')).toBe(true);
  });

  it('discovers by genre, year and votes, sorted as asked', async () => {
    const { body } = await get('/discover/movie?with_genres=18&sort_by=vote_average.desc&vote_count.gte=10');
    expect(body.total_results).toBeGreaterThan(0);
    for (const r of body.results) {
      expect(r.genre_ids).toContain(18);
      expect(r.vote_count).toBeGreaterThanOrEqual(10);
    }
    const votes = body.results.map((r: Body) => r.vote_average);
    expect(votes).toEqual([...votes].sort((a, b) => b - a));
    const year = body.results[0].release_date.slice(0, 4);
    const byYear = await get(
      `/discover/movie?primary_release_year=${year}&sort_by=primary_release_date.desc`,
    );
    expect(byYear.body.results.every((r: Body) => r.release_date.startsWith(year))).toBe(true);
    const tv = await get('/discover/tv?sort_by=popularity.desc&with_genres=18|35');
    expect(tv.body.results.every((r: Body) => r.genre_ids.includes(18) || r.genre_ids.includes(35))).toBe(
      true,
    );
  });

  it('serves 50,000 movies, quickly started, paged up to 500', async () => {
    const started = Date.now();
    const big = await standIn({ movies: 50_000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await get('/movie/50999', big.token, big)).status).toBe(200);
    const page500 = await get('/movie/popular?page=500', big.token, big);
    expect(page500.body).toMatchObject({ page: 500, total_results: 50_000, total_pages: 2500 });
    expect((await get('/movie/popular?page=501', big.token, big)).status).toBe(400);
  });
});

describe('search and find', () => {
  it('matches titles without regard to case or accents, and multi adds media_type', async () => {
    const accented = s.catalog
      .movieIds()
      .map((id) => ({ id, title: s.catalog.texts('movie', id)!.en.title }))
      .find((m) => fold(m.title) !== m.title.toLowerCase())!;
    const query = fold(accented.title).toUpperCase();
    const { body } = await get(`/search/movie?query=${encodeURIComponent(query)}`);
    expect(body.results.map((r: Body) => r.id)).toContain(accented.id);
    const multi = await get(`/search/multi?query=${encodeURIComponent(accented.title)}`);
    expect(multi.body.results.find((r: Body) => r.id === accented.id).media_type).toBe('movie');
    const none = await get('/search/movie?query=zzzzqqq');
    expect(none.body).toMatchObject({ results: [], total_results: 0 });
  });

  it('finds movies and shows by IMDb id', async () => {
    const movie = (await get(`/movie/${s.catalog.movieIds()[9]}`)).body;
    const show = (await get(`/tv/${s.catalog.showIds()[2]}?append_to_response=external_ids`)).body;
    const m = await get(`/find/${movie.imdb_id}?external_source=imdb_id`);
    expect(m.body.movie_results.map((r: Body) => r.id)).toEqual([movie.id]);
    expect(m.body.tv_results).toEqual([]);
    const t = await get(`/find/${show.external_ids.imdb_id}?external_source=imdb_id`);
    expect(t.body.tv_results.map((r: Body) => r.id)).toEqual([show.id]);
    const nothing = await get('/find/tt0000001?external_source=imdb_id');
    expect(nothing.body).toMatchObject({ movie_results: [], tv_results: [] });
  });
});

describe('auth and errors', () => {
  it('answers 401 with TMDB’s body without the right Bearer token', async () => {
    for (const token of [null, 'wrong']) {
      const { status, body } = await get('/configuration', token);
      expect(status).toBe(401);
      expect(body).toEqual({
        success: false,
        status_code: 7,
        status_message: 'Invalid API key: You must be granted a valid key.',
      });
    }
  });

  it('answers 404 with status_code 34 for unknown ids and paths', async () => {
    for (const path of ['/movie/999', '/movie/400000', '/tv/499999', '/tv/900000', '/nothing/here']) {
      const { status, body } = await get(path);
      expect([path, status]).toEqual([path, 404]);
      expect(body).toEqual({
        success: false,
        status_code: 34,
        status_message: 'The resource you requested could not be found.',
      });
    }
  });
});

describe('changes feed', () => {
  it('lists the same ids for the same days, plus touched ones', async () => {
    const a = await get('/movie/changes?start_date=2026-06-01&end_date=2026-06-14');
    const again = await get('/movie/changes?start_date=2026-06-01&end_date=2026-06-14');
    expect(a.status).toBe(200);
    expect(a.body.results.length).toBeGreaterThan(0);
    expect(a.body.results[0]).toEqual({ id: expect.any(Number), adult: false });
    expect(again.body).toEqual(a.body);
    const day = await get('/movie/changes?start_date=2026-06-03&end_date=2026-06-03');
    const dayIds = day.body.results.map((r: Body) => r.id);
    expect(a.body.results.map((r: Body) => r.id)).toEqual(expect.arrayContaining(dayIds));
    const outside = s.catalog.movieIds().find((id) => !dayIds.includes(id))!;
    s.touch('movie', outside, '2026-06-03');
    const touched = await get('/movie/changes?start_date=2026-06-03&end_date=2026-06-03');
    expect(touched.body.results.map((r: Body) => r.id)).toContain(outside);
    const tv = await get('/tv/changes?start_date=2026-06-03&end_date=2026-06-04');
    expect(tv.body.results.every((r: Body) => r.id >= s.catalog.firstShowId)).toBe(true);
  });

  it('refuses windows over 14 days and malformed dates', async () => {
    const wide = await get('/movie/changes?start_date=2026-05-01&end_date=2026-06-01');
    expect(wide.status).toBe(422);
    expect(wide.body).toMatchObject({ success: false, status_code: 20 });
    const bad = await get('/movie/changes?start_date=2026-13-01&end_date=2026-06-01');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, status_code: 23 });
  });
});

describe('faults', () => {
  it('fails only the next N requests with count, then recovers', async () => {
    const f = await standIn();
    f.fault('server-error', { count: 3 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get('/configuration', f.token, f)).status);
    expect(statuses).toEqual([500, 502, 503, 200, 200]);
    expect(f.requests()).toBe(5);
    expect(f.requestLog().map((e) => e.status)).toEqual(statuses);
    expect(f.requestLog().every((e) => e.path === '/configuration' && e.at > 0)).toBe(true);
  });

  it('answers 429 with Retry-After and TMDB’s body', async () => {
    const f = await standIn();
    f.fault('rate-limit', { count: 1, retryAfter: 3 });
    const res = await fetch(`${f.url}/configuration`, { headers: { authorization: `Bearer ${f.token}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toMatchObject({ success: false, status_code: 25 });
  });

  it('truncates JSON, resets connections, and answers slowly', async () => {
    const f = await standIn();
    f.fault('bad-json', { count: 1 });
    const bad = await get('/configuration', f.token, f);
    expect(bad.status).toBe(200);
    expect(typeof bad.body).toBe('string');
    expect(() => JSON.parse(bad.body)).toThrow();
    f.fault('reset', { count: 1 });
    await expect(get('/configuration', f.token, f)).rejects.toThrow();
    expect((await get('/configuration', f.token, f)).status).toBe(200);
    f.fault('slow', { count: 1, delayMs: 300 });
    const started = Date.now();
    expect((await get('/configuration', f.token, f)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('limits faults to matching paths, draws probabilities from the seed, and clears with none', async () => {
    const f = await standIn();
    f.fault('server-error', { paths: /^\/movie\// });
    expect((await get('/configuration', f.token, f)).status).toBe(200);
    expect((await get(`/movie/${f.catalog.movieIds()[0]}`, f.token, f)).status).toBeGreaterThanOrEqual(500);
    f.fault('none');
    expect((await get(`/movie/${f.catalog.movieIds()[0]}`, f.token, f)).status).toBe(200);

    const run = async (o: TmdbStandIn) => {
      o.fault('rate-limit', { probability: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 60; i++)
        out.push((await get(`/movie/${o.catalog.movieIds()[i % 10]}`, o.token, o)).status);
      return out;
    };
    const first = await run(await standIn());
    const second = await run(await standIn());
    expect(second).toEqual(first);
    const limited = first.filter((x) => x === 429).length;
    expect(limited).toBeGreaterThan(15);
    expect(limited).toBeLessThan(45);
  });
});

describe('rate limit', () => {
  const configuration = (on: TmdbStandIn) =>
    fetch(`${on.url}/configuration`, { headers: { authorization: `Bearer ${on.token}` } });

  it('answers 429 with Retry-After beyond perSecond + burst within a sliding second, then serves again', async () => {
    const f = await standIn({ rateLimit: { perSecond: 20, burst: 2 } });
    const first = await Promise.all(Array.from({ length: 30 }, () => configuration(f)));
    const statuses = first.map((r) => r.status);
    expect(statuses.filter((x) => x === 200)).toHaveLength(22);
    expect(statuses.filter((x) => x === 429)).toHaveLength(8);
    const refused = first.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ success: false, status_code: 25 });
    expect(f.rateLimited()).toBe(8);
    expect(f.requestLog().filter((e) => e.status === 429)).toHaveLength(8);
    // Refused requests do not count: once the served ones leave the window, there is room again.
    await new Promise((r) => setTimeout(r, 1050));
    expect((await configuration(f)).status).toBe(200);
    expect(f.rateLimited()).toBe(8);
  });

  it('serves a client that keeps to the limit, with a default margin of 5%', async () => {
    const f = await standIn({ rateLimit: { perSecond: 40 } });
    const statuses: number[] = [];
    // Bursts of 8 every 250 ms: at most 32 (4 bursts) within any second.
    for (let round = 0; round < 6; round++) {
      const started = Date.now();
      const batch = await Promise.all(Array.from({ length: 8 }, () => configuration(f)));
      statuses.push(...batch.map((r) => r.status));
      await new Promise((r) => setTimeout(r, Math.max(0, 250 - (Date.now() - started))));
    }
    expect(statuses.every((x) => x === 200)).toBe(true);
    expect(f.rateLimited()).toBe(0);
    const fresh = await standIn({ rateLimit: { perSecond: 40 } });
    const burst = await Promise.all(Array.from({ length: 60 }, () => configuration(fresh)));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(42);
    expect(fresh.rateLimited()).toBe(18);
  });

  it('is off unless asked for', async () => {
    const f = await standIn();
    const many = await Promise.all(Array.from({ length: 100 }, () => configuration(f)));
    expect(many.every((r) => r.status === 200)).toBe(true);
    expect(f.rateLimited()).toBe(0);
  });
});

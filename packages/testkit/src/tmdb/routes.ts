import type { MediaKind, StandInCatalog } from './catalog.js';
import { Lists, MOVIE_LISTS, TV_LISTS } from './lists.js';
import { dayNumber } from './prng.js';
import type { MovieRecord, ShowRecord } from './records.js';
import {
  block,
  genreList,
  language,
  movieDetails,
  movieSummary,
  seasonDetails,
  showDetails,
  showSummary,
  type Appendix,
} from './render.js';
import type { Lang } from './words.js';

/** TMDB v3's paths over the generated catalog. Paths here are relative to the /3 base. */

export interface Reply {
  status: number;
  body: unknown;
}

export interface RouteContext {
  catalog: StandInCatalog;
  lists: Lists;
  query: URLSearchParams;
  params: string[];
}

type Handler = (ctx: RouteContext) => Reply;

export const tmdbError = (status: number, code: number, message: string): Reply => ({
  status,
  body: { success: false, status_code: code, status_message: message },
});

export const NOT_FOUND = tmdbError(404, 34, 'The resource you requested could not be found.');
const INVALID_PAGE = tmdbError(
  400,
  22,
  'Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.',
);
const INVALID_DATE = tmdbError(400, 23, 'Invalid date: Format needs to be YYYY-MM-DD.');
const INVALID_RANGE = tmdbError(422, 20, 'Invalid date range: Should be a range no longer than 14 days.');
const INVALID_PARAMS = tmdbError(422, 5, 'Invalid parameters: Your request parameters are incorrect.');

const ok = (body: unknown): Reply => ({ status: 200, body });

function pageOf(query: URLSearchParams): number | undefined {
  const raw = query.get('page');
  if (raw === null || raw === '') return 1;
  if (!/^\d+$/.test(raw)) return undefined;
  const page = Number(raw);
  return page >= 1 && page <= 500 ? page : undefined;
}

/** `{page, results, total_pages, total_results}`; pages beyond 500 are refused, as TMDB does. */
function paged<T>(
  ctx: RouteContext,
  items: T[],
  render: (item: T) => unknown,
  perPage = 20,
  extra = {},
): Reply {
  const page = pageOf(ctx.query);
  if (page === undefined) return INVALID_PAGE;
  const results = items.slice((page - 1) * perPage, page * perPage).map(render);
  return ok({
    ...extra,
    page,
    results,
    total_pages: Math.max(1, Math.ceil(items.length / perPage)),
    total_results: items.length,
  });
}

const textLang = (ctx: RouteContext): Lang => language(ctx.query.get('language')).text;

function summary(ctx: RouteContext, withMediaType: boolean) {
  const lang = textLang(ctx);
  return (r: MovieRecord | ShowRecord) => {
    const base = r.kind === 'movie' ? movieSummary(ctx.catalog, r, lang) : showSummary(ctx.catalog, r, lang);
    return withMediaType ? { ...base, media_type: r.kind } : base;
  };
}

function appendix(ctx: RouteContext): Appendix {
  const list = (name: string) =>
    ctx.query
      .get(name)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const asked = language(ctx.query.get('language')).asked;
  return {
    blocks: new Set(list('append_to_response') ?? []),
    imageLanguages: list('include_image_language') ?? (asked ? [asked] : undefined),
    videoLanguages: list('include_video_language') ?? (asked ? [asked] : undefined),
  };
}

const idOf = (raw: string): number => Number(/^(\d+)(?:-.*)?$/.exec(raw)?.[1] ?? NaN);

function details(kind: MediaKind): Handler {
  return (ctx) => {
    const lang = textLang(ctx);
    if (kind === 'movie') {
      const r = ctx.catalog.movie(idOf(ctx.params[0]!));
      return r ? ok(movieDetails(ctx.catalog, r, lang, appendix(ctx))) : NOT_FOUND;
    }
    const r = ctx.catalog.show(idOf(ctx.params[0]!));
    return r ? ok(showDetails(ctx.catalog, r, lang, appendix(ctx))) : NOT_FOUND;
  };
}

function subResource(kind: MediaKind): Handler {
  return (ctx) => {
    const id = idOf(ctx.params[0]!);
    const r = kind === 'movie' ? ctx.catalog.movie(id) : ctx.catalog.show(id);
    if (!r) return NOT_FOUND;
    const published = r.kind === 'movie' ? r.releaseDate : (r.seasons[0]?.airDate ?? '');
    const b = block(ctx.params[1]!, kind, ctx.catalog, r, appendix(ctx), published);
    return b ? ok({ id: r.id, ...b }) : NOT_FOUND;
  };
}

const season: Handler = (ctx) => {
  const show = ctx.catalog.show(idOf(ctx.params[0]!));
  const s = show?.seasons.find((x) => x.number === Number(ctx.params[1]));
  return show && s ? ok(seasonDetails(ctx.catalog, show, s, textLang(ctx))) : NOT_FOUND;
};

function list(kind: MediaKind): Handler {
  return (ctx) => {
    const name = ctx.params[0]!;
    if (kind === 'movie' && (MOVIE_LISTS as readonly string[]).includes(name)) {
      const n = name as (typeof MOVIE_LISTS)[number];
      const dates = n === 'now_playing' || n === 'upcoming' ? { dates: ctx.lists.window(n) } : {};
      return paged(ctx, ctx.lists.movies(n), summary(ctx, false), 20, dates);
    }
    if (kind === 'tv' && (TV_LISTS as readonly string[]).includes(name)) {
      return paged(ctx, ctx.lists.shows(name as (typeof TV_LISTS)[number]), summary(ctx, false));
    }
    return NOT_FOUND;
  };
}

const trending: Handler = (ctx) => {
  const kind = ctx.params[0] as MediaKind | 'all';
  return paged(ctx, ctx.lists.trending(kind), summary(ctx, true));
};

function discover(kind: MediaKind): Handler {
  return (ctx) => {
    const items = kind === 'movie' ? ctx.lists.discoverMovies(ctx.query) : ctx.lists.discoverShows(ctx.query);
    return paged(ctx, items, summary(ctx, false));
  };
}

function search(kind: MediaKind | 'multi'): Handler {
  return (ctx) => {
    const query = ctx.query.get('query') ?? '';
    const year =
      kind === 'tv'
        ? ctx.query.get('first_air_date_year')
        : (ctx.query.get('primary_release_year') ?? ctx.query.get('year'));
    let hits: Array<MovieRecord | ShowRecord> =
      kind === 'multi'
        ? [...ctx.catalog.search('movie', query), ...ctx.catalog.search('tv', query)].sort(
            (a, b) => b.popularity - a.popularity,
          )
        : ctx.catalog.search(kind, query);
    if (year && kind !== 'multi') {
      const dateOfRecord = (r: MovieRecord | ShowRecord) =>
        r.kind === 'movie' ? r.releaseDate : (r.seasons.find((s) => s.number === 1)?.airDate ?? '');
      hits = hits.filter((r) => dateOfRecord(r).startsWith(`${year}-`));
    }
    return paged(ctx, hits, summary(ctx, kind === 'multi'));
  };
}

function changes(kind: MediaKind): Handler {
  return (ctx) => {
    const startRaw = ctx.query.get('start_date');
    const endRaw = ctx.query.get('end_date');
    const end = endRaw ? dayNumber(endRaw) : ctx.catalog.todayNumber;
    const start = startRaw ? dayNumber(startRaw) : end === undefined ? undefined : end - 1;
    if (start === undefined || end === undefined) return INVALID_DATE;
    if (end < start || end - start > 14) return INVALID_RANGE;
    const ids = ctx.catalog.changes(kind, start, end);
    return paged(ctx, ids, (id) => ({ id, adult: false }), 100);
  };
}

const find: Handler = (ctx) => {
  const id = decodeURIComponent(ctx.params[0]!);
  const source = ctx.query.get('external_source');
  const summarise = summary(ctx, true);
  let movie: MovieRecord | undefined;
  let show: ShowRecord | undefined;
  if (source === 'imdb_id') ({ movie, show } = ctx.catalog.findByImdb(id));
  else if (source === 'tvdb_id') show = ctx.catalog.findByTvdb(Number(id));
  else return INVALID_PARAMS;
  return ok({
    movie_results: movie ? [summarise(movie)] : [],
    person_results: [],
    tv_results: show ? [summarise(show)] : [],
    tv_episode_results: [],
    tv_season_results: [],
  });
};

const CONFIGURATION = {
  images: {
    base_url: 'http://image.tmdb.org/t/p/',
    secure_base_url: 'https://image.tmdb.org/t/p/',
    backdrop_sizes: ['w300', 'w780', 'w1280', 'original'],
    logo_sizes: ['w45', 'w92', 'w154', 'w185', 'w300', 'w500', 'original'],
    poster_sizes: ['w92', 'w154', 'w185', 'w342', 'w500', 'w780', 'original'],
    profile_sizes: ['w45', 'w185', 'h632', 'original'],
    still_sizes: ['w92', 'w185', 'w300', 'original'],
  },
  change_keys: ['adult', 'images', 'overview', 'release_dates', 'runtime', 'title', 'translations', 'videos'],
};

const ROUTES: Array<[RegExp, Handler]> = [
  [/^\/configuration$/, () => ok(CONFIGURATION)],
  [
    /^\/genre\/(movie|tv)\/list$/,
    (ctx) => ok({ genres: genreList(ctx.params[0] as MediaKind, textLang(ctx)) }),
  ],
  [/^\/movie\/changes$/, changes('movie')],
  [/^\/tv\/changes$/, changes('tv')],
  [/^\/movie\/([a-z_]+)$/, list('movie')],
  [/^\/tv\/([a-z_]+)$/, list('tv')],
  [/^\/movie\/(\d+[^/]*)$/, details('movie')],
  [/^\/tv\/(\d+[^/]*)$/, details('tv')],
  [/^\/movie\/(\d+[^/]*)\/(translations|images|videos|external_ids)$/, subResource('movie')],
  [/^\/tv\/(\d+[^/]*)\/(translations|images|videos|external_ids)$/, subResource('tv')],
  [/^\/tv\/(\d+[^/]*)\/season\/(\d+)$/, season],
  [/^\/trending\/(movie|tv|all)\/(?:day|week)$/, trending],
  [/^\/discover\/movie$/, discover('movie')],
  [/^\/discover\/tv$/, discover('tv')],
  [/^\/search\/movie$/, search('movie')],
  [/^\/search\/tv$/, search('tv')],
  [/^\/search\/multi$/, search('multi')],
  [/^\/find\/([^/]+)$/, find],
];

export function route(catalog: StandInCatalog, lists: Lists, path: string, query: URLSearchParams): Reply {
  for (const [pattern, handler] of ROUTES) {
    const m = pattern.exec(path);
    if (m) return handler({ catalog, lists, query, params: m.slice(1) });
  }
  return NOT_FOUND;
}

import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';
import { browseArgs, browsePage } from './browse.js';
import { CountCache } from './count-cache.js';
import { requestSnapshot } from './db-snapshot.js';
import type { Images } from './images.js';
import { withTranslations } from './includes.js';
import { parseLang } from './language.js';
import { heldOrFetchedMovie } from './held-or-fetched.js';
import { moviePage } from './movie-page.js';
import { accepted } from './outcome.js';
import { presentMovie, presentMovieDetails } from './present.js';
import { ResponseCache, sendJson } from './response-cache.js';
import {
  browseQuery,
  langOnlyQuery,
  movieDetails,
  moviesPage,
  pendingResponse,
  tmdbIdParams,
} from './schemas.js';

export function movieRoutes({ db, queues, config }: AppDeps, images: Images): RouteSpec[] {
  const counts = new CountCache();
  // Pages as served, valid while the database is unchanged: never stale (see response-cache.ts).
  const pages = new ResponseCache();
  return [
    route({
      method: 'get',
      path: '/api/v1/movies',
      access: 'user',
      summary: 'Browse movies: paged, by genre and year, sorted',
      query: browseQuery,
      response: moviesPage,
      handler: async ({ query, res }) => {
        const lang = parseLang(query.lang, config.DEFAULT_LANGUAGE);
        const [snapshot] = await Promise.all([requestSnapshot(db, res), images.refresh()]);
        const { where, countKey, page } = browseArgs(query);
        // Everything the page depends on: the filter, the order, the page, the language, the image URLs.
        const key = `${countKey}|${query.sort}|${page.skip}|${page.take}|${lang.language}-${lang.region}|${images.version}`;
        const body = await pages.get(key, snapshot, async () => {
          const total = counts.at(`movie:${countKey}`, snapshot, () => db.movie.count({ where }));
          const [rows, count] = await Promise.all([
            moviePage(db, query, query.sort, lang, page),
            total.value,
          ]);
          const body = browsePage(
            rows.map((m) => presentMovie(m, lang, images)),
            query,
            count,
          );
          return { body, until: total.until };
        });
        sendJson(res, body);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/movies/:tmdbId',
      access: 'user',
      summary: 'One movie; fetched from TMDB through the worker when not held yet (202 while pending)',
      params: tmdbIdParams,
      query: langOnlyQuery,
      response: movieDetails,
      responses: { 202: pendingResponse },
      errors: [404],
      handler: async ({ params, query, res }) => {
        const lang = parseLang(query.lang, config.DEFAULT_LANGUAGE);
        const find = () =>
          db.movie.findFirst({
            where: { tmdbId: params.tmdbId, syncedAt: { not: null } },
            // Every translation (a handful of rows): `languages` lists them all; the asked one is picked from them.
            include: { ...withTranslations(lang), translations: true },
          });
        const movie = await heldOrFetchedMovie(queues, params.tmdbId, config.CATALOG_WAIT_MS, find);
        if (!movie) return accepted(res, `Movie ${params.tmdbId}`);
        await images.refresh();
        return presentMovieDetails(movie, lang, images);
      },
    }),
  ];
}

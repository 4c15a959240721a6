import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';
import { browseArgs, browsePage } from './browse.js';
import { CountCache } from './count-cache.js';
import type { Images } from './images.js';
import { withTranslations } from './includes.js';
import { parseLang } from './language.js';
import { heldOrFetchedMovie } from './held-or-fetched.js';
import { accepted } from './outcome.js';
import { presentMovie, presentMovieDetails } from './present.js';
import { browseQuery, langOnlyQuery, tmdbIdParams } from './schemas.js';
import { movieOrder } from './sorting.js';

export function movieRoutes({ db, queues, config }: AppDeps, images: Images): RouteSpec[] {
  const counts = new CountCache();
  return [
    route({
      method: 'get',
      path: '/api/v1/movies',
      access: 'user',
      summary: 'Browse movies: paged, by genre and year, sorted',
      query: browseQuery,
      handler: async ({ query }) => {
        const lang = parseLang(query.lang, config.DEFAULT_LANGUAGE);
        const { where, countKey, page } = browseArgs(query);
        const [rows, total] = await Promise.all([
          db.movie.findMany({
            where,
            orderBy: movieOrder(query.sort),
            include: withTranslations(lang),
            ...page,
          }),
          counts.get(`movie:${countKey}`, () => db.movie.count({ where })),
          images.refresh(),
        ]);
        return browsePage(
          rows.map((m) => presentMovie(m, lang, images)),
          query,
          total,
        );
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/movies/:tmdbId',
      access: 'user',
      summary: 'One movie; fetched from TMDB through the worker when not held yet (202 while pending)',
      params: tmdbIdParams,
      query: langOnlyQuery,
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

import { NotFoundError } from '@cinenest/http';
import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';
import { browseArgs, browsePage } from './browse.js';
import { CountCache } from './count-cache.js';
import type { Images } from './images.js';
import { withTranslations } from './includes.js';
import { parseLang, type Lang } from './language.js';
import { accepted, failUnlessFound } from './outcome.js';
import { presentEpisode, presentShow, presentShowDetails } from './present.js';
import {
  browseQuery,
  langOnlyQuery,
  pendingResponse,
  seasonParams,
  seasonResponse,
  showDetails,
  showsPage,
  tmdbIdParams,
} from './schemas.js';
import { showOrder } from './sorting.js';
import { enqueueAndWait } from './wait-for-job.js';

export function showRoutes({ db, queues, config }: AppDeps, images: Images): RouteSpec[] {
  const counts = new CountCache();
  const findShow = (tmdbId: number, lang: Lang) =>
    db.tVShow.findFirst({
      where: { tmdbId, syncedAt: { not: null } },
      include: { ...withTranslations(lang), seasons: { orderBy: { seasonNumber: 'asc' } } },
    });

  /** The show from the database, else fetched through the worker; null while still pending. */
  async function loadShow(tmdbId: number, lang: Lang) {
    const show = await findShow(tmdbId, lang);
    if (show) return show;
    const outcome = await enqueueAndWait(queues, 'catalog.show-sync', { tmdbId }, config.CATALOG_WAIT_MS);
    failUnlessFound(outcome, `show ${tmdbId}`);
    return findShow(tmdbId, lang);
  }

  /** Someone opened the show: with EPISODE_SYNC_MODE=ON_DEMAND its episodes are kept from now on. */
  const markWanted = (id: number) =>
    db.tVShow.updateMany({ where: { id, episodesWantedAt: null }, data: { episodesWantedAt: new Date() } });

  return [
    route({
      method: 'get',
      path: '/api/v1/shows',
      access: 'user',
      summary: 'Browse TV shows: paged, by genre and year, sorted',
      query: browseQuery,
      response: showsPage,
      handler: async ({ query }) => {
        const lang = parseLang(query.lang, config.DEFAULT_LANGUAGE);
        const { where, countKey, page } = browseArgs(query);
        const [rows, total] = await Promise.all([
          db.tVShow.findMany({
            where,
            orderBy: showOrder(query.sort),
            include: withTranslations(lang),
            ...page,
          }),
          counts.get(`tVShow:${countKey}`, () => db.tVShow.count({ where })),
          images.refresh(),
        ]);
        return browsePage(
          rows.map((s) => presentShow(s, lang, images)),
          query,
          total,
        );
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/shows/:tmdbId',
      access: 'user',
      summary: 'One show with its seasons (202 while being fetched)',
      params: tmdbIdParams,
      query: langOnlyQuery,
      response: showDetails,
      responses: { 202: pendingResponse },
      errors: [404],
      handler: async ({ params, query, res }) => {
        const lang = parseLang(query.lang, config.DEFAULT_LANGUAGE);
        const show = await loadShow(params.tmdbId, lang);
        if (!show) return accepted(res, `Show ${params.tmdbId}`);
        await Promise.all([markWanted(show.id), images.refresh()]);
        return presentShowDetails(show, lang, images);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/shows/:tmdbId/seasons/:number',
      access: 'user',
      summary: "A season's episodes, fetched on demand (202 while being fetched)",
      params: seasonParams,
      query: langOnlyQuery,
      response: seasonResponse,
      responses: { 202: pendingResponse },
      errors: [404],
      handler: async ({ params, query, res }) => {
        const lang = parseLang(query.lang, config.DEFAULT_LANGUAGE);
        const show = await loadShow(params.tmdbId, lang);
        if (!show) return accepted(res, `Show ${params.tmdbId}`);
        const known = show.seasons.find((s) => s.seasonNumber === params.number);
        if (!known) throw new NotFoundError(`Show ${params.tmdbId} has no season ${params.number}`);
        await markWanted(show.id);
        const findSeason = () =>
          db.season.findFirst({
            where: { showId: show.id, seasonNumber: params.number, synced: true },
            include: { episodes: { orderBy: { episodeNumber: 'asc' } } },
          });
        let season = await findSeason();
        if (!season) {
          const outcome = await enqueueAndWait(
            queues,
            'catalog.season-sync',
            { showTmdbId: params.tmdbId, seasonNumber: params.number },
            config.CATALOG_WAIT_MS,
          );
          failUnlessFound(outcome, `season ${params.number} of show ${params.tmdbId}`);
          season = await findSeason();
          if (!season) return accepted(res, `Season ${params.number}`);
        }
        await images.refresh();
        return {
          show: { tmdbId: show.tmdbId, name: presentShow(show, lang, images).name },
          seasonNumber: season.seasonNumber,
          name: season.name,
          overview: season.overview,
          airDate: season.airDate?.toISOString().slice(0, 10) ?? null,
          poster: images.urls('poster', season.posterPath),
          episodes: season.episodes.map((e) => presentEpisode(e, images)),
        };
      },
    }),
  ];
}

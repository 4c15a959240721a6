import { NotFoundError } from '@cinenest/http';
import type { AppDeps } from '../deps.js';
import { paging } from '../http/paging.js';
import { route, type RouteSpec } from '../http/routes.js';
import type { Images } from './images.js';
import { withTranslations } from './includes.js';
import { parseLang } from './language.js';
import { presentGenre, presentMovie, presentShow } from './present.js';
import { genresQuery, genresResponse, listPage, listParams, listQuery, listsResponse } from './schemas.js';

export function genreAndListRoutes({ db, config }: AppDeps, images: Images): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/genres',
      access: 'user',
      summary: 'Genres, translated',
      query: genresQuery,
      response: genresResponse,
      handler: async ({ query }) => {
        const lang = parseLang(query.lang, config.DEFAULT_LANGUAGE);
        const genres = await db.genre.findMany({
          where:
            query.type === 'movie' ? { forMovies: true } : query.type === 'show' ? { forShows: true } : {},
          include: { translations: { where: { language: lang.language } } },
          orderBy: { name: 'asc' },
        });
        return {
          items: genres.map((g) => ({ ...presentGenre(g, lang), movies: g.forMovies, shows: g.forShows })),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/lists',
      access: 'user',
      summary: 'The curated lists (popular, top rated, now playing, trending)',
      response: listsResponse,
      handler: async () => {
        const lists = await db.mediaList.findMany({
          orderBy: { id: 'asc' },
          include: { _count: { select: { items: true } } },
        });
        return {
          items: lists.map((l) => ({
            slug: l.slug,
            name: l.name,
            kind: l.kind === 'MOVIE' ? 'movie' : 'show',
            refreshedAt: l.refreshedAt,
            itemCount: l._count.items,
          })),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/lists/:slug',
      access: 'user',
      summary: "A list's titles in order, paged",
      params: listParams,
      query: listQuery,
      response: listPage,
      errors: [404],
      handler: async ({ params, query }) => {
        const lang = parseLang(query.lang, config.DEFAULT_LANGUAGE);
        const list = await db.mediaList.findUnique({ where: { slug: params.slug } });
        if (!list) throw new NotFoundError(`No list ${params.slug}`);
        const [items, total] = await Promise.all([
          db.mediaListItem.findMany({
            where: { listId: list.id },
            orderBy: { position: 'asc' },
            include: {
              movie: { include: withTranslations(lang) },
              show: { include: withTranslations(lang) },
            },
            ...paging(query.page, query.pageSize),
          }),
          db.mediaListItem.count({ where: { listId: list.id } }),
          images.refresh(),
        ]);
        return {
          list: {
            slug: list.slug,
            name: list.name,
            kind: list.kind === 'MOVIE' ? 'movie' : 'show',
            refreshedAt: list.refreshedAt,
          },
          items: items.map((i) =>
            i.movie ? presentMovie(i.movie, lang, images) : presentShow(i.show!, lang, images),
          ),
          page: query.page,
          pageSize: query.pageSize,
          total,
        };
      },
    }),
  ];
}

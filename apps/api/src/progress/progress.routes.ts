import { NotFoundError } from '@cinenest/http';
import type { z } from 'zod';
import type { Images } from '../catalog/images.js';
import { withTranslations } from '../catalog/includes.js';
import { parseLang } from '../catalog/language.js';
import { presentMovie } from '../catalog/present.js';
import { tmdbIdParams } from '../catalog/schemas.js';
import type { AppDeps } from '../deps.js';
import { paging } from '../http/paging.js';
import { route, type RouteSpec } from '../http/routes.js';
import { presentProgress, STARTED_FRACTION, WATCHED_FRACTION } from './progress.js';
import { progressBody, progressListQuery, progressPage, progressResponse } from './schemas.js';

type ListQuery = z.infer<typeof progressListQuery>;

/**
 * A signed-in user's watch progress, one row per movie. Each user only ever reads and writes their
 * own rows: every query is keyed by the caller's id.
 *
 * Fractions: below 5 % a title was only sampled and is in neither list (the row is kept, so a
 * player can resume it); from 5 % up to (not including) 90 % it is "continue watching"; from 90 % on
 * it is watched. `watchedAt` is set the first time it reaches 90 % and never moved afterwards.
 *
 * A rewatch: a later PUT below 90 % puts the title back into "continue watching" (watched=false),
 * since the user is watching it again and wants to resume where they are now. `watchedAt` is kept
 * (the title has been watched, and when is still true), so a client can tell a rewatch from a first
 * viewing; finishing the rewatch makes it watched again without moving `watchedAt`.
 */
export function progressRoutes({ db, config }: AppDeps, images: Images): RouteSpec[] {
  /** One page of the caller's progress rows matching `where`, most recently updated first. */
  async function listPage(
    userId: string,
    where: { watched: boolean; fraction?: { gte: number } },
    query: ListQuery,
  ) {
    const lang = parseLang(query.lang, config.DEFAULT_LANGUAGE);
    const filter = { userId, ...where };
    const [rows, total] = await Promise.all([
      db.watchProgress.findMany({
        where: filter,
        // The movie id breaks ties, so pages never overlap or skip.
        orderBy: [{ updatedAt: 'desc' }, { movieId: 'desc' }],
        include: { movie: { include: withTranslations(lang) } },
        ...paging(query.page, query.pageSize),
      }),
      db.watchProgress.count({ where: filter }),
      images.refresh(),
    ]);
    return {
      items: rows.map((r) => ({
        movie: presentMovie(r.movie, lang, images),
        progress: presentProgress(r, r.movie.tmdbId),
      })),
      page: query.page,
      pageSize: query.pageSize,
      total,
    };
  }

  return [
    route({
      method: 'put',
      path: '/api/v1/progress/movies/:tmdbId',
      access: 'user',
      summary: "Store the caller's position in a movie (seconds); past 90 % it counts as watched",
      params: tmdbIdParams,
      body: progressBody,
      response: progressResponse,
      errors: [404],
      handler: async ({ params, body, auth }) => {
        const movie = await db.movie.findUnique({ where: { tmdbId: params.tmdbId }, select: { id: true } });
        if (!movie) throw new NotFoundError(`No movie ${params.tmdbId} in the catalog`);
        const userId = auth.user.id;
        const key = { userId_movieId: { userId, movieId: movie.id } };
        const fraction = body.position / body.duration;
        const watched = fraction >= WATCHED_FRACTION;
        const now = new Date();
        const values = {
          position: body.position,
          duration: body.duration,
          fraction,
          watched,
          updatedAt: now,
        };
        // watchedAt is never overwritten here (see above); it is only filled in below when still empty.
        let row = await db.watchProgress.upsert({
          where: key,
          create: { userId, movieId: movie.id, ...values, watchedAt: watched ? now : null },
          update: values,
        });
        if (watched && !row.watchedAt) {
          // First time past 90 %. Conditional, so concurrent PUTs agree on one moment.
          const set = await db.watchProgress.updateMany({
            where: { userId, movieId: movie.id, watchedAt: null },
            data: { watchedAt: now, updatedAt: now },
          });
          row = set.count
            ? { ...row, watchedAt: now }
            : ((await db.watchProgress.findUnique({ where: key })) ?? row);
        }
        return presentProgress(row, params.tmdbId);
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/progress/movies/:tmdbId',
      access: 'user',
      summary: "Forget the caller's progress in a movie",
      params: tmdbIdParams,
      errors: [404],
      handler: async ({ params, auth }) => {
        const { count } = await db.watchProgress.deleteMany({
          where: { userId: auth.user.id, movie: { tmdbId: params.tmdbId } },
        });
        if (!count) throw new NotFoundError(`No progress for movie ${params.tmdbId}`);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/progress/continue-watching',
      access: 'user',
      summary: "The caller's movies between 5 % and 90 % watched, most recent first, paged",
      query: progressListQuery,
      response: progressPage,
      handler: ({ query, auth }) =>
        listPage(auth.user.id, { watched: false, fraction: { gte: STARTED_FRACTION } }, query),
    }),
    route({
      method: 'get',
      path: '/api/v1/progress/watched',
      access: 'user',
      summary: "The caller's movies watched past 90 %, most recent first, paged",
      query: progressListQuery,
      response: progressPage,
      handler: ({ query, auth }) => listPage(auth.user.id, { watched: true }, query),
    }),
  ];
}

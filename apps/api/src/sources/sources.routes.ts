import { healthLabel, rankSources, type Codec, type Quality } from '@cinenest/sources';
import { z } from 'zod';
import { heldOrFetchedMovie } from '../catalog/held-or-fetched.js';
import { accepted } from '../catalog/outcome.js';
import { tmdbIdParams } from '../catalog/schemas.js';
import { enqueueAndWait } from '../catalog/wait-for-job.js';
import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';

const SEARCH_WAIT_MS = 2000;

export const sourcesQuery = z.strictObject({
  quality: z.enum(['auto', '2160p', '1080p', '720p', '480p']).default('auto'),
  hevc: z.enum(['true', 'false']).default('false'),
});

function humanSize(bytes: number): string {
  const gb = bytes / 1024 ** 3;
  return gb >= 1 ? `${gb.toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(0)} MB`;
}

/** A movie's sources, best first for this client. What identifies a torrent never leaves the server. */
export function sourceRoutes({ db, queues, config }: AppDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/movies/:tmdbId/sources',
      access: 'user',
      summary:
        'Torrent sources of a movie ordered by score (quality, size, codec, health), never hashes or links',
      params: tmdbIdParams,
      query: sourcesQuery,
      handler: async ({ params, query, res }) => {
        const find = () =>
          db.movie.findFirst({
            where: { tmdbId: params.tmdbId, syncedAt: { not: null } },
            select: { id: true, runtime: true, sourceSearchedAt: true, nextSourceSearchAt: true },
          });
        let movie = await heldOrFetchedMovie(queues, params.tmdbId, config.CATALOG_WAIT_MS, find);
        if (!movie) return accepted(res, `Movie ${params.tmdbId}`);
        if (!movie.sourceSearchedAt) {
          // Never searched: search now, wait a little.
          await enqueueAndWait(queues, 'sources.search', { tmdbId: params.tmdbId }, SEARCH_WAIT_MS);
          movie = await find();
          if (!movie?.sourceSearchedAt) return accepted(res, `Sources of movie ${params.tmdbId}`);
        }
        const rows = await db.movieSource.findMany({ where: { movieId: movie.id } });
        const now = new Date();
        const ranked = rankSources(
          rows.map((r) => ({
            row: r,
            quality: r.quality as Quality,
            codec: r.codec as Codec,
            sizeBytes: Number(r.sizeBytes),
            seeds: r.seeds,
            peers: r.peers,
            statsAt: r.lastStatsCheck,
          })),
          { quality: query.quality, hevc: query.hevc === 'true' },
          movie.runtime,
          now,
        );
        return {
          items: ranked.map((s) => ({
            id: s.row.id,
            provider: s.row.provider,
            quality: s.quality,
            codec: s.codec,
            type: s.row.type,
            sizeBytes: s.sizeBytes,
            size: humanSize(s.sizeBytes),
            seeds: s.seeds,
            peers: s.peers,
            health: healthLabel(s.seeds, s.statsAt),
            score: s.score,
            statsCheckedAt: s.statsAt,
            statsAgeSeconds: s.statsAt ? Math.round((now.getTime() - s.statsAt.getTime()) / 1000) : null,
          })),
          searchedAt: movie.sourceSearchedAt,
          nextSearchAt: movie.nextSourceSearchAt,
        };
      },
    }),
  ];
}

import { healthLabel } from '@cinenest/sources';
import { z } from 'zod';
import { accepted } from '../catalog/outcome.js';
import { pendingResponse, tmdbIdParams } from '../catalog/schemas.js';
import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';
import { sourcesResponse } from './schemas.js';
import { rankedSources, searchedMovie } from './searched-movie.js';

export const sourcesQuery = z.strictObject({
  quality: z.enum(['auto', '2160p', '1080p', '720p', '480p']).default('auto'),
  hevc: z.enum(['true', 'false']).default('false'),
});

export function humanSize(bytes: number): string {
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
      response: sourcesResponse,
      responses: { 202: pendingResponse },
      errors: [404],
      handler: async ({ params, query, res }) => {
        const movie = await searchedMovie({ db, queues, waitMs: config.CATALOG_WAIT_MS }, params.tmdbId);
        if (movie === 'movie pending') return accepted(res, `Movie ${params.tmdbId}`);
        if (movie === 'sources pending') return accepted(res, `Sources of movie ${params.tmdbId}`);
        const now = new Date();
        const ranked = await rankedSources(
          db,
          movie,
          { quality: query.quality, hevc: query.hevc === 'true' },
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

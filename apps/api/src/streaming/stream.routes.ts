import { randomUUID } from 'node:crypto';
import { AppError, ForbiddenError, NotFoundError, ServiceUnavailableError } from '@cinenest/http';
import { signStreamToken, type PrepareFailure } from '@cinenest/streaming';
import { z } from 'zod';
import { audit } from '../auth/audit.js';
import { accepted } from '../catalog/outcome.js';
import { pendingResponse, tmdbIdParams } from '../catalog/schemas.js';
import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';
import { humanSize } from '../sources/sources.routes.js';
import { rankedSources, searchedMovie } from '../sources/searched-movie.js';
import { streamResponse } from './schemas.js';
import type { StreamerClient } from './streamer-client.js';

/** Sources tried for one play request before giving up (each waits up to STREAM_SOURCE_TIMEOUT). */
const MAX_SOURCES_TRIED = 3;

export const streamBody = z.strictObject({
  quality: z.enum(['auto', '2160p', '1080p', '720p', '480p']).default('auto'),
  /** The client plays HEVC (x265): such sources are then allowed and slightly preferred. */
  hevc: z.boolean().default(false),
});

const tokenParams = z.strictObject({ tokenId: z.uuid() });

/** Reasons the next source is tried: this one, not the service, is the problem. */
const SOURCE_PROBLEMS = new Set<PrepareFailure>([
  'no_peers',
  'no_progress',
  'no_metadata',
  'no_video_file',
  'source_not_found',
]);

export class NoPlayableSourceError extends AppError {
  constructor(message: string) {
    super(404, 'no_playable_source', message);
  }
}

/** Where players fetch the bytes: the streamer itself, or this API's /stream proxy (one origin). */
export function streamUrl(config: AppDeps['config'], token: string): string {
  const base = (config.STREAM_PUBLIC_URL ?? config.PUBLIC_URL).replace(/\/+$/, '');
  return `${base}/stream/${token}`;
}

export function streamRoutes(deps: AppDeps, streamer: StreamerClient): RouteSpec[] {
  const { db, queues, config, logger } = deps;
  return [
    route({
      method: 'post',
      path: '/api/v1/movies/:tmdbId/stream',
      access: 'user',
      summary:
        'Picks the best source, has the streamer start it (falling back to the next when it has no peers or stalls) and returns a signed stream URL',
      params: tmdbIdParams,
      body: streamBody,
      response: streamResponse,
      responses: { 202: pendingResponse },
      errors: [404, 502, 507],
      handler: async ({ params, body, auth, res }) => {
        const movie = await searchedMovie({ db, queues, waitMs: config.CATALOG_WAIT_MS }, params.tmdbId);
        if (movie === 'movie pending') return accepted(res, `Movie ${params.tmdbId}`);
        if (movie === 'sources pending') return accepted(res, `Sources of movie ${params.tmdbId}`);
        const all = await rankedSources(db, movie, { quality: body.quality, hevc: body.hevc });
        const candidates = all.filter(
          (s) =>
            s.row.metadataStatus !== 'UNAVAILABLE' && (body.quality === 'auto' || s.quality === body.quality),
        );
        if (candidates.length === 0) throw new NoPlayableSourceError(await whyNone(deps, movie.id, body));

        const fallbacks: Array<{ quality: string; codec: string; size: string; reason: PrepareFailure }> = [];
        for (const source of candidates.slice(0, MAX_SOURCES_TRIED)) {
          const outcome = await streamer.prepare(source.row.id, config.STREAM_SOURCE_TIMEOUT * 1000);
          if (!outcome.ok) {
            if (!SOURCE_PROBLEMS.has(outcome.reason)) throw serviceProblem(outcome.reason, outcome.message);
            logger.info('source could not start; trying the next', {
              sourceId: source.row.id,
              reason: outcome.reason,
            });
            fallbacks.push({
              quality: source.quality,
              codec: source.codec,
              size: humanSize(source.sizeBytes),
              reason: outcome.reason,
            });
            continue;
          }
          const { prepared } = outcome;
          const expiresAt = new Date(Date.now() + config.STREAM_TOKEN_TTL * 1000);
          const token = await db.streamToken.create({
            data: {
              id: randomUUID(),
              userId: auth.user.id,
              sourceId: source.row.id,
              fileIndex: prepared.fileIndex,
              expiresAt,
            },
            select: { id: true },
          });
          const signed = signStreamToken(
            config.STREAMER_SECRET,
            {
              tokenId: token.id,
              userId: auth.user.id,
              sourceId: source.row.id,
              fileIndex: prepared.fileIndex,
            },
            expiresAt,
          );
          return {
            streamUrl: streamUrl(config, signed),
            expiresAt: expiresAt.toISOString(),
            tokenId: token.id,
            mimeType: prepared.mimeType,
            source: {
              id: source.row.id,
              quality: source.quality,
              codec: source.codec,
              type: source.row.type,
              sizeBytes: prepared.fileSize,
              size: humanSize(prepared.fileSize),
              score: source.score,
            },
            /** Sources given up before this one, best first, and why: the client may say so. */
            fallbacks,
          };
        }
        throw new NoPlayableSourceError(
          `No source could be started: ${fallbacks.map((f) => `${f.quality} ${f.codec} (${f.reason.replace('_', ' ')})`).join(', ')}`,
        );
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/streams/:tokenId',
      access: 'user',
      summary: 'Revokes a stream URL (its owner or an admin); players using it stop within seconds',
      params: tokenParams,
      errors: [403, 404],
      handler: async ({ params, auth, req }) => {
        const token = await db.streamToken.findUnique({
          where: { id: params.tokenId },
          select: { userId: true },
        });
        if (!token) throw new NotFoundError('No such stream');
        if (token.userId !== auth.user.id && auth.user.role !== 'ADMIN') throw new ForbiddenError();
        await db.streamToken.update({ where: { id: params.tokenId }, data: { revokedAt: new Date() } });
        await audit(db, logger, req, {
          type: 'stream.revoked',
          userId: token.userId,
          actorId: auth.user.id,
          meta: { tokenId: params.tokenId },
        });
        return undefined;
      },
    }),
  ];
}

function serviceProblem(reason: PrepareFailure, message: string): AppError {
  if (reason === 'storage_full') return new AppError(507, 'storage_full', message);
  if (reason === 'vpn_down')
    return new ServiceUnavailableError('Streaming is paused while the VPN is down; try again shortly', 10);
  return new ServiceUnavailableError(message, 10);
}

/** Why a movie has nothing to play, in words a user can act on. */
async function whyNone(deps: AppDeps, movieId: number, body: z.infer<typeof streamBody>): Promise<string> {
  const rows = await deps.db.movieSource.findMany({
    where: { movieId },
    select: { quality: true, codec: true, metadataStatus: true },
  });
  if (rows.length === 0) return 'No source is known for this movie yet';
  const playable = rows.filter((r) => body.hevc || r.codec !== 'x265');
  if (playable.length === 0) return 'Only HEVC (x265) sources exist and the client does not play HEVC';
  const usable = playable.filter((r) => r.metadataStatus !== 'UNAVAILABLE');
  if (usable.length === 0) return 'No source has a torrent that can be fetched';
  const qualities = [...new Set(usable.map((r) => r.quality))].join(', ');
  return `No ${body.quality} source; available: ${qualities}`;
}

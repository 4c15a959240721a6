import { AppError, ForbiddenError, UnauthorizedError } from '@cinenest/http';
import type { Logger } from '@cinenest/logger';
import { contentTypeOf } from '@cinenest/sources';
import { StreamTokenError, verifyStreamToken } from '@cinenest/streaming';
import { Router, type Request, type Response } from 'express';
import rangeParser from 'range-parser';
import type { TorrentPool } from '../torrents/pool.js';
import type { GrantCheck } from './grants.js';
import { pump } from './pump.js';

export interface StreamDeps {
  secret: string;
  pool: TorrentPool;
  grants: GrantCheck;
  logger: Logger;
  readTimeoutMs: number;
  /** How long a request may wait for a stopped torrent to be added again from disk. */
  openTimeoutMs: number;
  /** Told the length of every chunk written to a stream response (metrics). */
  onBytes?: (bytes: number) => void;
}

/**
 * GET and HEAD /stream/:token — the public part of the streamer. The signed token in the path is the
 * whole credential (a TV player or a <video> tag sends nothing else). Errors never say which torrent.
 */
export function streamRoutes(deps: StreamDeps): Router {
  const router = Router();
  router.get('/stream/:token', (req: Request<{ token: string }>, res) => serve(deps, req, res));
  return router;
}

async function serve(deps: StreamDeps, req: Request<{ token: string }>, res: Response): Promise<void> {
  const { pool, grants, logger } = deps;
  let grant;
  try {
    grant = verifyStreamToken(deps.secret, req.params.token);
  } catch (err) {
    if (!(err instanceof StreamTokenError)) throw err;
    throw new UnauthorizedError(err.message, err.problem === 'expired' ? 'token_expired' : 'invalid_token');
  }
  if (!(await grants.holds(grant))) throw new ForbiddenError('This stream URL is no longer valid');
  const entry = await pool.open(grant.sourceId, deps.openTimeoutMs);
  if (entry.fileIndex !== grant.fileIndex) throw new ForbiddenError('This stream URL is no longer valid');

  const size = entry.file.length;
  let start = 0;
  let end = size - 1;
  let status = 200;
  const header = req.headers.range;
  if (header) {
    const ranges = rangeParser(size, header, { combine: true });
    if (ranges === -1)
      throw new AppError(416, 'range_not_satisfiable', `The file has ${size} bytes`, undefined, {
        'Content-Range': `bytes */${size}`,
        'Accept-Ranges': 'bytes',
      });
    // A malformed Range (-2) or another unit is ignored, as HTTP says: the whole file, 200.
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length > 0) {
      // Several ranges: the first is served (players ask for one at a time).
      start = ranges[0]!.start;
      end = ranges[0]!.end;
      status = 206;
    }
  }
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', contentTypeOf(entry.file.name));
  res.setHeader('Content-Length', String(end - start + 1));
  res.setHeader('Cache-Control', 'private, no-transform');
  if (status === 206) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  if (req.method === 'HEAD') {
    res.status(status).end();
    return;
  }

  const reader = pool.attach(entry);
  try {
    const ended = await pump(entry.file, start, end, res, {
      readTimeoutMs: deps.readTimeoutMs,
      onFirstChunk: () => res.writeHead(status),
      onChunk: (bytes) => {
        reader.touch();
        deps.onBytes?.(bytes);
      },
    });
    if (ended === 'timeout' || ended === 'ended') {
      logger.warn('stream stopped before its end', { sourceId: grant.sourceId, start, end, why: ended });
      if (!res.headersSent)
        throw new AppError(504, 'stream_stalled', 'The video did not arrive in time; try again', undefined, {
          'Retry-After': '5',
        });
      // Bytes already went out: cut the connection so the player sees an error and asks again.
      res.destroy();
    }
  } finally {
    reader.release();
  }
}

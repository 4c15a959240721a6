import { timingSafeEqual, createHash } from 'node:crypto';
import { NotFoundError, parseOrThrow, UnauthorizedError } from '@cinenest/http';
import { prepareRequest } from '@cinenest/streaming';
import type { VpnGate } from '@cinenest/queue';
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { TorrentPool } from '../torrents/pool.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Only the API, holding STREAMER_SECRET, may call the internal API. */
export function requireSecret(secret: string): RequestHandler {
  const expected = digest(secret);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!given || !timingSafeEqual(digest(given), expected)) throw new UnauthorizedError();
    next();
  };
}

const sourceParams = z.strictObject({ sourceId: z.coerce.number().int().positive() });
const storageParams = z.strictObject({ id: z.coerce.number().int().positive() });

/** The internal API (see @cinenest/streaming's contract): prepare, status, stop, storage. */
export function internalRoutes(deps: { secret: string; pool: TorrentPool; vpn: VpnGate }): Router {
  const { pool, vpn } = deps;
  const router = Router();
  router.use('/internal', requireSecret(deps.secret), express.json({ limit: '16kb' }));

  router.post('/internal/prepare', async (req, res) => {
    const body = parseOrThrow(prepareRequest, req.body, 'body');
    res.json(await pool.prepare(body.sourceId, body.timeoutMs));
  });

  router.get('/internal/torrents/:sourceId', (req, res) => {
    const { sourceId } = parseOrThrow(sourceParams, req.params, 'sourceId');
    const status = pool.status(sourceId);
    if (!status) throw new NotFoundError('That source is not running');
    res.json(status);
  });

  router.delete('/internal/torrents/:sourceId', async (req, res) => {
    const { sourceId } = parseOrThrow(sourceParams, req.params, 'sourceId');
    if (!(await pool.stop(sourceId))) throw new NotFoundError('That source is not running');
    res.status(204).end();
  });

  router.get('/internal/storage', async (_req, res) => {
    res.json(await pool.report(vpn.state));
  });

  router.delete('/internal/storage/:id', async (req, res) => {
    const { id } = parseOrThrow(storageParams, req.params, 'id');
    if (!(await pool.deleteStorage(id))) throw new NotFoundError('No such stored torrent');
    res.status(204).end();
  });

  return router;
}

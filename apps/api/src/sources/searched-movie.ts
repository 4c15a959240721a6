import type { Db, MovieSource } from '@cinenest/db';
import type { Queues } from '@cinenest/queue';
import {
  rankSources,
  type ClientPreferences,
  type Codec,
  type Quality,
  type SourceHealth,
} from '@cinenest/sources';
import { heldOrFetchedMovie } from '../catalog/held-or-fetched.js';
import { enqueueAndWait } from '../catalog/wait-for-job.js';

const SEARCH_WAIT_MS = 2000;

export interface SearchedMovie {
  id: number;
  runtime: number | null;
  sourceSearchedAt: Date | null;
  nextSourceSearchAt: Date | null;
}

/**
 * A movie whose sources have been searched at least once: fetched through the worker when it is not
 * held yet, and searched now (waiting 2 s at most) when it never was. A string says what is still
 * pending (answer 202); TMDB's 404 and outages throw.
 */
export async function searchedMovie(
  deps: { db: Db; queues: Queues; waitMs: number },
  tmdbId: number,
): Promise<SearchedMovie | 'movie pending' | 'sources pending'> {
  const { db, queues } = deps;
  const find = () =>
    db.movie.findFirst({
      where: { tmdbId, syncedAt: { not: null } },
      select: { id: true, runtime: true, sourceSearchedAt: true, nextSourceSearchAt: true },
    });
  let movie = await heldOrFetchedMovie(queues, tmdbId, deps.waitMs, find);
  if (!movie) return 'movie pending';
  if (!movie.sourceSearchedAt) {
    await enqueueAndWait(queues, 'sources.search', { tmdbId }, SEARCH_WAIT_MS);
    movie = await find();
    if (!movie?.sourceSearchedAt) return 'sources pending';
  }
  return movie;
}

export type RankedSource = SourceHealth & { row: MovieSource; score: number };

/** A movie's sources best first for a client (x265 left out without HEVC), with their scores. */
export async function rankedSources(
  db: Db,
  movie: SearchedMovie,
  prefs: ClientPreferences,
  now = new Date(),
): Promise<RankedSource[]> {
  const rows = await db.movieSource.findMany({ where: { movieId: movie.id } });
  return rankSources(
    rows.map((r: MovieSource) => ({
      row: r,
      quality: r.quality as Quality,
      codec: r.codec as Codec,
      sizeBytes: Number(r.sizeBytes),
      seeds: r.seeds,
      peers: r.peers,
      statsAt: r.lastStatsCheck,
    })),
    prefs,
    movie.runtime,
    now,
  );
}

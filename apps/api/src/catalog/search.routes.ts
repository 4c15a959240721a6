import { foldText, Prisma, type Db } from '@cinenest/db';
import type { AppDeps } from '../deps.js';
import { route, type RouteSpec } from '../http/routes.js';
import type { Images } from './images.js';
import { requestSnapshot } from './db-snapshot.js';
import { withTranslations } from './includes.js';
import { parseLang, type Lang } from './language.js';
import { presentMovie, presentShow } from './present.js';
import { ResponseCache, sendJson } from './response-cache.js';
import { searchQuery, searchResponse } from './schemas.js';
import { enqueueAndWait, type JobOutcome } from './wait-for-job.js';

const PAGE_SIZE = 20;
/** pg_trgm word similarity above which a title matches: low enough for a typo or two. */
const THRESHOLD = '0.3';
/**
 * How long a completed TMDB search is taken as the answer without asking the queue again. The job
 * itself is kept (and answers the same search) for a day; asking again only matters once it is gone,
 * so this merely delays the next day's fresh TMDB search by as much.
 */
const TMDB_OUTCOME_MS = 30_000;

type Kind = 'movie' | 'show';
interface Hit {
  kind: Kind;
  id: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function matching(table: 'Movie' | 'TVShow', kind: Kind, q: string) {
  const like = `%${escapeLike(q)}%`;
  return Prisma.sql`
    SELECT ${kind}::text AS kind, id, word_similarity(${q}, "searchText") AS score, popularity
    FROM ${Prisma.raw(`"${table}"`)}
    WHERE ${q} <% "searchText" OR "searchText" LIKE ${like}`;
}

/** Typo- and accent-tolerant search over titles in every language (pg_trgm on folded text). */
async function searchLocal(db: Db, q: string, type: 'movie' | 'show' | 'all', page: number) {
  const parts = [];
  if (type !== 'show') parts.push(matching('Movie', 'movie', q));
  if (type !== 'movie') parts.push(matching('TVShow', 'show', q));
  const union = Prisma.join(parts, ' UNION ALL ');
  const threshold = () =>
    db.$queryRaw`SELECT set_config('pg_trgm.word_similarity_threshold', ${THRESHOLD}, true)`;
  // Ranking scores every match anyway, so the total comes from the same pass (a window count) rather than
  // a second scan that finds and checks every match again: a search matching thousands of titles costs
  // about a third less.
  const [, rows] = await db.$transaction([
    threshold(),
    db.$queryRaw<Array<Hit & { total: bigint }>>`
      SELECT kind, id, count(*) OVER () AS total FROM (${union}) AS hits
      ORDER BY score DESC, popularity DESC NULLS LAST, kind, id
      LIMIT ${PAGE_SIZE} OFFSET ${(page - 1) * PAGE_SIZE}`,
  ]);
  const hits = rows.map(({ kind, id }) => ({ kind, id }));
  if (rows.length || page === 1) return { hits, total: Number(rows[0]?.total ?? 0) };
  // A page past the last one holds no row to carry the total: count apart.
  const [, counted] = await db.$transaction([
    threshold(),
    db.$queryRaw<Array<{ total: bigint }>>`SELECT count(*) AS total FROM (${union}) AS hits`,
  ]);
  return { hits, total: Number(counted[0]?.total ?? 0) };
}

async function load(db: Db, hits: Hit[], lang: Lang, images: Images) {
  const ids = (kind: Kind) => hits.filter((h) => h.kind === kind).map((h) => h.id);
  const [movies, shows] = await Promise.all([
    db.movie.findMany({ where: { id: { in: ids('movie') } }, include: withTranslations(lang) }),
    db.tVShow.findMany({ where: { id: { in: ids('show') } }, include: withTranslations(lang) }),
  ]);
  const byKey = new Map<string, ReturnType<typeof presentMovie> | ReturnType<typeof presentShow>>();
  for (const m of movies) byKey.set(`movie:${m.id}`, presentMovie(m, lang, images));
  for (const s of shows) byKey.set(`show:${s.id}`, presentShow(s, lang, images));
  return hits.map((h) => byKey.get(`${h.kind}:${h.id}`)).filter((x) => x !== undefined);
}

interface TmdbFound {
  movies: number[];
  shows: number[];
}

export function searchRoutes({ db, queues, config }: AppDeps, images: Images): RouteSpec[] {
  // Answers as served, valid while the database is unchanged (never stale, see response-cache.ts) and
  // the TMDB part they merged is still the one the queue gives.
  const answers = new ResponseCache();
  const completed = new Map<string, { found: TmdbFound; until: number }>();

  /** The answer from the local matches and the TMDB part. */
  async function answer(
    query: { q: string; type: 'movie' | 'show' | 'all'; page: number },
    lang: Lang,
    local: { hits: Hit[]; total: number },
    tmdb: JobOutcome,
  ) {
    const items = await load(db, local.hits, lang, images);
    let extra = 0;
    if (tmdb.status === 'completed') {
      // Titles TMDB knows that were not held yet: stored by the job, appended after local matches.
      const found = tmdb.value as TmdbFound;
      const have = new Set(items.map((i) => `${i.type}:${i.tmdbId}`));
      const [movies, shows] = await Promise.all([
        query.type === 'show'
          ? []
          : db.movie.findMany({
              where: { tmdbId: { in: found.movies } },
              include: withTranslations(lang),
            }),
        query.type === 'movie'
          ? []
          : db.tVShow.findMany({
              where: { tmdbId: { in: found.shows } },
              include: withTranslations(lang),
            }),
      ]);
      const added = [
        ...movies.filter((m) => !have.has(`movie:${m.tmdbId}`)).map((m) => presentMovie(m, lang, images)),
        ...shows.filter((s) => !have.has(`show:${s.tmdbId}`)).map((s) => presentShow(s, lang, images)),
      ];
      items.push(...added);
      extra = added.length;
    }
    return {
      items,
      page: query.page,
      pageSize: PAGE_SIZE,
      total: local.total + extra,
      tmdb: tmdb.status === 'completed' ? 'complete' : tmdb.status,
    };
  }

  return [
    route({
      method: 'get',
      path: '/api/v1/search',
      access: 'user',
      summary: 'Search titles held (typo and accent tolerant), merged with TMDB search run by the worker',
      query: searchQuery,
      response: searchResponse,
      handler: async ({ query, res }) => {
        const lang = parseLang(query.lang, config.DEFAULT_LANGUAGE);
        const q = foldText(query.q);
        const [snapshot] = await Promise.all([requestSnapshot(db, res), images.refresh()]);
        // The TMDB job's own identity (it folds the query the same way).
        const search = `${query.type}|${q}|${query.page}`;
        const keyOf = (found: TmdbFound) =>
          `${search}|${lang.language}-${lang.region}|${images.version}|${JSON.stringify([found.movies, found.shows])}`;
        const known = completed.get(search);
        if (known && known.until > Date.now()) {
          const tmdb: JobOutcome = { status: 'completed', value: known.found };
          const body = await answers.get(keyOf(known.found), snapshot, async () => ({
            body: await answer(query, lang, await searchLocal(db, q, query.type, query.page), tmdb),
          }));
          return sendJson(res, body);
        }
        const [local, tmdb] = await Promise.all([
          searchLocal(db, q, query.type, query.page),
          enqueueAndWait(
            queues,
            'catalog.search',
            { query: query.q, type: query.type, page: query.page },
            config.CATALOG_WAIT_MS / 2,
          ),
        ]);
        if (tmdb.status !== 'completed') return answer(query, lang, local, tmdb);
        const found = tmdb.value as TmdbFound;
        if (completed.size >= 10_000) completed.clear();
        completed.set(search, { found, until: Date.now() + TMDB_OUTCOME_MS });
        const body = await answers.get(keyOf(found), snapshot, async () => ({
          body: await answer(query, lang, local, tmdb),
        }));
        return sendJson(res, body);
      },
    }),
  ];
}

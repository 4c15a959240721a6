import { searchTextOf, type Db } from '@cinenest/db';
import type { TmdbSeason, TmdbSeasonSummary, TmdbTvDetails, TmdbTvSummary } from '@cinenest/tmdb';
import { dateOf, logoPathOf, trailerKeyOf, translationRows, yearOf } from './mapping.js';

/** Upserts a show, its genres, translations and season list (episodes come with catalog.season-sync). */
export async function saveShow(
  db: Db,
  d: TmdbTvDetails,
  languages: readonly string[],
  defaultLanguage: string,
) {
  const translations = translationRows(d.translations?.translations, languages, (t) => t.name);
  const genreIds = d.genres.map((g) => g.id);
  if (d.genres.length) {
    await db.genre.createMany({
      data: d.genres.map((g) => ({ id: g.id, name: g.name })),
      skipDuplicates: true,
    });
    await db.genre.updateMany({ where: { id: { in: genreIds }, forShows: false }, data: { forShows: true } });
  }
  const data = {
    imdbId: d.external_ids?.imdb_id || null,
    tvdbId: d.external_ids?.tvdb_id ?? null,
    name: d.name,
    originalName: d.original_name || null,
    originalLanguage: d.original_language || null,
    overview: d.overview || null,
    tagline: d.tagline || null,
    firstAirDate: dateOf(d.first_air_date),
    lastAirDate: dateOf(d.last_air_date),
    year: yearOf(d.first_air_date),
    numberOfSeasons: d.number_of_seasons ?? null,
    inProduction: d.in_production ?? null,
    status: d.status || null,
    rating: d.vote_average ?? 0,
    voteCount: d.vote_count ?? null,
    popularity: d.popularity ?? 0,
    trailerKey: trailerKeyOf(d.videos?.results),
    posterPath: d.poster_path,
    backdropPath: d.backdrop_path,
    logoPath: logoPathOf(d.images, defaultLanguage),
    searchText: searchTextOf([d.name, d.original_name, ...translations.map((t) => t.title)]),
    syncedAt: new Date(),
  };
  // The upsert (one INSERT … ON CONFLICT) runs first in the transaction and locks the show's row until the
  // commit: two jobs writing one show take turns instead of colliding on its translations.
  const show = await db.$transaction(async (tx) => {
    const row = await tx.tVShow.upsert({
      where: { tmdbId: d.id },
      create: { tmdbId: d.id, ...data },
      update: data,
    });
    await tx.tVShow.update({
      where: { id: row.id },
      data: { genres: { set: genreIds.map((id) => ({ id })) } },
    });
    await tx.tVShowTranslation.deleteMany({ where: { showId: row.id } });
    await tx.tVShowTranslation.createMany({
      data: translations.map(({ title, ...t }) => ({ showId: row.id, name: title, ...t })),
    });
    return row;
  });
  for (const s of d.seasons ?? []) {
    const fields = seasonFields(s, s.episode_count ?? null);
    const existing = await db.season.findUnique({
      where: { showId_seasonNumber: { showId: show.id, seasonNumber: s.season_number } },
      select: { episodeCount: true },
    });
    // A season whose episode count changed is synced again.
    const changed = existing !== null && existing.episodeCount !== fields.episodeCount;
    await db.season.upsert({
      where: { showId_seasonNumber: { showId: show.id, seasonNumber: s.season_number } },
      create: { showId: show.id, seasonNumber: s.season_number, ...fields },
      update: { ...fields, ...(changed ? { synced: false } : {}) },
    });
  }
  return show;
}

function seasonFields(s: TmdbSeasonSummary | TmdbSeason, episodeCount: number | null) {
  return {
    tmdbId: s.id,
    name: s.name || null,
    overview: s.overview || null,
    airDate: dateOf(s.air_date),
    posterPath: s.poster_path,
    episodeCount,
  };
}

/** Episodes of one season; marks the season synced. */
export async function saveSeason(db: Db, showId: number, s: TmdbSeason) {
  const fields = seasonFields(s, s.episodes.length);
  const season = await db.season.upsert({
    where: { showId_seasonNumber: { showId, seasonNumber: s.season_number } },
    create: { showId, seasonNumber: s.season_number, ...fields },
    update: fields,
  });
  await db.$transaction([
    ...s.episodes.map((e) => {
      const ep = {
        tmdbId: e.id,
        name: e.name || null,
        overview: e.overview || null,
        airDate: dateOf(e.air_date),
        runtime: e.runtime ?? null,
        stillPath: e.still_path,
        rating: e.vote_average ?? null,
      };
      return db.episode.upsert({
        where: { seasonId_episodeNumber: { seasonId: season.id, episodeNumber: e.episode_number } },
        create: { seasonId: season.id, episodeNumber: e.episode_number, ...ep },
        update: ep,
      });
    }),
    db.season.update({ where: { id: season.id }, data: { synced: true, syncedAt: new Date() } }),
  ]);
  return season;
}

export async function saveShowStubs(db: Db, items: TmdbTvSummary[]) {
  if (!items.length) return [];
  await db.tVShow.createMany({
    data: items.map((s) => ({
      tmdbId: s.id,
      name: s.name,
      originalName: s.original_name || null,
      originalLanguage: s.original_language || null,
      overview: s.overview || null,
      firstAirDate: dateOf(s.first_air_date),
      year: yearOf(s.first_air_date),
      rating: s.vote_average ?? 0,
      voteCount: s.vote_count ?? null,
      popularity: s.popularity ?? 0,
      posterPath: s.poster_path,
      backdropPath: s.backdrop_path,
      searchText: searchTextOf([s.name, s.original_name]),
    })),
    skipDuplicates: true,
  });
  return db.tVShow.findMany({
    where: { tmdbId: { in: items.map((s) => s.id) } },
    select: { id: true, tmdbId: true, syncedAt: true },
  });
}

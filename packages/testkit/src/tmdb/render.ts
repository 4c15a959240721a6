import type { MediaKind, StandInCatalog } from './catalog.js';
import { hash32 } from './prng.js';
import type {
  EpisodeRecord,
  ImageRecord,
  MediaRecord,
  MovieRecord,
  SeasonRecord,
  ShowRecord,
  VideoRecord,
} from './records.js';
import {
  isLang,
  LANG_INFO,
  LANGS,
  MOVIE_GENRES,
  SEASON_WORD,
  SPECIALS,
  TV_GENRES,
  type Lang,
} from './words.js';

/** Turns catalog records into TMDB v3's JSON shapes, in the asked language. */

export interface Language {
  /** The language texts come in (English when the stand-in has no translation). */
  text: Lang;
  /** The iso_639_1 code asked for, if any: images and videos are filtered by it, as TMDB does. */
  asked?: string;
}

export function language(param: string | null): Language {
  if (!param) return { text: 'en' };
  const code = param.split('-')[0]!.toLowerCase();
  return { text: isLang(code) ? code : 'en', asked: code };
}

type Json = Record<string, unknown>;

const hexId = (label: string): string =>
  [0, 1, 2].map((i) => hash32(`${label}:${i}`).toString(16).padStart(8, '0')).join('');

export function genreList(kind: MediaKind, lang: Lang): Array<{ id: number; name: string }> {
  return (kind === 'movie' ? MOVIE_GENRES : TV_GENRES).map((g) => ({ id: g.id, name: g.names[lang] }));
}

function genresOf(kind: MediaKind, ids: number[], lang: Lang): Array<{ id: number; name: string }> {
  const all = genreList(kind, lang);
  return ids.map((id) => all.find((g) => g.id === id)!).filter(Boolean);
}

/** poster_path (in the asked language, as TMDB picks it) and backdrop_path. */
function art(catalog: StandInCatalog, r: MovieRecord | ShowRecord, lang: Lang) {
  const { images } = catalog.media(r.kind, r.id)!;
  return {
    backdrop_path: images.backdrops[0]?.path ?? null,
    poster_path: (images.posters.find((p) => p.lang === lang) ?? images.posters[0])?.path ?? null,
  };
}

export function movieSummary(catalog: StandInCatalog, r: MovieRecord, lang: Lang): Json {
  const t = catalog.texts('movie', r.id)!;
  return {
    adult: false,
    ...art(catalog, r, lang),
    genre_ids: r.genreIds,
    id: r.id,
    original_language: r.originalLanguage,
    original_title: t[r.originalLanguage].title,
    overview: t[lang].overview,
    popularity: r.popularity,
    release_date: r.releaseDate,
    title: t[lang].title,
    video: false,
    vote_average: r.voteAverage,
    vote_count: r.voteCount,
  };
}

export function showSummary(catalog: StandInCatalog, r: ShowRecord, lang: Lang): Json {
  const t = catalog.texts('tv', r.id)!;
  return {
    adult: false,
    ...art(catalog, r, lang),
    genre_ids: r.genreIds,
    id: r.id,
    origin_country: [LANG_INFO[r.originalLanguage].country],
    original_language: r.originalLanguage,
    original_name: t[r.originalLanguage].title,
    overview: t[lang].overview,
    popularity: r.popularity,
    first_air_date: r.seasons.find((s) => s.number === 1)?.airDate ?? '',
    name: t[lang].title,
    vote_average: r.voteAverage,
    vote_count: r.voteCount,
  };
}

export interface Appendix {
  blocks: Set<string>;
  /** include_image_language / include_video_language: lists of iso_639_1 codes, 'null' for none. */
  imageLanguages?: string[];
  videoLanguages?: string[];
}

const SIZES = { posters: [2000, 3000], backdrops: [3840, 2160], logos: [1000, 400] } as const;

function imageBlock(r: MediaRecord, langs: string[] | undefined): Json {
  const keep = (i: ImageRecord) => !langs || langs.includes(i.lang ?? 'null');
  const shape = (kind: keyof typeof SIZES) => (i: ImageRecord) => ({
    aspect_ratio: Math.round((SIZES[kind][0] / SIZES[kind][1]) * 1000) / 1000,
    height: SIZES[kind][1],
    width: SIZES[kind][0],
    iso_639_1: i.lang,
    file_path: i.path,
    vote_average: Math.round(i.vote * 1000) / 1000,
    vote_count: 3,
  });
  return {
    backdrops: r.images.backdrops.filter(keep).map(shape('backdrops')),
    logos: r.images.logos.filter(keep).map(shape('logos')),
    posters: r.images.posters.filter(keep).map(shape('posters')),
  };
}

function videoBlock(r: MediaRecord, langs: string[] | undefined, published: string): Json {
  const shape = (v: VideoRecord) => ({
    iso_639_1: v.lang,
    iso_3166_1: LANG_INFO[v.lang].country,
    name: v.name,
    key: v.key,
    site: 'YouTube',
    size: 1080,
    type: v.type,
    official: true,
    published_at: `${published || '2000-01-01'}T16:00:00.000Z`,
    id: hexId(v.key),
  });
  return { results: r.videos.filter((v) => !langs || langs.includes(v.lang)).map(shape) };
}

function translations(kind: MediaKind, catalog: StandInCatalog, r: MovieRecord | ShowRecord): Json {
  const t = catalog.texts(kind, r.id)!;
  return {
    translations: LANGS.map((lang) => ({
      iso_3166_1: LANG_INFO[lang].country,
      iso_639_1: lang,
      name: LANG_INFO[lang].name,
      english_name: LANG_INFO[lang].englishName,
      data:
        kind === 'movie'
          ? {
              homepage: '',
              overview: t[lang].overview,
              runtime: (r as MovieRecord).runtime,
              tagline: t[lang].tagline,
              title: t[lang].title,
            }
          : { homepage: '', name: t[lang].title, overview: t[lang].overview, tagline: t[lang].tagline },
    })),
  };
}

export function movieExternalIds(r: MovieRecord): Json {
  return {
    id: r.id,
    imdb_id: r.imdbId,
    wikidata_id: null,
    facebook_id: null,
    instagram_id: null,
    twitter_id: null,
  };
}

export function showExternalIds(r: ShowRecord): Json {
  return {
    id: r.id,
    imdb_id: r.imdbId,
    freebase_mid: null,
    freebase_id: null,
    tvdb_id: r.tvdbId,
    tvrage_id: null,
    wikidata_id: null,
    facebook_id: null,
    instagram_id: null,
    twitter_id: null,
  };
}

/** A sub-resource (/movie/{id}/images and friends) or an append_to_response block. */
export function block(
  name: string,
  kind: MediaKind,
  catalog: StandInCatalog,
  r: MovieRecord | ShowRecord,
  appendix: Appendix,
  published: string,
): Json | undefined {
  switch (name) {
    case 'translations':
      return translations(kind, catalog, r);
    case 'images':
      return imageBlock(catalog.media(kind, r.id)!, appendix.imageLanguages);
    case 'videos':
      return videoBlock(catalog.media(kind, r.id)!, appendix.videoLanguages, published);
    case 'external_ids':
      return r.kind === 'movie' ? movieExternalIds(r) : showExternalIds(r);
    default:
      return undefined;
  }
}

function appended(
  kind: MediaKind,
  catalog: StandInCatalog,
  r: MovieRecord | ShowRecord,
  appendix: Appendix,
  published: string,
): Json {
  const out: Json = {};
  for (const name of appendix.blocks) {
    const b = block(name, kind, catalog, r, appendix, published);
    if (b) out[name] = b;
  }
  return out;
}

export function movieDetails(catalog: StandInCatalog, r: MovieRecord, lang: Lang, appendix: Appendix): Json {
  const t = catalog.texts('movie', r.id)!;
  return {
    adult: false,
    ...art(catalog, r, lang),
    belongs_to_collection: null,
    budget: r.budget,
    genres: genresOf('movie', r.genreIds, lang),
    homepage: '',
    id: r.id,
    imdb_id: r.imdbId,
    origin_country: [LANG_INFO[r.originalLanguage].country],
    original_language: r.originalLanguage,
    original_title: t[r.originalLanguage].title,
    overview: t[lang].overview,
    popularity: r.popularity,
    production_companies: [],
    production_countries: [],
    release_date: r.releaseDate,
    revenue: r.revenue,
    runtime: r.runtime,
    spoken_languages: [
      {
        english_name: LANG_INFO[r.originalLanguage].englishName,
        iso_639_1: r.originalLanguage,
        name: LANG_INFO[r.originalLanguage].name,
      },
    ],
    status: r.releaseDate > catalog.today ? 'Post Production' : 'Released',
    tagline: t[lang].tagline,
    title: t[lang].title,
    video: false,
    vote_average: r.voteAverage,
    vote_count: r.voteCount,
    ...appended('movie', catalog, r, appendix, r.releaseDate),
  };
}

export function episodeShape(e: EpisodeRecord, lang: Lang, last: boolean, withPeople: boolean): Json {
  return {
    air_date: e.airDate,
    episode_number: e.number,
    episode_type: last ? 'finale' : 'standard',
    id: e.id,
    name: e.text[lang].name,
    overview: e.text[lang].overview,
    production_code: '',
    runtime: e.runtime,
    season_number: e.season,
    show_id: e.showId,
    still_path: e.stillPath,
    vote_average: e.voteAverage,
    vote_count: e.voteCount,
    ...(withPeople ? { crew: [], guest_stars: [] } : {}),
  };
}

const seasonName = (s: SeasonRecord, lang: Lang): string =>
  s.number === 0 ? SPECIALS[lang] : `${SEASON_WORD[lang]} ${s.number}`;

export function showDetails(catalog: StandInCatalog, r: ShowRecord, lang: Lang, appendix: Appendix): Json {
  const t = catalog.texts('tv', r.id)!;
  const episodes = r.seasons.filter((s) => s.number > 0).flatMap((s) => catalog.episodes(r.id, s.number)!);
  const aired = episodes.filter((e) => e.airDate <= catalog.today);
  const last = aired[aired.length - 1];
  const next = episodes.find((e) => e.airDate > catalog.today);
  const isFinale = (e: EpisodeRecord) =>
    e.number === r.seasons.find((s) => s.number === e.season)!.episodeCount;
  const firstAirDate = r.seasons.find((s) => s.number === 1)?.airDate ?? '';
  return {
    adult: false,
    ...art(catalog, r, lang),
    created_by: [],
    episode_run_time: [r.episodeRunTime],
    first_air_date: firstAirDate,
    genres: genresOf('tv', r.genreIds, lang),
    homepage: '',
    id: r.id,
    in_production: r.inProduction,
    languages: [r.originalLanguage],
    last_air_date: last?.airDate ?? null,
    last_episode_to_air: last ? episodeShape(last, lang, isFinale(last), false) : null,
    name: t[lang].title,
    next_episode_to_air: next ? episodeShape(next, lang, isFinale(next), false) : null,
    networks: [],
    number_of_episodes: episodes.length,
    number_of_seasons: r.seasons.filter((s) => s.number > 0).length,
    origin_country: [LANG_INFO[r.originalLanguage].country],
    original_language: r.originalLanguage,
    original_name: t[r.originalLanguage].title,
    overview: t[lang].overview,
    popularity: r.popularity,
    production_companies: [],
    seasons: r.seasons.map((s) => ({
      air_date: s.airDate,
      episode_count: s.episodeCount,
      id: s.id,
      name: seasonName(s, lang),
      overview: '',
      poster_path: s.posterPath,
      season_number: s.number,
      vote_average: 0,
    })),
    status: r.status,
    tagline: t[lang].tagline,
    type: 'Scripted',
    vote_average: r.voteAverage,
    vote_count: r.voteCount,
    ...appended('tv', catalog, r, appendix, firstAirDate),
  };
}

export function seasonDetails(catalog: StandInCatalog, r: ShowRecord, s: SeasonRecord, lang: Lang): Json {
  const episodes = catalog.episodes(r.id, s.number)!;
  return {
    _id: hexId(`season:${s.id}`),
    air_date: s.airDate,
    episodes: episodes.map((e, i) => episodeShape(e, lang, s.number > 0 && i === episodes.length - 1, true)),
    name: seasonName(s, lang),
    overview: '',
    id: s.id,
    poster_path: s.posterPath,
    season_number: s.number,
    vote_average: 0,
  };
}

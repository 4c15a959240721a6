import { dateOf, dayNumber, rng, type Rng } from './prng.js';
import { localizedTexts, type Localized } from './text.js';
import { LANGS, MOVIE_GENRES, NOUNS, ADJECTIVES, TV_GENRES, type Lang, type Words } from './words.js';

/** How one generated title is held; the routes turn these into TMDB's shapes. */

export const FIRST_MOVIE_ID = 1000;
export const FIRST_SHOW_ID = 500_000;
export const MAX_MOVIES = FIRST_SHOW_ID - FIRST_MOVIE_ID;
export const MAX_SHOWS = 400_000;

export interface ImageRecord {
  path: string;
  lang: Lang | null;
  vote: number;
}

export interface Images {
  posters: ImageRecord[];
  backdrops: ImageRecord[];
  logos: ImageRecord[];
}

export interface VideoRecord {
  key: string;
  lang: Lang;
  type: 'Trailer' | 'Teaser';
  name: string;
}

interface Common {
  id: number;
  index: number;
  imdbId: string;
  originalLanguage: Lang;
  genreIds: number[];
  popularity: number;
  voteAverage: number;
  voteCount: number;
  /** This week's trending score. */
  trending: number;
}

/** Images and videos are drawn apart from the record (and only when asked for), so lists stay cheap. */
export interface MediaRecord {
  images: Images;
  videos: VideoRecord[];
}

export interface MovieRecord extends Common {
  kind: 'movie';
  runtime: number;
  releaseDate: string;
  budget: number;
  revenue: number;
}

export interface SeasonRecord {
  id: number;
  number: number;
  airDate: string;
  episodeCount: number;
  posterPath: string;
}

export interface ShowRecord extends Common {
  kind: 'tv';
  tvdbId: number;
  status: 'Returning Series' | 'Ended' | 'Canceled';
  inProduction: boolean;
  episodeRunTime: number;
  /** Season 0 (specials) first when the show has one. */
  seasons: SeasonRecord[];
}

export interface EpisodeRecord {
  id: number;
  showId: number;
  season: number;
  number: number;
  airDate: string;
  runtime: number;
  stillPath: string;
  voteAverage: number;
  voteCount: number;
  text: Record<Lang, { name: string; overview: string }>;
}

// imdb ids: an affine bijection on 7-digit numbers, so ids look scattered yet map back to an index.
const IMDB_SPAN = 9_000_000;
const IMDB_MUL = 7919;
const IMDB_ADD = 104_729;
const SHOW_IMDB_OFFSET = 5_000_000;
const IMDB_INV = modInverse(IMDB_MUL, IMDB_SPAN);

function modInverse(a: number, m: number): number {
  let [oldR, r, oldS, s] = [a, m, 1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

function imdbOf(slot: number): string {
  return `tt${1_000_000 + ((slot * IMDB_MUL + IMDB_ADD) % IMDB_SPAN)}`;
}

/** The slot an imdb id was made from (movies: index, shows: SHOW_IMDB_OFFSET + index). */
export function imdbSlot(imdbId: string): number | undefined {
  const m = /^tt(\d{7})$/.exec(imdbId);
  if (!m) return undefined;
  const x = Number(m[1]) - 1_000_000;
  if (x < 0) return undefined;
  const diff = (((x - IMDB_ADD) % IMDB_SPAN) + IMDB_SPAN) % IMDB_SPAN;
  // Both factors are below 9e6, so the product stays exact in a double.
  return (diff * IMDB_INV) % IMDB_SPAN;
}
export { SHOW_IMDB_OFFSET };

const imagePath = (r: Rng): string => `/${r.token(27)}.jpg`;

function images(r: Rng, posterLangs: Lang[]): Images {
  return {
    posters: [
      ...posterLangs.map((lang) => ({ path: imagePath(r), lang, vote: 5 + r.next() * 5 })),
      { path: imagePath(r), lang: null, vote: 5 },
    ],
    backdrops: [
      { path: imagePath(r), lang: null, vote: 5 + r.next() * 5 },
      { path: imagePath(r), lang: null, vote: 5 },
      { path: imagePath(r), lang: 'en', vote: 5 },
    ],
    logos: posterLangs.map((lang) => ({ path: imagePath(r).replace('.jpg', '.png'), lang, vote: 5 })),
  };
}

function videos(r: Rng): VideoRecord[] {
  return [
    { key: r.token(11), lang: 'en', type: 'Trailer', name: 'Official Trailer' },
    { key: r.token(11), lang: 'en', type: 'Teaser', name: 'Teaser' },
    { key: r.token(11), lang: 'fr', type: 'Trailer', name: 'Bande-annonce officielle' },
  ];
}

function originalLanguage(r: Rng): Lang {
  const x = r.next();
  return x < 0.6 ? 'en' : x < 0.75 ? 'fr' : x < 0.87 ? 'es' : 'de';
}

function genreIds(r: Rng, list: readonly { id: number }[]): number[] {
  const out = new Set<number>();
  const n = r.int(1, 3);
  while (out.size < n) out.add(r.pick(list).id);
  return [...out];
}

function votes(r: Rng, popularity: number): { voteCount: number; voteAverage: number } {
  if (r.chance(0.05)) return { voteCount: 0, voteAverage: 0 };
  const voteCount = Math.floor(popularity * r.int(2, 60));
  return { voteCount, voteAverage: Math.round((3.5 + r.next() * 5.4) * 1000) / 1000 };
}

export function mediaRecord(seed: number, kind: 'movie' | 'tv', index: number): MediaRecord {
  const r = rng(`${seed}:${kind}-media:${index}`);
  return { images: images(r, ['en', 'fr']), videos: videos(r) };
}

const FIRST_RELEASE = dayNumber('1950-01-01')!;
const LAST_RELEASE = dayNumber('2026-12-31')!;
const FIRST_AIR = dayNumber('1960-01-01')!;

export function movieRecord(seed: number, index: number, today: number): MovieRecord {
  const r = rng(`${seed}:movie:${index}`);
  const recent = r.chance(0.08);
  const releaseDay = recent ? today + r.int(-120, 120) : r.int(FIRST_RELEASE, LAST_RELEASE);
  let popularity = Math.exp(r.next() * 6.5);
  if (recent) popularity *= 3;
  popularity = Math.round(popularity * 1000) / 1000;
  const { voteCount, voteAverage } = votes(r, releaseDay > today ? 0 : popularity);
  return {
    kind: 'movie',
    id: FIRST_MOVIE_ID + index,
    index,
    imdbId: imdbOf(index),
    originalLanguage: originalLanguage(r),
    genreIds: genreIds(r, MOVIE_GENRES),
    popularity,
    voteAverage,
    voteCount,
    trending:
      Math.round(popularity * (0.3 + r.next()) * (Math.abs(releaseDay - today) < 60 ? 4 : 1) * 1000) / 1000,
    runtime: r.int(75, 180),
    releaseDate: dateOf(releaseDay),
    budget: r.int(0, 200) * 1_000_000,
    revenue: r.int(0, 900) * 1_000_000,
  };
}

/** The texts are drawn apart from the record, so lists never pay for them. */
export function movieTexts(seed: number, index: number): Record<Lang, Localized> {
  return localizedTexts(rng(`${seed}:movie-text:${index}`));
}

export function showTexts(seed: number, index: number): Record<Lang, Localized> {
  return localizedTexts(rng(`${seed}:show-text:${index}`));
}

export function showRecord(seed: number, index: number, today: number): ShowRecord {
  const r = rng(`${seed}:show:${index}`);
  const id = FIRST_SHOW_ID + index;
  const count = r.int(1, 6);
  const inProduction = r.chance(0.3);
  const episodeCounts = Array.from({ length: count }, () => r.int(6, 12));
  // Season start days, last first: in production, the last season is airing (or about to); else long ago.
  const starts: number[] = [];
  let next = inProduction
    ? today - r.int(-2, episodeCounts[count - 1]! - 1) * 7 - r.int(0, 6)
    : r.int(FIRST_AIR + count * 420, today - 400);
  for (let s = count; s >= 1; s--) {
    starts[s] = next;
    next -= r.int(300, 420);
  }
  const seasons: SeasonRecord[] = [];
  if (r.chance(0.25)) {
    seasons.push({
      id: 3_000_000 + index * 10,
      number: 0,
      airDate: dateOf(starts[1]! + 30),
      episodeCount: r.int(1, 3),
      posterPath: imagePath(r),
    });
  }
  for (let s = 1; s <= count; s++) {
    seasons.push({
      id: 3_000_000 + index * 10 + s,
      number: s,
      airDate: dateOf(starts[s]!),
      episodeCount: episodeCounts[s - 1]!,
      posterPath: imagePath(r),
    });
  }
  const popularity = Math.round(Math.exp(r.next() * 6) * (inProduction ? 2 : 1) * 1000) / 1000;
  const { voteCount, voteAverage } = votes(r, popularity);
  return {
    kind: 'tv',
    id,
    index,
    imdbId: imdbOf(SHOW_IMDB_OFFSET + index),
    tvdbId: 70_000 + index * 3,
    originalLanguage: originalLanguage(r),
    genreIds: genreIds(r, TV_GENRES),
    popularity,
    voteAverage,
    voteCount,
    trending: Math.round(popularity * (0.3 + r.next()) * (inProduction ? 3 : 1) * 1000) / 1000,
    status: inProduction ? 'Returning Series' : r.chance(0.7) ? 'Ended' : 'Canceled',
    inProduction,
    episodeRunTime: r.pick([22, 25, 30, 42, 45, 50, 60]),
    seasons,
  };
}

const episodeName = (n: Words, a: Words): Record<Lang, string> => ({
  en: `The ${a.en} ${n.en}`.replace(/\b\w/g, (c) => c.toUpperCase()),
  fr: `Le ${n.fr} ${a.fr}`,
  de: `Der ${a.de} ${n.de}`,
  es: `El ${n.es} ${a.es}`,
});

export function episodeRecords(seed: number, show: ShowRecord, season: SeasonRecord): EpisodeRecord[] {
  const r = rng(`${seed}:season:${show.index}:${season.number}`);
  const start = dayNumber(season.airDate)!;
  return Array.from({ length: season.episodeCount }, (_, i) => {
    const names = episodeName(r.pick(NOUNS), r.pick(ADJECTIVES));
    const text = {} as EpisodeRecord['text'];
    for (const lang of LANGS) text[lang] = { name: names[lang], overview: `${names[lang]}.` };
    return {
      id: 4_000_000 + show.index * 1000 + season.number * 40 + i + 1,
      showId: show.id,
      season: season.number,
      number: i + 1,
      airDate: dateOf(start + (season.number === 0 ? i * 30 : i * 7)),
      runtime: show.episodeRunTime + r.int(-3, 5),
      stillPath: imagePath(r),
      voteAverage: Math.round((5 + r.next() * 4) * 1000) / 1000,
      voteCount: r.int(0, 400),
      text,
    };
  });
}

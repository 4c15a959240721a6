import { createHash } from 'node:crypto';
import type { StandInCatalog } from '../tmdb/catalog.js';
import { fold, hash32, rng, unit, type Rng } from '../tmdb/prng.js';
import { localizedTexts } from '../tmdb/text.js';

/** The YTS catalog every mirror serves: movies in YTS's own field names, minus the mirror-relative URLs. */

export type YtsStandInQuality = '480p' | '720p' | '1080p' | '1080p.x265' | '2160p' | '3D';

/** A torrent as YTS lists it, without `url` (each mirror points it at itself). */
export interface YtsStandInTorrent {
  /** 40 hex digits, upper case, as YTS gives them. */
  hash: string;
  quality: YtsStandInQuality;
  type: 'web' | 'bluray';
  /** YTS sends these three as strings: "0"/"1", "8"/"10", "2.0"/"5.1". */
  is_repack: string;
  video_codec: 'x264' | 'x265';
  bit_depth: string;
  audio_channels: string;
  seeds: number;
  peers: number;
  /** "1.60 GB", "796.94 MB" */
  size: string;
  size_bytes: number;
  /** "YYYY-MM-DD HH:MM:SS" */
  date_uploaded: string;
  date_uploaded_unix: number;
}

/** A movie as YTS lists it, without the mirror-relative `url` and `*_image` fields. */
export interface YtsStandInMovie {
  id: number;
  imdb_code: string;
  title: string;
  title_english: string;
  title_long: string;
  slug: string;
  year: number;
  rating: number;
  runtime: number;
  genres: string[];
  summary: string;
  description_full: string;
  synopsis: string;
  yt_trailer_code: string;
  language: string;
  mpa_rating: string;
  state: 'ok';
  torrents: YtsStandInTorrent[];
  date_uploaded: string;
  date_uploaded_unix: number;
  like_count: number;
}

/** What a test (or ytsMoviesFromTmdb) gives the stand-in; everything else is generated from the seed. */
export interface YtsMovieInput {
  imdbId: string;
  title: string;
  year: number;
  /** Minutes; generated when absent. */
  runtime?: number;
}

/** The qualities YTS publishes, in its order, with how often a generated movie has each. */
const QUALITY_PLAN: ReadonlyArray<{ quality: YtsStandInQuality; chance: number; gbPerHour: number }> = [
  { quality: '480p', chance: 0.08, gbPerHour: 0.45 },
  { quality: '720p', chance: 0.9, gbPerHour: 0.55 },
  { quality: '1080p', chance: 0.9, gbPerHour: 1.05 },
  { quality: '1080p.x265', chance: 0.3, gbPerHour: 0.8 },
  { quality: '2160p', chance: 0.25, gbPerHour: 3 },
  { quality: '3D', chance: 0.05, gbPerHour: 1.1 },
];

/** Share of generated movies YTS lists without any torrent. */
const NO_TORRENTS = 0.12;

const GENRES = [
  'Action',
  'Adventure',
  'Animation',
  'Biography',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Family',
  'Fantasy',
  'History',
  'Horror',
  'Music',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Sport',
  'Thriller',
  'War',
  'Western',
] as const;

const FIRST_YTS_ID = 10_000;
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const UPLOADS_FROM = Date.UTC(2015, 0, 1) / 1000;
const UPLOADS_TO = Date.UTC(2025, 11, 31) / 1000;

/** YTS's size text: two decimals, GB from one GiB up, MB below. */
export function formatSize(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(2)} GB` : `${(bytes / MiB).toFixed(2)} MB`;
}

const dateText = (unix: number): string => new Date(unix * 1000).toISOString().slice(0, 19).replace('T', ' ');

/** "The Silent River" (1999) → "the-silent-river-1999", as YTS builds its slugs. */
export function slugOf(title: string, year: number): string {
  const base = fold(title)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${base || 'movie'}-${year}`;
}

const torrentHash = (seed: number, imdbId: string, quality: string): string =>
  createHash('sha1').update(`${seed}:yts-torrent:${imdbId}:${quality}`).digest('hex').toUpperCase();

function torrentFor(
  seed: number,
  imdbId: string,
  runtime: number,
  plan: (typeof QUALITY_PLAN)[number],
  r: Rng,
  movieUploaded: number,
): YtsStandInTorrent {
  const x265 = plan.quality === '1080p.x265' || plan.quality === '2160p';
  const sizeBytes = Math.round(((plan.gbPerHour * runtime) / 60) * (0.8 + r.next() * 0.45) * GiB);
  const uploaded = movieUploaded + r.int(0, 400) * 86_400 * (plan.quality === '720p' ? 0 : 1);
  const seeds = Math.floor(Math.exp(r.next() * 7)) - 1;
  return {
    hash: torrentHash(seed, imdbId, plan.quality),
    quality: plan.quality,
    type: r.chance(0.6) ? 'bluray' : 'web',
    is_repack: r.chance(0.05) ? '1' : '0',
    video_codec: x265 ? 'x265' : 'x264',
    bit_depth: plan.quality === '2160p' ? '10' : '8',
    audio_channels:
      plan.quality === '480p' || plan.quality === '720p' ? '2.0' : r.pick(['2.0', '5.1', '5.1']),
    seeds,
    peers: Math.floor(seeds * r.next() * 0.6),
    size: formatSize(sizeBytes),
    size_bytes: sizeBytes,
    date_uploaded: dateText(uploaded),
    date_uploaded_unix: uploaded,
  };
}

function movieFor(seed: number, index: number, input: YtsMovieInput): YtsStandInMovie {
  const r = rng(`${seed}:yts-movie:${input.imdbId}`);
  const runtime = input.runtime ?? r.int(80, 170);
  const uploaded = r.int(UPLOADS_FROM, UPLOADS_TO);
  const genres = new Set<string>();
  const genreCount = r.int(1, 3);
  while (genres.size < genreCount) genres.add(r.pick(GENRES));
  const summary = `${input.title} (${input.year}): a film YTS lists for the stand-in.`;
  let torrents: YtsStandInTorrent[] = [];
  if (!r.chance(NO_TORRENTS)) {
    const plans = QUALITY_PLAN.filter((p) => r.chance(p.chance));
    if (plans.length === 0) plans.push(QUALITY_PLAN[1]!);
    torrents = plans.map((p) => torrentFor(seed, input.imdbId, runtime, p, r, uploaded));
  }
  return {
    id: FIRST_YTS_ID + index,
    imdb_code: input.imdbId,
    title: input.title,
    title_english: input.title,
    title_long: `${input.title} (${input.year})`,
    slug: slugOf(input.title, input.year),
    year: input.year,
    rating: Math.round((3 + r.next() * 6.5) * 10) / 10,
    runtime,
    genres: [...genres],
    summary,
    description_full: summary,
    synopsis: summary,
    yt_trailer_code: r.token(11),
    language: r.chance(0.8) ? 'en' : r.pick(['fr', 'es', 'de']),
    mpa_rating: r.pick(['G', 'PG', 'PG-13', 'R', '']),
    state: 'ok',
    torrents,
    date_uploaded: dateText(uploaded),
    date_uploaded_unix: uploaded,
    like_count: r.int(0, 2000),
  };
}

/** `count` titled movies with scattered IMDb ids, all from the seed. */
export function generatedMovies(seed: number, count: number): YtsMovieInput[] {
  const out: YtsMovieInput[] = [];
  const taken = new Set<string>();
  for (let i = 0; out.length < count; i++) {
    const imdbId = `tt${1_000_000 + (hash32(`${seed}:yts-imdb:${i}`) % 9_000_000)}`;
    if (taken.has(imdbId)) continue;
    taken.add(imdbId);
    const r = rng(`${seed}:yts-title:${i}`);
    out.push({ imdbId, title: localizedTexts(r).en.title, year: r.int(1970, 2025) });
  }
  return out;
}

export interface FromTmdbOptions {
  /** Share of the TMDB stand-in's released movies YTS has, chosen from the seed (default 0.8). */
  share?: number;
}

/**
 * The TMDB stand-in's released movies (or a seeded share of them), as YTS input: the same IMDb ids,
 * English titles, release years and runtimes. `startYtsMirrors({ movies: ytsMoviesFromTmdb(tmdb.catalog) })`
 * makes the two stand-ins agree, so a source search for a synced movie finds its torrents.
 */
export function ytsMoviesFromTmdb(catalog: StandInCatalog, options: FromTmdbOptions = {}): YtsMovieInput[] {
  const share = options.share ?? 0.8;
  if (share < 0 || share > 1) throw new RangeError('share must be within 0..1');
  return catalog
    .allMovies()
    .filter((m) => m.releaseDate <= catalog.today)
    .filter((m) => unit(`${catalog.seed}:yts-has:${m.imdbId}`) < share)
    .map((m) => ({
      imdbId: m.imdbId,
      title: catalog.texts('movie', m.id)!.en.title,
      year: Number(m.releaseDate.slice(0, 4)),
      runtime: m.runtime,
    }));
}

const IMDB_ID = /^tt\d{7,8}$/;

/** A query_term the way YTS reads it: an IMDb code exactly, or the words of a title in any order. */
function matcher(term: string): (movie: YtsStandInMovie) => boolean {
  const words = fold(term)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const code = term.trim().toLowerCase();
  return (movie) => {
    if (movie.imdb_code.toLowerCase() === code) return true;
    if (words.length === 0) return false;
    const title = ` ${fold(movie.title)
      .split(/[^\p{L}\p{N}]+/u)
      .join(' ')} `;
    return words.every((w) => title.includes(w));
  };
}

/** Every mirror serves the same catalog; torrents can be replaced per movie. */
export class YtsStandInCatalog {
  readonly seed: number;
  private readonly list: YtsStandInMovie[];
  private readonly byImdbId = new Map<string, YtsStandInMovie>();
  private readonly byYtsId = new Map<number, YtsStandInMovie>();

  constructor(seed: number, inputs: YtsMovieInput[]) {
    this.seed = seed;
    this.list = inputs.map((input, i) => {
      if (!IMDB_ID.test(input.imdbId)) throw new RangeError(`not an IMDb id: ${input.imdbId}`);
      if (this.byImdbId.has(input.imdbId)) throw new RangeError(`IMDb id listed twice: ${input.imdbId}`);
      const movie = movieFor(seed, i, input);
      this.byImdbId.set(movie.imdb_code, movie);
      this.byYtsId.set(movie.id, movie);
      return movie;
    });
  }

  movies(): YtsStandInMovie[] {
    return this.list;
  }

  byImdb(imdbId: string): YtsStandInMovie | undefined {
    return this.byImdbId.get(imdbId);
  }

  byId(id: number): YtsStandInMovie | undefined {
    return this.byYtsId.get(id);
  }

  /** Movies a query_term matches; '' and '0' (YTS's default) match everything. */
  search(term: string): YtsStandInMovie[] {
    const t = term.trim();
    if (t === '' || t === '0') return [...this.list];
    const match = matcher(t);
    return this.list.filter(match);
  }

  /**
   * Replaces a movie's torrents ([] for none). Missing fields are generated; hashes are upper-cased as
   * YTS sends them. Returns the torrents as now listed.
   */
  setTorrents(imdbId: string, torrents: Array<Partial<YtsStandInTorrent>>): YtsStandInTorrent[] {
    const movie = this.byImdbId.get(imdbId);
    if (!movie) throw new RangeError(`the YTS stand-in has no movie ${imdbId}`);
    const r = rng(`${this.seed}:yts-set:${imdbId}:${torrents.length}`);
    movie.torrents = torrents.map((given, i) => {
      const quality = given.quality ?? QUALITY_PLAN[1 + (i % 2)]!.quality;
      const plan = QUALITY_PLAN.find((p) => p.quality === quality) ?? QUALITY_PLAN[1]!;
      const made = torrentFor(this.seed, imdbId, movie.runtime, plan, r, movie.date_uploaded_unix);
      const merged = { ...made, ...given, quality };
      if (given.hash !== undefined && !/^[0-9a-f]{40}$/i.test(given.hash))
        throw new RangeError(`not a 40-hex info-hash: ${given.hash}`);
      if (given.hash === undefined && i > 0) merged.hash = torrentHash(this.seed, imdbId, `${quality}:${i}`);
      merged.hash = merged.hash.toUpperCase();
      if (given.size_bytes !== undefined && given.size === undefined)
        merged.size = formatSize(given.size_bytes);
      return merged;
    });
    return movie.torrents;
  }
}

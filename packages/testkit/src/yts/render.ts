import type { YtsStandInCatalog, YtsStandInMovie } from './catalog.js';

/** YTS v2's answers, built for one mirror (its origin goes into every URL). */

export interface Reply {
  status: number;
  contentType: string;
  body: string | Buffer;
}

const json = (status: number, body: unknown): Reply => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
});

const meta = () => ({
  server_time: Math.floor(Date.now() / 1000),
  server_timezone: 'CET',
  api_version: 2,
  execution_time: '0 ms',
});

export const ok = (data: unknown): Reply =>
  json(200, { status: 'ok', status_message: 'Query was successful', data, '@meta': meta() });

export const statusError = (message: string): Reply =>
  json(200, { status: 'error', status_message: message, '@meta': meta() });

export const notFoundPage = (): Reply => ({
  status: 404,
  contentType: 'text/html; charset=UTF-8',
  body: '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>',
});

/** What a mirror behind Cloudflare answers while it challenges or after its origin went away. */
export const CLOUDFLARE_PAGE = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">
</head><body><div class="main-wrapper" role="main"><div class="main-content"><h1>yts.mx</h1>
<h2 id="challenge-running">Checking if the site connection is secure</h2>
<noscript><div>Enable JavaScript and cookies to continue</div></noscript></div></div>
<div class="footer">Performance &amp; security by Cloudflare</div></body></html>`;

export const UNAVAILABLE_PAGE =
  '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center>' +
  '<h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>';

const imageDir = (movie: YtsStandInMovie): string =>
  movie.slug.replace(/-(\d{4})$/, '_$1').replace(/-/g, '_');

/** A movie as list_movies.json lists it. */
export function movieJson(origin: string, movie: YtsStandInMovie) {
  const images = `${origin}/assets/images/movies/${imageDir(movie)}`;
  return {
    id: movie.id,
    url: `${origin}/movies/${movie.slug}`,
    imdb_code: movie.imdb_code,
    title: movie.title,
    title_english: movie.title_english,
    title_long: movie.title_long,
    slug: movie.slug,
    year: movie.year,
    rating: movie.rating,
    runtime: movie.runtime,
    genres: movie.genres,
    summary: movie.summary,
    description_full: movie.description_full,
    synopsis: movie.synopsis,
    yt_trailer_code: movie.yt_trailer_code,
    language: movie.language,
    mpa_rating: movie.mpa_rating,
    background_image: `${images}/background.jpg`,
    background_image_original: `${images}/background.jpg`,
    small_cover_image: `${images}/small-cover.jpg`,
    medium_cover_image: `${images}/medium-cover.jpg`,
    large_cover_image: `${images}/large-cover.jpg`,
    state: movie.state,
    torrents: movie.torrents.map((t) => ({ url: `${origin}/torrent/download/${t.hash}`, ...t })),
    date_uploaded: movie.date_uploaded,
    date_uploaded_unix: movie.date_uploaded_unix,
  };
}

/** movie_details.json's movie: the listed fields, the like count and the intro. */
function detailsJson(origin: string, movie: YtsStandInMovie) {
  const { summary: _summary, synopsis: _synopsis, ...rest } = movieJson(origin, movie);
  return { ...rest, like_count: movie.like_count, description_intro: movie.description_full };
}

/** What YTS answers for an id it does not have: status ok and an empty movie, id 0. */
function emptyMovie(origin: string) {
  return {
    id: 0,
    url: `${origin}/movies/`,
    imdb_code: '',
    title: '',
    title_english: '',
    title_long: ' (0)',
    slug: '',
    year: 0,
    rating: 0,
    runtime: 0,
    genres: [],
    like_count: 0,
    description_intro: '',
    description_full: '',
    yt_trailer_code: '',
    language: '',
    mpa_rating: '',
    background_image: '',
    background_image_original: '',
    small_cover_image: '',
    medium_cover_image: '',
    large_cover_image: '',
    torrents: [],
    date_uploaded: '',
    date_uploaded_unix: 0,
  };
}

const SORTS: Record<string, (m: YtsStandInMovie) => number | string> = {
  title: (m) => m.title.toLowerCase(),
  year: (m) => m.year,
  rating: (m) => m.rating,
  peers: (m) => m.torrents.reduce((n, t) => n + t.peers, 0),
  seeds: (m) => m.torrents.reduce((n, t) => n + t.seeds, 0),
  like_count: (m) => m.like_count,
  date_added: (m) => m.date_uploaded_unix,
};

const intParam = (value: string | null, min: number, max: number, fallback: number): number => {
  const n = Number(value);
  return value !== null && Number.isInteger(n) && n >= min && n <= max ? n : fallback;
};

/** list_movies.json: query_term, limit (1–50, else 20), page, quality, minimum_rating, genre, sort_by, order_by. */
export function listMovies(origin: string, catalog: YtsStandInCatalog, params: URLSearchParams): Reply {
  const limit = intParam(params.get('limit'), 1, 50, 20);
  const page = intParam(params.get('page'), 1, Number.MAX_SAFE_INTEGER, 1);
  const quality = params.get('quality');
  const minimumRating = intParam(params.get('minimum_rating'), 0, 9, 0);
  const genre = params.get('genre')?.toLowerCase();
  let movies = catalog.search(params.get('query_term') ?? '');
  if (quality && quality.toLowerCase() !== 'all')
    movies = movies.filter((m) => m.torrents.some((t) => t.quality === quality));
  if (minimumRating > 0) movies = movies.filter((m) => m.rating >= minimumRating);
  if (genre && genre !== 'all')
    movies = movies.filter((m) => m.genres.some((g) => g.toLowerCase() === genre));
  const key = SORTS[params.get('sort_by') ?? ''] ?? SORTS.date_added!;
  const direction = params.get('order_by') === 'asc' ? 1 : -1;
  movies.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : a.id - b.id) * direction;
  });
  const slice = movies.slice((page - 1) * limit, page * limit);
  const data: Record<string, unknown> = { movie_count: movies.length, limit, page_number: page };
  // YTS leaves `movies` out when the page is empty (nothing matched, or past the last page).
  if (slice.length > 0) data.movies = slice.map((m) => movieJson(origin, m));
  return ok(data);
}

/** movie_details.json?movie_id=…|imdb_id=… */
export function movieDetails(origin: string, catalog: YtsStandInCatalog, params: URLSearchParams): Reply {
  const imdbId = params.get('imdb_id');
  const movieId = params.get('movie_id');
  if (!imdbId && !movieId) return statusError('Movie ID or IMDb ID must be set');
  const movie = imdbId ? catalog.byImdb(imdbId.trim()) : catalog.byId(Number(movieId));
  return ok({ movie: movie ? detailsJson(origin, movie) : emptyMovie(origin) });
}

/** YTS v2 response shapes, as far as Cinenest reads them (fields mirrors may leave out are optional). */

export type YtsQuality = '480p' | '720p' | '1080p' | '1080p.x265' | '2160p' | '3D';

export interface YtsTorrent {
  /** The .torrent on the mirror that answered. */
  url: string;
  /** 40 hex digits, UPPER case as YTS sends it: compare through normaliseHash(). */
  hash: string;
  /** One of YtsQuality, or whatever new label YTS starts using. */
  quality: YtsQuality | (string & {});
  /** 'web' or 'bluray'. */
  type: string;
  /** YTS sends these as strings: is_repack "0"/"1", bit_depth "8"/"10", audio_channels "2.0"/"5.1". */
  is_repack?: string;
  video_codec?: string;
  bit_depth?: string;
  audio_channels?: string;
  seeds: number;
  peers: number;
  /** "1.60 GB" */
  size: string;
  size_bytes: number;
  date_uploaded?: string;
  date_uploaded_unix: number;
}

export interface YtsMovie {
  id: number;
  url: string;
  imdb_code: string;
  title: string;
  title_english?: string;
  title_long: string;
  slug: string;
  year: number;
  rating: number;
  runtime: number;
  genres?: string[];
  summary?: string;
  description_full?: string;
  synopsis?: string;
  yt_trailer_code?: string;
  language?: string;
  mpa_rating?: string;
  background_image?: string;
  background_image_original?: string;
  small_cover_image?: string;
  medium_cover_image?: string;
  large_cover_image?: string;
  state?: string;
  /** Always an array here: the client puts [] where a mirror left the field out. */
  torrents: YtsTorrent[];
  date_uploaded?: string;
  date_uploaded_unix: number;
}

/** movie_details.json's movie: the listed fields plus a few of its own. */
export interface YtsMovieDetails extends YtsMovie {
  like_count?: number;
  description_intro?: string;
}

/** Every YTS answer: status "ok" | "error", a message, the data. */
export interface YtsEnvelope<D> {
  status: 'ok' | 'error';
  status_message: string;
  data: D;
  '@meta'?: { server_time: number; server_timezone: string; api_version: number; execution_time: string };
}

export interface YtsListMoviesData {
  movie_count: number;
  limit: number;
  page_number: number;
  /** Absent when the page is empty. */
  movies?: YtsMovie[];
}

export interface YtsMovieDetailsData {
  movie: YtsMovieDetails;
}

/**
 * How an attempt ended: the HTTP status ("200", "503"), 'invalid-body' (HTML, truncated or
 * otherwise not YTS JSON), 'status-error' (YTS said status "error"), or the network error
 * ('ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', …).
 */
export type YtsOutcome = string;

/** One HTTP attempt within a call. */
export interface YtsAttempt {
  /** The mirror's base URL, as configured. */
  mirror: string;
  outcome: YtsOutcome;
  /** The attempt was the one probe of a mirror whose circuit had been open. */
  probe: boolean;
  durationMs: number;
}

export interface YtsResponseEvent extends YtsAttempt {
  /** e.g. /list_movies.json */
  path: string;
  /** 0 for the first attempt of a call, 1 for the first failover, … */
  attempt: number;
  /** The attempt succeeded (outcome "200" with a usable body). */
  ok: boolean;
}

export type YtsCircuit = 'closed' | 'open' | 'half-open';

/** A mirror's circuit breaker, as every process sharing the key prefix sees it. */
export interface YtsMirrorState {
  mirror: string;
  /** 'half-open': the open time is over and the next call probes it (or one is probing it now). */
  circuit: YtsCircuit;
  /** Consecutive failures (reset by a success). */
  failures: number;
  /** While open: how long until a probe is allowed. */
  retryInMs: number;
  lastFailure?: YtsOutcome;
}

/** What this client counted since it was made. */
export interface YtsStats {
  /** HTTP attempts, failovers and probes included. */
  requests: number;
  byOutcome: Record<string, number>;
  /** Attempts that went to another mirror after a failure. */
  failovers: number;
  probes: number;
  /** Calls that ended in YtsUnavailableError. */
  unavailable: number;
}

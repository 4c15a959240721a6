import type { Db } from '@cinenest/db';
import { IMAGE_CONFIGURATION_KEY } from '@cinenest/queue';

interface ImageConfig {
  secure_base_url: string;
  poster_sizes: string[];
  backdrop_sizes: string[];
  logo_sizes: string[];
  still_sizes: string[];
}

const FALLBACK: ImageConfig = {
  secure_base_url: 'https://image.tmdb.org/t/p/',
  poster_sizes: ['w185', 'w342', 'w780', 'original'],
  backdrop_sizes: ['w780', 'w1280', 'original'],
  logo_sizes: ['w185', 'w500', 'original'],
  still_sizes: ['w300', 'original'],
};

/** The sizes Cinenest offers clients, when TMDB's configuration has them. */
const WANTED = {
  poster: ['w185', 'w342', 'w780', 'original'],
  backdrop: ['w780', 'w1280', 'original'],
  logo: ['w185', 'w500', 'original'],
  still: ['w300', 'original'],
} as const;
export type ImageKind = keyof typeof WANTED;

export type ImageUrls = Record<string, string> | null;

const REFRESH_MS = 5 * 60_000;

/**
 * Turns TMDB image paths into absolute URLs in several sizes, from the configuration the worker
 * stores (catalog.reference-sync); the API itself never calls TMDB.
 */
export class Images {
  private config: ImageConfig = FALLBACK;
  private loadedAt = 0;
  /** Bumped whenever the configuration is read again: answers cached with URLs depend on it. */
  version = 0;

  constructor(private readonly db: Db) {}

  async refresh(): Promise<this> {
    if (Date.now() - this.loadedAt < REFRESH_MS) return this;
    const row = await this.db.syncState.findUnique({ where: { key: IMAGE_CONFIGURATION_KEY } });
    const data = row?.data as Partial<ImageConfig> | null | undefined;
    if (data?.secure_base_url) this.config = { ...FALLBACK, ...data } as ImageConfig;
    this.loadedAt = Date.now();
    this.version++;
    return this;
  }

  urls(kind: ImageKind, path: string | null | undefined): ImageUrls {
    if (!path) return null;
    const available = this.config[`${kind}_sizes`] ?? [];
    const base = this.config.secure_base_url.replace(/\/?$/, '/');
    const urls: Record<string, string> = {};
    for (const size of WANTED[kind]) if (available.includes(size)) urls[size] = `${base}${size}${path}`;
    return urls;
  }
}

import type { TmdbConfiguration } from './types.js';

/**
 * The full URL of a TMDB image: secure_base_url + size + path, e.g. imageUrl(config, '/abc.jpg', 'w342').
 * null when the title has no such image. Sizes come from the configuration's *_sizes lists or 'original'.
 */
export function imageUrl(
  config: TmdbConfiguration,
  path: string | null | undefined,
  size: string,
): string | null {
  if (!path) return null;
  const base = config.images.secure_base_url.replace(/\/?$/, '/');
  return `${base}${size}${path.startsWith('/') ? path : `/${path}`}`;
}

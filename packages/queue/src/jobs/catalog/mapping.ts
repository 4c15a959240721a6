import type { TmdbImages, TmdbTranslation, TmdbVideo } from '@cinenest/tmdb';

/** TMDB dates are "YYYY-MM-DD" or "" / null. */
export function dateOf(value: string | null | undefined): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function yearOf(value: string | null | undefined): number | null {
  return dateOf(value)?.getUTCFullYear() ?? null;
}

/** The YouTube key of the best trailer: official first, then English, then any. */
export function trailerKeyOf(videos: TmdbVideo[] | undefined): string | null {
  const trailers = (videos ?? []).filter((v) => v.site === 'YouTube' && v.type === 'Trailer' && v.key);
  const rank = (v: TmdbVideo) => (v.official ? 0 : 2) + (v.iso_639_1 === 'en' ? 0 : 1);
  return trailers.sort((a, b) => rank(a) - rank(b))[0]?.key ?? null;
}

/** The best-voted logo in the default language, else a language-less one, else any. */
export function logoPathOf(images: TmdbImages | undefined, language: string): string | null {
  const logos = [...(images?.logos ?? [])].sort((a, b) => b.vote_average - a.vote_average);
  return (
    logos.find((l) => l.iso_639_1 === language)?.file_path ??
    logos.find((l) => !l.iso_639_1)?.file_path ??
    logos[0]?.file_path ??
    null
  );
}

export interface TranslationRow {
  language: string;
  region: string;
  title: string | null;
  overview: string | null;
  tagline: string | null;
}

/** Translations in the languages we keep; empty strings become null so the API falls back. */
export function translationRows<D extends { overview?: string; tagline?: string }>(
  translations: TmdbTranslation<D>[] | undefined,
  languages: readonly string[],
  titleOf: (data: D) => string | undefined,
): TranslationRow[] {
  const seen = new Set<string>();
  const rows: TranslationRow[] = [];
  for (const t of translations ?? []) {
    if (!languages.includes(t.iso_639_1)) continue;
    const key = `${t.iso_639_1}-${t.iso_3166_1 ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({
      language: t.iso_639_1,
      region: t.iso_3166_1 ?? '',
      title: titleOf(t.data)?.trim() || null,
      overview: t.data.overview?.trim() || null,
      tagline: t.data.tagline?.trim() || null,
    });
  }
  return rows;
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return isoDay(date);
}

import { z } from 'zod';

export const langQuery = z
  .string()
  .regex(/^[a-zA-Z]{2}(-[a-zA-Z]{2})?$/, 'a language such as fr or fr-FR')
  .optional();

export interface Lang {
  language: string;
  region: string;
}

export function parseLang(value: string | undefined, fallback: string): Lang {
  const [language, region] = (value ?? fallback).split('-');
  return { language: language!.toLowerCase(), region: (region ?? '').toUpperCase() };
}

interface TranslationLike {
  language: string;
  region: string;
}

/** The translation for the asked language: its region first, then any region of it. */
export function pickTranslation<T extends TranslationLike>(
  translations: T[] | undefined,
  lang: Lang,
): T | undefined {
  const same = (translations ?? []).filter((t) => t.language === lang.language);
  return same.find((t) => t.region === lang.region) ?? same.find((t) => t.region === '') ?? same[0];
}

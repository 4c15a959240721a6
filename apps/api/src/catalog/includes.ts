import type { Lang } from './language.js';

/** Only the asked language's translations are read, never all of them. */
export function withTranslations(lang: Lang) {
  return {
    translations: { where: { language: lang.language } },
    genres: { include: { translations: { where: { language: lang.language } } } },
  };
}

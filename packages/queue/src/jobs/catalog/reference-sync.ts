import { z } from 'zod';
import { defineJob } from '../../define.js';
import { PRIORITY } from '../../priorities.js';
import { fromTmdb } from './outcomes.js';

export const IMAGE_CONFIGURATION_KEY = 'tmdb.configuration';

/** Genre names in every catalog language, and TMDB's image configuration (base URL and sizes). */
export const referenceSync = defineJob({
  name: 'catalog.reference-sync',
  queue: 'catalog',
  schema: z.strictObject({}),
  every: (config) => config.REFERENCE_SYNC_INTERVAL * 1000,
  options: { priority: PRIORITY.demand, attempts: 8, backoff: { type: 'exponential', delay: 5000 } },
  handler: async (_payload, { db, tmdb, config }) => {
    const configuration = await fromTmdb(() => tmdb.configuration());
    await db.syncState.upsert({
      where: { key: IMAGE_CONFIGURATION_KEY },
      create: { key: IMAGE_CONFIGURATION_KEY, lastRunAt: new Date(), data: configuration.images },
      update: { lastRunAt: new Date(), data: configuration.images },
    });
    let genres = 0;
    const languages = [
      config.DEFAULT_LANGUAGE,
      ...config.CATALOG_LANGUAGES.filter((l) => l !== config.DEFAULT_LANGUAGE),
    ];
    for (const kind of ['movie', 'tv'] as const) {
      for (const language of languages) {
        const list = await fromTmdb(() => tmdb.genres(kind, language));
        const flag = kind === 'movie' ? { forMovies: true } : { forShows: true };
        for (const g of list.genres) {
          if (language === config.DEFAULT_LANGUAGE) {
            await db.genre.upsert({
              where: { id: g.id },
              create: { id: g.id, name: g.name, ...flag },
              update: { name: g.name, ...flag },
            });
            genres++;
          } else {
            await db.genreTranslation.upsert({
              where: { genreId_language: { genreId: g.id, language } },
              create: { genreId: g.id, language, name: g.name },
              update: { name: g.name },
            });
          }
        }
      }
    }
    return { genres, languages };
  },
});

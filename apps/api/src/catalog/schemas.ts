import { z } from 'zod';
import { pagingQuery } from '../http/paging.js';
import { langQuery } from './language.js';

export const tmdbIdParams = z.strictObject({ tmdbId: z.coerce.number().int().positive().max(2_147_483_647) });

export const seasonParams = z.strictObject({
  tmdbId: z.coerce.number().int().positive().max(2_147_483_647),
  number: z.coerce.number().int().min(0).max(1000),
});

const browse = {
  ...pagingQuery,
  genre: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  year: z.coerce.number().int().min(1870).max(2100).optional(),
  sort: z.enum(['popularity', 'rating', 'releaseDate', 'title']).default('popularity'),
  lang: langQuery,
};

export const browseQuery = z.strictObject(browse);

export const langOnlyQuery = z.strictObject({ lang: langQuery });

export const searchQuery = z.strictObject({
  q: z.string().trim().min(1, 'must not be empty').max(200),
  type: z.enum(['movie', 'show', 'all']).default('all'),
  page: z.coerce.number().int().min(1).max(500).default(1),
  lang: langQuery,
});

export const genresQuery = z.strictObject({ lang: langQuery, type: z.enum(['movie', 'show']).optional() });

export const listParams = z.strictObject({ slug: z.string().regex(/^[a-z0-9-]{1,60}$/, 'a list slug') });
export const listQuery = z.strictObject({ ...pagingQuery, lang: langQuery });

import type { z } from 'zod';
import { paging } from '../http/paging.js';
import type { browseQuery } from './schemas.js';

type Browse = z.infer<typeof browseQuery>;

/** What movies and shows are browsed by alike: the filter, its key for the count cache, and the page. */
export function browseArgs(query: Browse) {
  const where = {
    ...(query.genre ? { genres: { some: { id: query.genre } } } : {}),
    ...(query.year ? { year: query.year } : {}),
  };
  return { where, countKey: JSON.stringify(where), page: paging(query.page, query.pageSize) };
}

export function browsePage<T>(items: T[], query: Browse, total: number) {
  return { items, page: query.page, pageSize: query.pageSize, total };
}

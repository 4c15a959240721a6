import type { Prisma } from '@cinenest/db';

type Sort = 'popularity' | 'rating' | 'releaseDate' | 'title';

export function movieOrder(sort: Sort): Prisma.MovieOrderByWithRelationInput[] {
  const by: Record<Sort, Prisma.MovieOrderByWithRelationInput> = {
    popularity: { popularity: 'desc' },
    rating: { rating: 'desc' },
    releaseDate: { releaseDate: { sort: 'desc', nulls: 'last' } },
    title: { title: 'asc' },
  };
  return [by[sort], { id: 'asc' }];
}

export function showOrder(sort: Sort): Prisma.TVShowOrderByWithRelationInput[] {
  const by: Record<Sort, Prisma.TVShowOrderByWithRelationInput> = {
    popularity: { popularity: 'desc' },
    rating: { rating: 'desc' },
    releaseDate: { firstAirDate: { sort: 'desc', nulls: 'last' } },
    title: { name: 'asc' },
  };
  return [by[sort], { id: 'asc' }];
}

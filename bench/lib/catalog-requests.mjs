// The catalog requests people make, generated from a seed: /api/v1/movies pages as people browse and
// search queries as people type them (words of held titles, folded, with typos).
import { URLSearchParams } from 'node:url';
import { foldText } from '../../packages/db/dist/search-text.js';

/** /api/v1/movies as people browse: mostly the first pages by popularity, other sorts, some filters. */
export function moviePaths(count, genreIds, rnd, { pages = 500 } = {}) {
  const pick = (items) => items[Math.floor(rnd() * items.length)];
  return Array.from({ length: count }, () => {
    const params = new URLSearchParams();
    const u = rnd();
    const page =
      u < 0.7
        ? 1 + Math.floor(rnd() * 5)
        : u < 0.95
          ? 6 + Math.floor(rnd() * Math.min(45, pages - 5))
          : 51 + Math.floor(rnd() * Math.max(1, pages - 50));
    if (page > 1) params.set('page', String(Math.min(page, pages)));
    const s = rnd();
    const sort = s < 0.55 ? 'popularity' : s < 0.7 ? 'rating' : s < 0.85 ? 'releaseDate' : 'title';
    if (sort !== 'popularity') params.set('sort', sort);
    if (rnd() < 0.1) params.set('genre', String(pick(genreIds)));
    if (rnd() < 0.05) params.set('year', String(1980 + Math.floor(rnd() * 45)));
    if (rnd() < 0.2) params.set('lang', 'fr');
    const query = params.toString();
    return `/api/v1/movies${query ? `?${query}` : ''}`;
  });
}

/** One slip of the keyboard: a letter dropped, two swapped, one doubled or replaced. */
export function typo(word, rnd) {
  if (word.length < 4) return word;
  const i = 1 + Math.floor(rnd() * (word.length - 2));
  switch (Math.floor(rnd() * 4)) {
    case 0:
      return word.slice(0, i) + word.slice(i + 1);
    case 1:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 2:
      return word.slice(0, i) + word[i] + word.slice(i);
    default:
      return word.slice(0, i) + 'eaiou'[Math.floor(rnd() * 5)] + word.slice(i + 1);
  }
}

/**
 * What people type into search: one or two words of a held title (a StandInCatalog's) in any of its
 * languages, as written or without accents, lower case, most with a typo.
 */
export function searchQueries(catalog, count, rnd) {
  const ids = catalog.movieIds();
  const queries = new Set();
  while (queries.size < count) {
    const texts = catalog.texts('movie', ids[Math.floor(rnd() * ids.length)]);
    const title = texts[['en', 'en', 'fr', 'de', 'es'][Math.floor(rnd() * 5)]].title;
    const words = title
      .split(/[\s']+/)
      .filter((w) => w.length >= 3 && !/^(the|les?|la|die|der|das|el|los|de)$/i.test(w));
    if (!words.length) continue;
    const start = Math.floor(rnd() * words.length);
    let picked = words.slice(start, start + (rnd() < 0.5 ? 1 : 2));
    if (rnd() < 0.8) {
      const k = Math.floor(rnd() * picked.length);
      picked = picked.map((w, j) => (j === k ? typo(w, rnd) : w));
    }
    let q = picked.join(' ');
    const style = rnd();
    if (style < 0.5) q = foldText(q);
    else if (style < 0.75) q = q.toLowerCase();
    queries.add(q);
  }
  return [...queries];
}

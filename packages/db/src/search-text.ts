/** Lower case without accents: "Amélie" and "amelie" compare equal (pg_trgm works on the result). */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The searchable text of a title: every distinct folded name it goes by, in any language. */
export function searchTextOf(names: Array<string | null | undefined>): string {
  return [...new Set(names.filter((n): n is string => !!n && !!n.trim()).map(foldText))].join(' | ');
}

import type { Rng } from './prng.js';
import { ADJECTIVES, LANGS, NAMES, NOUNS, PLACES, type Lang, type Words } from './words.js';

/** A title's (or name's) text in one language. */
export interface Localized {
  title: string;
  overview: string;
  tagline: string;
}

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');
const cap = (s: string): string => s.charAt(0).toLocaleUpperCase() + s.slice(1);
const titleCase = (s: string): string => s.split(' ').map(cap).join(' ');

type Title = (n: Words, a: Words, name: string, place: string) => Words;

const TITLES: readonly Title[] = [
  (n, a) => ({
    en: titleCase(`the ${a.en} ${n.en}`),
    fr: cap(`le ${n.fr} ${a.fr}`),
    de: cap(`die ${a.de} ${cap(n.de)}`),
    es: cap(`el ${n.es} ${a.es}`),
  }),
  (n, _a, name) => ({
    en: `${name}'s ${cap(n.en)}`,
    fr: cap(`${n.fr} de ${name}`),
    de: `${name}s ${n.de}`,
    es: cap(`${n.es} de ${name}`),
  }),
  (_n, _a, name) => ({ en: name, fr: name, de: name, es: name }),
  (n, _a, name) => ({
    en: `${name} and the ${cap(n.en)}`,
    fr: `${name} et le ${n.fr}`,
    de: `${name} und der ${n.de}`,
    es: `${name} y el ${n.es}`,
  }),
  (n, _a, _name, place) => ({
    en: `${cap(n.en)} in ${place}`,
    fr: cap(`${n.fr} à ${place}`),
    de: `${n.de} in ${place}`,
    es: cap(`${n.es} en ${place}`),
  }),
  (n, a) => ({
    en: titleCase(`${a.en} ${n.en}`),
    fr: cap(`${n.fr} ${a.fr}`),
    de: cap(`${a.de} ${n.de}`),
    es: cap(`${n.es} ${a.es}`),
  }),
];

function overview(n: Words, a: Words, name: string, place: string, n2: Words): Words {
  return {
    en: `In ${place}, ${name} finds ${article(a.en)} ${a.en} ${n.en} that changes everything. Nothing is the same after the ${n2.en}.`,
    fr: `À ${place}, ${name} découvre un ${n.fr} ${a.fr} qui change tout. Rien n'est plus pareil après le ${n2.fr}.`,
    de: `In ${place} findet ${name} einen ${a.de}n ${n.de}, der alles verändert. Nach dem ${n2.de} ist nichts mehr wie zuvor.`,
    es: `En ${place}, ${name} encuentra un ${n.es} ${a.es} que lo cambia todo. Nada es igual después del ${n2.es}.`,
  };
}

function tagline(n: Words): Words {
  return {
    en: `Every ${n.en} has a secret.`,
    fr: `Chaque ${n.fr} a un secret.`,
    de: `Jedes ${n.de} hat ein Geheimnis.`,
    es: `Cada ${n.es} tiene un secreto.`,
  };
}

/** Title, overview and tagline in every language, from one random draw. */
export function localizedTexts(r: Rng): Record<Lang, Localized> {
  const n = r.pick(NOUNS);
  const a = r.pick(ADJECTIVES);
  const name = r.pick(NAMES);
  const place = r.pick(PLACES);
  const titles = r.pick(TITLES)(n, a, name, place);
  const sequel = r.chance(0.08) ? ` ${r.pick(['II', '2', '3'])}` : '';
  const overviews = overview(r.pick(NOUNS), r.pick(ADJECTIVES), name, place, r.pick(NOUNS));
  const taglines = tagline(r.pick(NOUNS));
  const out = {} as Record<Lang, Localized>;
  for (const lang of LANGS) {
    out[lang] = { title: titles[lang] + sequel, overview: overviews[lang], tagline: taglines[lang] };
  }
  return out;
}

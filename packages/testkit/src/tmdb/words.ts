/** The vocabulary of the generated catalog, in the four languages the stand-in translates into. */

export const LANGS = ['en', 'fr', 'de', 'es'] as const;
export type Lang = (typeof LANGS)[number];
export type Words = Record<Lang, string>;

/** iso_3166_1 and names, as TMDB's translations list them. */
export const LANG_INFO: Record<Lang, { country: string; name: string; englishName: string }> = {
  en: { country: 'US', name: 'English', englishName: 'English' },
  fr: { country: 'FR', name: 'Français', englishName: 'French' },
  de: { country: 'DE', name: 'Deutsch', englishName: 'German' },
  es: { country: 'ES', name: 'Español', englishName: 'Spanish' },
};

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

const w = (en: string, fr: string, de: string, es: string): Words => ({ en, fr, de, es });

export const NOUNS: readonly Words[] = [
  w('night', 'nuit', 'Nacht', 'noche'),
  w('city', 'ville', 'Stadt', 'ciudad'),
  w('river', 'rivière', 'Fluss', 'río'),
  w('garden', 'jardin', 'Garten', 'jardín'),
  w('café', 'café', 'Café', 'café'),
  w('summer', 'été', 'Sommer', 'verano'),
  w('dream', 'rêve', 'Traum', 'sueño'),
  w('shadow', 'ombre', 'Schatten', 'sombra'),
  w('child', 'enfant', 'Kind', 'niño'),
  w('winter', 'hiver', 'Winter', 'invierno'),
  w('sea', 'mer', 'Meer', 'mar'),
  w('heart', 'cœur', 'Herz', 'corazón'),
  w('station', 'gare', 'Bahnhof', 'estación'),
  w('road', 'route', 'Straße', 'camino'),
  w('star', 'étoile', 'Stern', 'estrella'),
  w('island', 'île', 'Insel', 'isla'),
  w('forest', 'forêt', 'Wald', 'bosque'),
  w('house', 'maison', 'Haus', 'casa'),
  w('mirror', 'miroir', 'Spiegel', 'espejo'),
  w('tomorrow', 'demain', 'Morgen', 'mañana'),
  w('song', 'chanson', 'Lied', 'canción'),
  w('storm', 'tempête', 'Sturm', 'tormenta'),
  w('castle', 'château', 'Schloss', 'castillo'),
  w('window', 'fenêtre', 'Fenster', 'ventana'),
];

export const ADJECTIVES: readonly Words[] = [
  w('last', 'dernier', 'letzte', 'último'),
  w('silent', 'silencieux', 'stille', 'silencioso'),
  w('golden', 'doré', 'goldene', 'dorado'),
  w('lost', 'perdu', 'verlorene', 'perdido'),
  w('red', 'rouge', 'rote', 'rojo'),
  w('secret', 'secret', 'geheime', 'secreto'),
  w('little', 'petit', 'kleine', 'pequeño'),
  w('endless', 'éternel', 'endlose', 'eterno'),
  w('broken', 'brisé', 'zerbrochene', 'roto'),
  w('hidden', 'caché', 'verborgene', 'oculto'),
  w('wild', 'sauvage', 'wilde', 'salvaje'),
  w('blue', 'bleu', 'blaue', 'azul'),
  w('strange', 'étrange', 'seltsame', 'extraño'),
  w('first', 'premier', 'erste', 'primero'),
];

export const NAMES: readonly string[] = [
  'Amélie',
  'Zoë',
  'José',
  'Chloé',
  'Renée',
  'Björn',
  'François',
  'Iñigo',
  'Søren',
  'Ángel',
  'Noël',
  'Inès',
  'Jürgen',
  'Léa',
  'Mónica',
  'Raphaël',
  'Max',
  'Anna',
  'Leo',
  'Clara',
  'Sam',
  'Nora',
  'Hugo',
  'Iris',
];

export const PLACES: readonly string[] = [
  'Paris',
  'Zürich',
  'São Paulo',
  'Málaga',
  'Köln',
  'Montréal',
  'Bogotá',
  'Reykjavík',
  'Kraków',
  'Lisbon',
  'Berlin',
  'Tokyo',
  'Oslo',
  'Sevilla',
];

/** Movie genres as TMDB lists them (ids are TMDB's). */
export const MOVIE_GENRES: readonly { id: number; names: Words }[] = [
  { id: 28, names: w('Action', 'Action', 'Action', 'Acción') },
  { id: 12, names: w('Adventure', 'Aventure', 'Abenteuer', 'Aventura') },
  { id: 16, names: w('Animation', 'Animation', 'Animation', 'Animación') },
  { id: 35, names: w('Comedy', 'Comédie', 'Komödie', 'Comedia') },
  { id: 80, names: w('Crime', 'Crime', 'Krimi', 'Crimen') },
  { id: 99, names: w('Documentary', 'Documentaire', 'Dokumentarfilm', 'Documental') },
  { id: 18, names: w('Drama', 'Drame', 'Drama', 'Drama') },
  { id: 10751, names: w('Family', 'Familial', 'Familie', 'Familia') },
  { id: 14, names: w('Fantasy', 'Fantastique', 'Fantasy', 'Fantasía') },
  { id: 36, names: w('History', 'Histoire', 'Historie', 'Historia') },
  { id: 27, names: w('Horror', 'Horreur', 'Horror', 'Terror') },
  { id: 10402, names: w('Music', 'Musique', 'Musik', 'Música') },
  { id: 9648, names: w('Mystery', 'Mystère', 'Mystery', 'Misterio') },
  { id: 10749, names: w('Romance', 'Romance', 'Liebesfilm', 'Romance') },
  { id: 878, names: w('Science Fiction', 'Science-Fiction', 'Science Fiction', 'Ciencia ficción') },
  { id: 10770, names: w('TV Movie', 'Téléfilm', 'TV-Film', 'Película de TV') },
  { id: 53, names: w('Thriller', 'Thriller', 'Thriller', 'Suspense') },
  { id: 10752, names: w('War', 'Guerre', 'Kriegsfilm', 'Bélica') },
  { id: 37, names: w('Western', 'Western', 'Western', 'Western') },
];

/** TV genres as TMDB lists them. */
export const TV_GENRES: readonly { id: number; names: Words }[] = [
  {
    id: 10759,
    names: w('Action & Adventure', 'Action & Adventure', 'Action & Adventure', 'Action & Adventure'),
  },
  { id: 16, names: w('Animation', 'Animation', 'Animation', 'Animación') },
  { id: 35, names: w('Comedy', 'Comédie', 'Komödie', 'Comedia') },
  { id: 80, names: w('Crime', 'Crime', 'Krimi', 'Crimen') },
  { id: 99, names: w('Documentary', 'Documentaire', 'Dokumentarfilm', 'Documental') },
  { id: 18, names: w('Drama', 'Drame', 'Drama', 'Drama') },
  { id: 10751, names: w('Family', 'Familial', 'Familie', 'Familia') },
  { id: 10762, names: w('Kids', 'Kids', 'Kids', 'Kids') },
  { id: 9648, names: w('Mystery', 'Mystère', 'Mystery', 'Misterio') },
  { id: 10763, names: w('News', 'News', 'News', 'News') },
  { id: 10764, names: w('Reality', 'Reality', 'Reality', 'Reality') },
  {
    id: 10765,
    names: w('Sci-Fi & Fantasy', 'Science-Fiction & Fantastique', 'Sci-Fi & Fantasy', 'Sci-Fi & Fantasy'),
  },
  { id: 10766, names: w('Soap', 'Feuilleton', 'Soap', 'Telenovela') },
  { id: 10767, names: w('Talk', 'Talk', 'Talk', 'Talk') },
  { id: 10768, names: w('War & Politics', 'War & Politics', 'War & Politics', 'War & Politics') },
  { id: 37, names: w('Western', 'Western', 'Western', 'Western') },
];

export const SEASON_WORD: Words = w('Season', 'Saison', 'Staffel', 'Temporada');
export const SPECIALS: Words = w('Specials', 'Épisodes spéciaux', 'Specials', 'Especiales');
export const TRAILER_NAME: Words = w(
  'Official Trailer',
  'Bande-annonce officielle',
  'Offizieller Trailer',
  'Tráiler oficial',
);

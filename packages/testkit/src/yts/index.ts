export {
  startYtsMirrors,
  type YtsMirror,
  type YtsMirrorMode,
  type YtsMirrorModeOptions,
  type YtsMirrorRequest,
  type YtsMirrors,
  type YtsMirrorsOptions,
} from './server.js';
export {
  YtsStandInCatalog,
  ytsMoviesFromTmdb,
  type FromTmdbOptions,
  type YtsMovieInput,
  type YtsStandInMovie,
  type YtsStandInQuality,
  type YtsStandInTorrent,
} from './catalog.js';

export {
  startSeeder,
  type SeedableTorrent,
  type Seeder,
  type SeederOptions,
  type TorrentOnDisk,
} from './seeder.js';
export {
  makeFileTorrent,
  torrentVariant,
  type FileTorrent,
  type FileTorrentOptions,
} from './file-torrent.js';
export {
  ensureFfmpeg,
  makeDemoVideo,
  mp4TopLevelBoxes,
  probeMedia,
  type DemoVideoOptions,
  type FfmpegOptions,
  type FfmpegTools,
  type MediaProbe,
  type MediaStream,
  type Mp4Box,
} from './video.js';

export {
  generatedBytes,
  makeTestTorrent,
  type TestTorrent,
  type TestTorrentFile,
  type TestTorrentFileSpec,
  type TestTorrentOptions,
} from './make.js';
export { serveTestTorrents, type ListedTestTorrent } from './yts.js';

export { createDb, pingDb, type Db } from './client.js';
export { isUniqueViolation, isDbUnavailable } from './errors.js';
export {
  Prisma,
  Role,
  DeviceCodeStatus,
  MediaKind,
  StorageState,
  ServiceState,
} from './generated/prisma/client.js';
export type {
  User,
  Session,
  RefreshToken,
  DeviceCode,
  AuditLog,
  Movie,
  MovieTranslation,
  TVShow,
  TVShowTranslation,
  Season,
  Episode,
  Genre,
  GenreTranslation,
  MediaList,
  SyncState,
  MovieSource,
  Storage,
  StreamToken,
  WatchProgress,
  ServiceCheck,
} from './generated/prisma/client.js';
export { foldText, searchTextOf } from './search-text.js';

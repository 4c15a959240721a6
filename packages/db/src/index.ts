export { createDb, pingDb, type Db } from './client.js';
export { isUniqueViolation, isDbUnavailable } from './errors.js';
export { Prisma, Role, DeviceCodeStatus } from './generated/prisma/client.js';
export type { User, Session, RefreshToken, DeviceCode, AuditLog } from './generated/prisma/client.js';

export { createTestDatabase } from './database.js';
export { testEnv } from './env.js';
export { startProcess, waitFor, type RunningProcess } from './process.js';
export { freePort } from './ports.js';
export * from './tmdb/index.js';
export * from './yts/index.js';
export * from './torrents/index.js';
export { startVpnCheckStandIn, type VpnCheckStandIn } from './vpn/index.js';
export * from './trackers/index.js';

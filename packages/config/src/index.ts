export { envSchema, type Env } from './schema.js';
export { loadConfig, loadConfigOrExit, ConfigError, type Config } from './load.js';

export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { logContext, type LogContext } from './context.js';

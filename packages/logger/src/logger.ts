import winston from 'winston';
import { logContext } from './context.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  service: string;
  level?: string;
  json?: boolean;
  silent?: boolean;
}

const withContext = winston.format((info) => {
  const ctx = logContext.getStore();
  if (ctx) Object.assign(info, ctx);
  return info;
});

const readable = winston.format.printf(({ timestamp, level, message, service, ...rest }) => {
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return `${String(timestamp)} ${level} [${String(service)}] ${String(message)}${extra}`;
});

/** JSON lines in production, one readable line per entry in development. */
export function createLogger({
  service,
  level = 'info',
  json = false,
  silent = false,
}: LoggerOptions): Logger {
  return winston.createLogger({
    level,
    silent,
    defaultMeta: { service },
    format: winston.format.combine(
      withContext(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      json ? winston.format.json() : winston.format.combine(winston.format.colorize(), readable),
    ),
    transports: [new winston.transports.Console({ stderrLevels: ['error'] })],
  });
}

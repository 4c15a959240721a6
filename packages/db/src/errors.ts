import { Prisma } from './generated/prisma/client.js';

/** A unique constraint was violated (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/** Postgres refusing work while it starts, stops or restarts, or a connection lost (SQLSTATE 57P0x, 08xxx). */
const UNAVAILABLE_SQLSTATE = /^(57P0[1-4]|08\d{3})$/;
/** How the pg driver adapter reports a server it cannot reach or a connection that went away. */
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);

interface AdapterCause {
  kind?: string;
  code?: string;
  originalCode?: string;
}

/** The database could not be reached: connection refused, reset or timed out, or shutting down. */
export function isDbUnavailable(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  const adapter = (err as { meta?: { driverAdapterError?: { cause?: AdapterCause } } } | null)?.meta
    ?.driverAdapterError?.cause;
  if (
    adapter &&
    ((adapter.kind !== undefined && UNAVAILABLE_KINDS.has(adapter.kind)) ||
      UNAVAILABLE_SQLSTATE.test(adapter.originalCode ?? adapter.code ?? ''))
  )
    return true;
  if (
    err instanceof Prisma.PrismaClientKnownRequestError &&
    ['P1001', 'P1002', 'P1017', 'P2024'].includes(err.code)
  )
    return true;
  const code = (err as { code?: string; cause?: { code?: string } } | null)?.code;
  const causeCode = (err as { cause?: { code?: string } } | null)?.cause?.code;
  return [code, causeCode].some(
    (c) =>
      c === 'ECONNREFUSED' || c === 'ECONNRESET' || c === 'ETIMEDOUT' || UNAVAILABLE_SQLSTATE.test(c ?? ''),
  );
}

import { Prisma } from './generated/prisma/client.js';

/** A unique constraint was violated (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/** The database could not be reached: connection refused, reset or timed out. */
export function isDbUnavailable(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (
    err instanceof Prisma.PrismaClientKnownRequestError &&
    ['P1001', 'P1002', 'P1017', 'P2024'].includes(err.code)
  )
    return true;
  const code = (err as { code?: string; cause?: { code?: string } } | null)?.code;
  const causeCode = (err as { cause?: { code?: string } } | null)?.cause?.code;
  return [code, causeCode].some(
    (c) => c === 'ECONNREFUSED' || c === 'ECONNRESET' || c === 'ETIMEDOUT' || c === '57P01' || c === '08006',
  );
}

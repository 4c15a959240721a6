import { availableParallelism } from 'node:os';
import bcrypt from 'bcryptjs';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * bcryptjs hashes in JavaScript, handing the event loop back only every so often: a hundred sign-ins
 * at once would starve everything else in the process (database pool waits time out, requests fail).
 * At most one hash per core runs at a time; the others wait their turn in arrival order.
 */
const MAX_HASHING = Math.max(1, availableParallelism());
let hashing = 0;
const waiting: Array<() => void> = [];

async function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  if (hashing >= MAX_HASHING) await new Promise<void>((resolve) => waiting.push(resolve));
  else hashing++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else hashing--;
  }
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return oneAtATime(() => bcrypt.hash(password, cost));
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return oneAtATime(() => bcrypt.compare(password, hash));
}

/** Compared against when the email is unknown, so both failures take the same time. */
export const UNKNOWN_USER_HASH = bcrypt.hashSync('cinenest-timing-equaliser', 12);

import bcrypt from 'bcryptjs';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** Compared against when the email is unknown, so both failures take the same time. */
export const UNKNOWN_USER_HASH = bcrypt.hashSync('cinenest-timing-equaliser', 12);

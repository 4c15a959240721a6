import { randomInt } from 'node:crypto';

/** Consonants only: no vowels (no words), no 0/O or 1/I look-alikes (RFC 8628, section 6.1). */
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** People type codes as they like: "bcdf-ghjk", "BCDF GHJK". */
export function normaliseUserCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

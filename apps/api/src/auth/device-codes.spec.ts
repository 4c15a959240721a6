import { describe, expect, it } from '@jest/globals';
import { newUserCode, normaliseUserCode, USER_CODE_LENGTH } from './device-codes.js';

const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

describe('newUserCode', () => {
  it('gives 8 characters, each from the alphabet', () => {
    expect(USER_CODE_LENGTH).toBe(8);
    for (let i = 0; i < 2000; i++) expect(newUserCode()).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
  });

  it('never uses vowels or look-alike characters', () => {
    const seen = new Set(Array.from({ length: 2000 }, () => newUserCode()).join(''));
    for (const c of 'AEIOUY01') expect(seen.has(c)).toBe(false);
  });

  it('uses the whole alphabet and rarely repeats a code', () => {
    const codes = Array.from({ length: 2000 }, () => newUserCode());
    expect(new Set(codes.join(''))).toEqual(new Set(ALPHABET));
    // 20^8 possible codes: 2000 draws practically never collide.
    expect(new Set(codes).size).toBeGreaterThanOrEqual(1999);
  });
});

describe('normaliseUserCode', () => {
  it('strips dashes and spaces and upper-cases', () => {
    expect(normaliseUserCode('bcdf-ghjk')).toBe('BCDFGHJK');
    expect(normaliseUserCode('BCDF GHJK')).toBe('BCDFGHJK');
    expect(normaliseUserCode(' bc-df gh\tjk ')).toBe('BCDFGHJK');
    expect(normaliseUserCode('BCDFGHJK')).toBe('BCDFGHJK');
  });

  it('a normalised fresh code is itself', () => {
    for (let i = 0; i < 100; i++) {
      const code = newUserCode();
      expect(normaliseUserCode(`${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`)).toBe(code);
    }
  });
});

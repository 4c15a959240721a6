import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Cipher, DecryptError } from './cipher.js';
import { KeyringError, parseKeyring } from './keyring.js';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('hex');

describe('Cipher', () => {
  it('round-trips text and bytes, never writing the plain value', () => {
    const cipher = new Cipher(parseKeyring(`k1:${k1}`));
    const hash = '0123456789ABCDEF0123456789ABCDEF01234567';
    const sealed = cipher.encrypt(hash);
    expect(sealed.startsWith('k1:')).toBe(true);
    expect(sealed).not.toContain(hash);
    expect(Buffer.from(sealed.slice(3), 'base64').toString('latin1')).not.toContain(hash);
    expect(cipher.decryptText(sealed)).toBe(hash);
    const file = randomBytes(5000);
    expect(cipher.decrypt(cipher.encrypt(file)).equals(file)).toBe(true);
  });

  it('uses a fresh IV: the same value encrypts differently each time', () => {
    const cipher = new Cipher(parseKeyring(`k1:${k1}`));
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('detects tampering and unknown keys', () => {
    const cipher = new Cipher(parseKeyring(`k1:${k1}`));
    const sealed = cipher.encrypt('magnet:?xt=urn:btih:abc');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => cipher.decrypt(`k1:${raw.toString('base64')}`)).toThrow(DecryptError);
    expect(() => cipher.decrypt(`k9:${sealed.slice(3)}`)).toThrow(/no key/);
    expect(() => new Cipher(parseKeyring(`k1:${k2}`)).decrypt(sealed)).toThrow(DecryptError);
  });

  it('rotates: a new current key writes, the old one still reads, and lookups do not change', () => {
    const before = new Cipher(parseKeyring(`k1:${k1}`));
    const old = before.encrypt('secret');
    const after = new Cipher(parseKeyring(`k2:${k2},k1:${k1}`));
    expect(after.decryptText(old)).toBe('secret');
    expect(after.isStale(old)).toBe(true);
    expect(after.encrypt('secret').startsWith('k2:')).toBe(true);
    expect(after.lookup('abc')).toBe(before.lookup('abc'));
  });

  it('keyed lookups are deterministic, key-dependent and do not reveal the value', () => {
    const a = new Cipher(parseKeyring(`k1:${k1}`));
    const b = new Cipher(parseKeyring(`k1:${k2}`));
    expect(a.lookup('hash')).toBe(a.lookup('hash'));
    expect(a.lookup('hash')).not.toBe(b.lookup('hash'));
    expect(a.lookup('hash')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses malformed keyrings with a clear reason', () => {
    expect(() => parseKeyring('')).toThrow(KeyringError);
    expect(() => parseKeyring(`k1:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => parseKeyring(k1)).toThrow(/id:key/);
    expect(() => parseKeyring(`k1:${k1},k1:${k2}`)).toThrow(/twice/);
  });
});

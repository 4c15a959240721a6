import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.js';

export class DecryptError extends Error {}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a random IV per value. A ciphertext is "<keyId>:<base64(iv | tag | data)>", so
 * keys can rotate: old values stay readable while a new key writes new ones.
 */
export class Cipher {
  constructor(private readonly keyring: Keyring) {}

  encrypt(plain: string | Buffer): string {
    const key = this.keyring.keys.get(this.keyring.currentId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([
      cipher.update(typeof plain === 'string' ? Buffer.from(plain) : plain),
      cipher.final(),
    ]);
    return `${this.keyring.currentId}:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
  }

  decrypt(value: string): Buffer {
    const at = value.indexOf(':');
    const key = at > 0 ? this.keyring.keys.get(value.slice(0, at)) : undefined;
    if (!key) throw new DecryptError(`no key for ciphertext id "${value.slice(0, Math.max(at, 0))}"`);
    const raw = Buffer.from(value.slice(at + 1), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptError('ciphertext too short');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new DecryptError('ciphertext was altered or the key is wrong');
    }
  }

  decryptText(value: string): string {
    return this.decrypt(value).toString('utf8');
  }

  /** True when the value was written with an older key and should be re-encrypted. */
  isStale(value: string): boolean {
    return !value.startsWith(`${this.keyring.currentId}:`);
  }

  /** A keyed hash for equality lookups (e.g. of an info-hash), stable across key rotations. */
  lookup(value: string): string {
    return createHmac('sha256', this.keyring.lookupKey).update(value).digest('hex');
  }
}

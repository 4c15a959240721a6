import { describe, expect, it } from '@jest/globals';
import { hashPassword, verifyPassword } from './passwords.js';

describe('password hashing', () => {
  it('hashes and verifies, many at once, each answer to its own caller', async () => {
    const passwords = Array.from({ length: 12 }, (_, i) => `password-${i}`);
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p, 4)));
    const checks = await Promise.all(
      passwords.flatMap((p, i) => [verifyPassword(p, hashes[i]!), verifyPassword(`${p}x`, hashes[i]!)]),
    );
    expect(checks).toEqual(passwords.flatMap(() => [true, false]));
  });
});

import { hkdfSync } from 'node:crypto';

export class KeyringError extends Error {}

export interface Keyring {
  /** The id new ciphertexts are written with. */
  currentId: string;
  /** Every key that can still decrypt, by id (the current one included). */
  keys: ReadonlyMap<string, Buffer>;
  /** The key of the keyed hash used for lookups (independent of which encryption key is current). */
  lookupKey: Buffer;
}

const ID = /^[a-z0-9]{1,16}$/;

function decodeKey(id: string, value: string): Buffer {
  const key = Buffer.from(value, /^[0-9a-f]{64}$/i.test(value) ? 'hex' : 'base64');
  if (key.length !== 32) throw new KeyringError(`key ${id} must be 32 bytes (64 hex characters or base64)`);
  return key;
}

/**
 * Keys as "id:key" pairs, comma-separated, the first being current, e.g.
 * "k2:<base64>,k1:<base64>": rotate by putting a new key first and keeping the old ones after it
 * until every row is re-encrypted. The lookup key is derived from `lookupSecret` when given,
 * else from the oldest key, so adding a key does not change lookups.
 */
export function parseKeyring(spec: string, lookupSecret?: string): Keyring {
  const keys = new Map<string, Buffer>();
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!entries.length) throw new KeyringError('no key given');
  for (const entry of entries) {
    const at = entry.indexOf(':');
    const id = at > 0 ? entry.slice(0, at) : '';
    if (!ID.test(id))
      throw new KeyringError(`"${entry.slice(0, 8)}…" must be id:key with a short lower-case id`);
    if (keys.has(id)) throw new KeyringError(`key id ${id} appears twice`);
    keys.set(id, decodeKey(id, entry.slice(at + 1)));
  }
  const [currentId] = keys.keys();
  const root = lookupSecret ? Buffer.from(lookupSecret) : [...keys.values()].at(-1)!;
  const lookupKey = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'cinenest/lookup', 32));
  return { currentId: currentId!, keys, lookupKey };
}

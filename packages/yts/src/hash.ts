const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * An info-hash as WebTorrent writes it: 40 lower-case hex digits. Accepts YTS's upper-case hex and
 * the 32-character base32 form some magnets carry; throws RangeError for anything else.
 */
export function normaliseHash(hash: string): string {
  const text = hash.trim();
  if (/^[0-9a-f]{40}$/i.test(text)) return text.toLowerCase();
  if (/^[A-Z2-7]{32}$/i.test(text)) {
    let bits = '';
    for (const c of text.toUpperCase()) bits += BASE32.indexOf(c).toString(2).padStart(5, '0');
    let hex = '';
    for (let i = 0; i < 160; i += 4) hex += parseInt(bits.slice(i, i + 4), 2).toString(16);
    return hex;
  }
  throw new RangeError(`not an info-hash: ${JSON.stringify(hash)}`);
}

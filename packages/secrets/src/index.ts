export { parseKeyring, KeyringError, type Keyring } from './keyring.js';
export { Cipher, DecryptError } from './cipher.js';

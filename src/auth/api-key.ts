// API keys: 256 random bits, shown once; only their SHA-256 is stored.
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../common/ids.js';
import { nativeSha256Text } from '../ledger/native-sha256.js';

const KEY_PREFIX = 'slk_';

export interface NewApiKey {
  keyId: string;
  key: string;
  keyHash: string;
}

/** Hex SHA-256 of the key's UTF-8: what is stored, and what every authenticated request computes once. */
export const hashApiKey: (key: string) => string = nativeSha256Text;

export function newApiKey(key?: string): NewApiKey {
  const secret = key ?? KEY_PREFIX + randomBytes(32).toString('base64url');
  return { keyId: uuidv7(), key: secret, keyHash: hashApiKey(secret) };
}

// The log's Ed25519 signing key: given by LEDGER_SIGNING_KEY, or generated once into the data dir (0600).
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';

export interface SigningKey { secretKey: Uint8Array; publicKey: Uint8Array }

const decodeSeed = (text: string, source: string): Uint8Array => {
  const seed = Buffer.from(text.trim(), 'base64');
  if (seed.length !== 32) throw new Error(`${source} must hold a base64 Ed25519 seed of 32 bytes`);
  return new Uint8Array(seed);
};

export function loadSigningKey(dataDir: string, given?: string): SigningKey {
  let secretKey: Uint8Array;
  if (given !== undefined) secretKey = decodeSeed(given, 'LEDGER_SIGNING_KEY');
  else {
    const file = join(dataDir, 'log-signing.key');
    if (existsSync(file)) secretKey = decodeSeed(readFileSync(file, 'utf8'), file);
    else {
      secretKey = ed25519.utils.randomSecretKey();
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, Buffer.from(secretKey).toString('base64') + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

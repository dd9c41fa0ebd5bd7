// The log's keys: Ed25519 (LEDGER_SIGNING_KEY) and ML-DSA-44 (LEDGER_MLDSA_KEY), or generated once into the data dir (0600).
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { decodeSeed } from '../../common/key-texts.js';

export interface SigningKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export function loadSigningKey(dataDir: string, given?: string): SigningKey {
  let secretKey: Uint8Array;
  if (given !== undefined) secretKey = decodeSeed(given, 'LEDGER_SIGNING_KEY');
  else {
    const file = join(dataDir, 'log-signing.key');
    if (existsSync(file)) secretKey = decodeSeed(readFileSync(file, 'utf8'), file);
    else {
      secretKey = ed25519.utils.randomSecretKey();
      writeKeyFile(file, secretKey);
    }
  }
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

export interface MlDsaKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** The log's ML-DSA-44 cosigning key: from a 32-byte seed given by LEDGER_MLDSA_KEY, or generated once into the data dir (0600). */
export function loadMlDsaKey(dataDir: string, given?: string): MlDsaKey {
  let seed: Uint8Array;
  if (given !== undefined) seed = decodeSeed(given, 'LEDGER_MLDSA_KEY', 'ML-DSA-44');
  else {
    const file = join(dataDir, 'log-mldsa.key');
    if (existsSync(file)) seed = decodeSeed(readFileSync(file, 'utf8'), file, 'ML-DSA-44');
    else {
      seed = new Uint8Array(randomBytes(32));
      writeKeyFile(file, seed);
    }
  }
  return ml_dsa44.keygen(seed);
}

function writeKeyFile(file: string, secret: Uint8Array): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, Buffer.from(secret).toString('base64') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// Node's native SHA-256 and Ed25519 for the verifier (2–10× faster than the browser-safe defaults).
import { createPublicKey, verify } from 'node:crypto';
import type { LineDecoder } from '../verifier/export-chunk.js';
import type { Ed25519Verify } from '../verifier/note.js';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export const nativeEd25519Verify: Ed25519Verify = (signature, message, publicKey) => {
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
};

/** The lines of a chunk decoded by Buffer (V8's UTF-8 decoder), each on its own. */
export const bufferLines: LineDecoder = (chunk) => {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  return (start, end) => bytes.toString('utf8', start, end);
};

export { nativeSha256, nativeSha256Text } from '../ledger/native-sha256.js';

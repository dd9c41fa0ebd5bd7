// Node's native SHA-256 and Ed25519 for the verifier (2–10× faster than the browser-safe defaults).
import { isUtf8 } from 'node:buffer';
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

/**
 * The lines of a chunk decoded by Buffer (V8's UTF-8 decoder), each on its own. The whole chunk is checked to be
 * well-formed UTF-8 once (natively); only a chunk that is not has each line checked, to find the one at fault.
 */
export const bufferLines: LineDecoder = (chunk) => {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  const wellFormed = isUtf8(bytes);
  return (start, end) => (wellFormed || isUtf8(bytes.subarray(start, end)) ? bytes.toString('utf8', start, end) : undefined);
};

export { nativeSha256, nativeSha256Text } from '../ledger/native-sha256.js';

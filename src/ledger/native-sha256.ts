// Node's native SHA-256 (uses the CPU's SHA extensions): the server injects it; the verifier defaults to @noble.
import * as crypto from 'node:crypto';
import type { Sha256 } from '../verifier/envelope.js';

/**
 * The 32 bytes of a digest crypto.hash gave as a 'binary' (latin1) text, one character per byte, in a Uint8Array with a
 * buffer of its own. Asking crypto.hash for a Buffer costs some 1.2 µs more a call on Node 20 (the Buffer is made from
 * native memory): five times the hash of a leaf or of two children.
 */
function digestBytes(latin1: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = latin1.charCodeAt(i);
  return out;
}

// crypto.hash (one-shot, faster than createHash on small inputs) exists from Node 20.12; the package needs 20.19.
export const nativeSha256: Sha256 = (data) => digestBytes(crypto.hash('sha256', data, 'binary'));

/** Hex SHA-256 of a text's UTF-8, encoded and hashed natively (no intermediate Uint8Array). */
export const nativeSha256Text = (text: string): string => crypto.hash('sha256', text, 'hex');

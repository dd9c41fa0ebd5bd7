// Node's native SHA-256 (uses the CPU's SHA extensions): the server injects it; the verifier defaults to @noble.
import * as crypto from 'node:crypto';
import type { Sha256 } from '../verifier/envelope.js';

// crypto.hash (one-shot, faster than createHash on small inputs) exists from Node 20.12; fall back on older runtimes.
// A Buffer is a Uint8Array, so it is returned without copying.
export const nativeSha256: Sha256 =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** Hex SHA-256 of a text's UTF-8, encoded and hashed natively (no intermediate Uint8Array). */
export const nativeSha256Text =
  typeof crypto.hash === 'function'
    ? (text: string): string => crypto.hash('sha256', text, 'hex')
    : (text: string): string => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

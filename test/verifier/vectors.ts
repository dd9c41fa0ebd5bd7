// Loads the published RFC 6962 / C2SP known-answer vectors and small helpers shared by the verifier specs.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export interface Vectors {
  leafInputsHex: string[];
  leafHashes: string[];
  rootsBySize: string[];
  inclusion: { leafIndex: number; treeSize: number; proof: string[] }[];
  consistency: { from: number; to: number; proof: string[] }[];
  hasher: { leafL123456: string; childrenN123N456: string };
  signedNote: { vkey: string; note: string };
}

const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
export const vectors: Vectors = JSON.parse(readFileSync(join(here, '..', 'vectors', 'rfc6962-c2sp.json'), 'utf8'));

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
export const randomLeaves = (n: number): Uint8Array[] => Array.from({ length: n }, () => new Uint8Array(randomBytes(32)));

/** A copy of `bytes` with bit `bit` flipped. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

// RFC 6962 §2.1 Merkle Tree Hash with SHA-256, and the RFC 9162 §2.1.3.2 / §2.1.4.2 proof verification algorithms.
// Framework-free: runs in Node and in a browser. Sizes and indices are JS numbers (safe integers, < 2^53).
import { nobleSha256, type Sha256 } from './envelope.js';

export const HASH_SIZE = 32;
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

export type ProofCheck = { ok: true } | { ok: false; reason: string };

/** MTH({d(0)}) = SHA-256(0x00 ‖ d(0)). */
export function hashLeaf(input: Uint8Array, sha256: Sha256 = nobleSha256): Uint8Array {
  const buf = new Uint8Array(1 + input.length);
  buf.set(LEAF_PREFIX, 0);
  buf.set(input, 1);
  return sha256(buf);
}

/** The input of a hash of two 32-byte children, reused: hashing is synchronous and keeps no reference to its input. */
const NODE_INPUT = new Uint8Array(1 + 2 * HASH_SIZE);
NODE_INPUT[0] = 0x01;

/** SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Uint8Array, right: Uint8Array, sha256: Sha256 = nobleSha256): Uint8Array {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    NODE_INPUT.set(left, 1);
    NODE_INPUT.set(right, 1 + HASH_SIZE);
    return sha256(NODE_INPUT);
  }
  const buf = new Uint8Array(1 + left.length + right.length);
  buf.set(NODE_PREFIX, 0);
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return sha256(buf);
}

/** MTH({}) = SHA-256 of the empty string. */
export function emptyRoot(sha256: Sha256 = nobleSha256): Uint8Array {
  return sha256(new Uint8Array(0));
}

/** The largest power of two strictly smaller than n (n > 1): the split point k of RFC 6962 §2.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

const badHashes = (hashes: readonly Uint8Array[]): number => hashes.findIndex((h) => !(h instanceof Uint8Array) || h.length !== HASH_SIZE);

/** Thrown by rootFromInclusionProof when the proof cannot be a valid audit path for (leafIndex, treeSize). */
export class ProofError extends Error {}

/**
 * The root implied by an audit path (RFC 9162 §2.1.3.2 steps 1–4 and the `sn = 0` check of step 5).
 * Throws ProofError when the index is out of range or the path is too short or too long.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  sha256: Sha256 = nobleSha256,
): Uint8Array {
  if (!isSize(leafIndex) || !isSize(treeSize)) throw new ProofError('leaf index and tree size must be non-negative safe integers');
  if (leafIndex >= treeSize) throw new ProofError(`leaf index ${leafIndex} is not below tree size ${treeSize}`);
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) throw new ProofError('leaf hash must be 32 bytes');
  const bad = badHashes(proof);
  if (bad >= 0) throw new ProofError(`proof hash ${bad} is not 32 bytes`);
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0)
      throw new ProofError(`proof has ${proof.length} hashes, more than the path of leaf ${leafIndex} in a tree of size ${treeSize}`);
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r, sha256);
      while (fn !== 0 && fn % 2 === 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hashChildren(r, p, sha256);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0)
    throw new ProofError(`proof has ${proof.length} hashes, fewer than the path of leaf ${leafIndex} in a tree of size ${treeSize}`);
  return r;
}

/** RFC 9162 §2.1.3.2 with a reason on failure. */
export function checkInclusion(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
  sha256: Sha256 = nobleSha256,
): ProofCheck {
  let computed: Uint8Array;
  try {
    computed = rootFromInclusionProof(leafHash, leafIndex, treeSize, proof, sha256);
  } catch (err) {
    if (err instanceof ProofError) return { ok: false, reason: err.message };
    throw err;
  }
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) return { ok: false, reason: 'root must be 32 bytes' };
  return equalBytes(computed, root) ? { ok: true } : { ok: false, reason: 'inclusion proof does not lead to the root' };
}

/** RFC 9162 §2.1.3.2: true when `proof` shows the leaf at `leafIndex` is in the tree of `treeSize` with `root`. */
export function verifyInclusion(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
  sha256: Sha256 = nobleSha256,
): boolean {
  return checkInclusion(leafHash, leafIndex, treeSize, proof, root, sha256).ok;
}

/** RFC 9162 §2.1.4.2 with a reason on failure; also settles the edge cases size1 = 0 and size1 = size2. */
export function checkConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
  sha256: Sha256 = nobleSha256,
): ProofCheck {
  const fail = (reason: string): ProofCheck => ({ ok: false, reason });
  if (!isSize(size1) || !isSize(size2)) return fail('tree sizes must be non-negative safe integers');
  if (size1 > size2) return fail(`tree size ${size1} is larger than ${size2}`);
  if (!(root1 instanceof Uint8Array) || root1.length !== HASH_SIZE || !(root2 instanceof Uint8Array) || root2.length !== HASH_SIZE) {
    return fail('roots must be 32 bytes');
  }
  const bad = badHashes(proof);
  if (bad >= 0) return fail(`proof hash ${bad} is not 32 bytes`);
  if (size1 === size2) {
    if (proof.length > 0) return fail('proof between equal tree sizes must be empty');
    return equalBytes(root1, root2) ? { ok: true } : fail(`two different roots for tree size ${size1}`);
  }
  if (size1 === 0) {
    if (proof.length > 0) return fail('proof from the empty tree must be empty');
    return equalBytes(root1, emptyRoot(sha256)) ? { ok: true } : fail('root of the empty tree is not SHA-256 of the empty string');
  }
  // Step 1: a proof between different non-empty sizes is never empty.
  if (proof.length === 0) return fail('consistency proof is empty');
  // Step 2: when size1 is a power of two its root is the first node of the path and is not sent.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // Steps 3 and 4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 5.
  let fr = path[0];
  let sr = path[0];
  // Step 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (sn === 0) return fail(`proof has more hashes than a consistency proof from ${size1} to ${size2}`);
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr, sha256);
      sr = hashChildren(c, sr, sha256);
      while (fn !== 0 && fn % 2 === 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = hashChildren(sr, c, sha256);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 7.
  if (sn !== 0) return fail(`proof has fewer hashes than a consistency proof from ${size1} to ${size2}`);
  if (!equalBytes(fr, root1)) return fail(`proof does not lead to the root of tree size ${size1}`);
  if (!equalBytes(sr, root2)) return fail(`proof does not lead to the root of tree size ${size2}`);
  return { ok: true };
}

/** RFC 9162 §2.1.4.2: true when `proof` shows the tree (size1, root1) is a prefix of the tree (size2, root2). */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
  sha256: Sha256 = nobleSha256,
): boolean {
  return checkConsistency(size1, size2, proof, root1, root2, sha256).ok;
}

// RFC 6962 §2.1 Merkle Tree Hash with SHA-256, and the RFC 9162 §2.1.3.2 / §2.1.4.2 proof verification algorithms.
// Framework-free: runs in Node and in a browser. Sizes and indices are JS numbers (safe integers, < 2^53).
import { nobleSha256, type Sha256 } from './envelope.js';

export const HASH_SIZE = 32;
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/**
 * Why an inclusion or consistency proof does not check, as data (the check's `reason` says it in English,
 * `proofReason`): a reader in another language words it from these values.
 */
export type ProofFault =
  | { code: 'index-sizes' } // a leaf index or tree size that is no non-negative safe integer
  | { code: 'tree-sizes' }
  | { code: 'index-range'; leafIndex: number; treeSize: number }
  | { code: 'leaf-hash-size' }
  | { code: 'hash-size'; index: number }
  | { code: 'path-long'; hashes: number; leafIndex: number; treeSize: number }
  | { code: 'path-short'; hashes: number; leafIndex: number; treeSize: number }
  | { code: 'root-size' }
  | { code: 'roots-size' }
  | { code: 'not-root' } // the inclusion proof leads elsewhere
  | { code: 'size-order'; size1: number; size2: number }
  | { code: 'equal-not-empty' }
  | { code: 'equal-roots'; size: number }
  | { code: 'empty-not-empty' }
  | { code: 'empty-root' }
  | { code: 'consistency-empty' }
  | { code: 'consistency-long'; size1: number; size2: number }
  | { code: 'consistency-short'; size1: number; size2: number }
  | { code: 'not-root-of'; size: number };

export type ProofCheck = { ok: true } | { ok: false; reason: string; fault: ProofFault };

/** A proof's fault in English: the reason its check gives. */
export function proofReason(f: ProofFault): string {
  switch (f.code) {
    case 'index-sizes':
      return 'leaf index and tree size must be non-negative safe integers';
    case 'tree-sizes':
      return 'tree sizes must be non-negative safe integers';
    case 'index-range':
      return `leaf index ${f.leafIndex} is not below tree size ${f.treeSize}`;
    case 'leaf-hash-size':
      return 'leaf hash must be 32 bytes';
    case 'hash-size':
      return `proof hash ${f.index} is not 32 bytes`;
    case 'path-long':
      return `proof has ${f.hashes} hashes, more than the path of leaf ${f.leafIndex} in a tree of size ${f.treeSize}`;
    case 'path-short':
      return `proof has ${f.hashes} hashes, fewer than the path of leaf ${f.leafIndex} in a tree of size ${f.treeSize}`;
    case 'root-size':
      return 'root must be 32 bytes';
    case 'roots-size':
      return 'roots must be 32 bytes';
    case 'not-root':
      return 'inclusion proof does not lead to the root';
    case 'size-order':
      return `tree size ${f.size1} is larger than ${f.size2}`;
    case 'equal-not-empty':
      return 'proof between equal tree sizes must be empty';
    case 'equal-roots':
      return `two different roots for tree size ${f.size}`;
    case 'empty-not-empty':
      return 'proof from the empty tree must be empty';
    case 'empty-root':
      return 'root of the empty tree is not SHA-256 of the empty string';
    case 'consistency-empty':
      return 'consistency proof is empty';
    case 'consistency-long':
      return `proof has more hashes than a consistency proof from ${f.size1} to ${f.size2}`;
    case 'consistency-short':
      return `proof has fewer hashes than a consistency proof from ${f.size1} to ${f.size2}`;
    case 'not-root-of':
      return `proof does not lead to the root of tree size ${f.size}`;
  }
}

/** Every code a proof's fault can carry. */
export const PROOF_FAULT_CODES: Array<ProofFault['code']> = Object.keys({
  'index-sizes': 1,
  'tree-sizes': 1,
  'index-range': 1,
  'leaf-hash-size': 1,
  'hash-size': 1,
  'path-long': 1,
  'path-short': 1,
  'root-size': 1,
  'roots-size': 1,
  'not-root': 1,
  'size-order': 1,
  'equal-not-empty': 1,
  'equal-roots': 1,
  'empty-not-empty': 1,
  'empty-root': 1,
  'consistency-empty': 1,
  'consistency-long': 1,
  'consistency-short': 1,
  'not-root-of': 1,
} satisfies Record<ProofFault['code'], 1>) as Array<ProofFault['code']>;

const proofFailed = (fault: ProofFault): ProofCheck => ({ ok: false, reason: proofReason(fault), fault });

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
export class ProofError extends Error {
  constructor(readonly fault: ProofFault) {
    super(proofReason(fault));
  }
}

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
  if (!isSize(leafIndex) || !isSize(treeSize)) throw new ProofError({ code: 'index-sizes' });
  if (leafIndex >= treeSize) throw new ProofError({ code: 'index-range', leafIndex, treeSize });
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) throw new ProofError({ code: 'leaf-hash-size' });
  const bad = badHashes(proof);
  if (bad >= 0) throw new ProofError({ code: 'hash-size', index: bad });
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new ProofError({ code: 'path-long', hashes: proof.length, leafIndex, treeSize });
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
  if (sn !== 0) throw new ProofError({ code: 'path-short', hashes: proof.length, leafIndex, treeSize });
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
    if (err instanceof ProofError) return proofFailed(err.fault);
    throw err;
  }
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) return proofFailed({ code: 'root-size' });
  return equalBytes(computed, root) ? { ok: true } : proofFailed({ code: 'not-root' });
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
  if (!isSize(size1) || !isSize(size2)) return proofFailed({ code: 'tree-sizes' });
  if (size1 > size2) return proofFailed({ code: 'size-order', size1, size2 });
  if (!(root1 instanceof Uint8Array) || root1.length !== HASH_SIZE || !(root2 instanceof Uint8Array) || root2.length !== HASH_SIZE) {
    return proofFailed({ code: 'roots-size' });
  }
  const bad = badHashes(proof);
  if (bad >= 0) return proofFailed({ code: 'hash-size', index: bad });
  if (size1 === size2) {
    if (proof.length > 0) return proofFailed({ code: 'equal-not-empty' });
    return equalBytes(root1, root2) ? { ok: true } : proofFailed({ code: 'equal-roots', size: size1 });
  }
  if (size1 === 0) {
    if (proof.length > 0) return proofFailed({ code: 'empty-not-empty' });
    return equalBytes(root1, emptyRoot(sha256)) ? { ok: true } : proofFailed({ code: 'empty-root' });
  }
  // Step 1: a proof between different non-empty sizes is never empty.
  if (proof.length === 0) return proofFailed({ code: 'consistency-empty' });
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
    if (sn === 0) return proofFailed({ code: 'consistency-long', size1, size2 });
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
  if (sn !== 0) return proofFailed({ code: 'consistency-short', size1, size2 });
  if (!equalBytes(fr, root1)) return proofFailed({ code: 'not-root-of', size: size1 });
  if (!equalBytes(sr, root2)) return proofFailed({ code: 'not-root-of', size: size2 });
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

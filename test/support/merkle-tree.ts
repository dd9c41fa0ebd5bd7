// Trees held whole in memory, for tests: MTH and the proofs of RFC 6962 §2.1 straight from their recursive definitions
// (the reference the proof builder is compared with), and the log's own proof builder over every perfect subtree of them.
import { nobleSha256, type Sha256 } from '../../src/verifier/envelope.js';
import { MerkleProofs, type NodeLookup } from '../../src/verifier/merkle-proofs.js';
import { emptyRoot, hashChildren, splitPoint } from '../../src/verifier/rfc6962.js';

const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** MTH(D[n]) over leaf hashes (not leaf inputs). */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[], sha256: Sha256 = nobleSha256): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot(sha256);
  return subtreeRoot(leafHashes, 0, leafHashes.length, sha256);
}

function subtreeRoot(leaves: readonly Uint8Array[], start: number, n: number, sha256: Sha256): Uint8Array {
  if (n === 1) return leaves[start];
  const k = splitPoint(n);
  return hashChildren(subtreeRoot(leaves, start, k, sha256), subtreeRoot(leaves, start + k, n - k, sha256), sha256);
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1 by its definition, nearest sibling first. */
export function referenceInclusionProof(leafIndex: number, leafHashes: readonly Uint8Array[], sha256: Sha256 = nobleSha256): Uint8Array[] {
  const n = leafHashes.length;
  if (!isSize(leafIndex) || leafIndex >= n) throw new RangeError(`no leaf ${leafIndex} in a tree of size ${n}`);
  const path: Uint8Array[] = [];
  const walk = (m: number, start: number, size: number): void => {
    if (size === 1) return;
    const k = splitPoint(size);
    if (m < k) {
      walk(m, start, k);
      path.push(subtreeRoot(leafHashes, start + k, size - k, sha256));
    } else {
      walk(m - k, start + k, size - k);
      path.push(subtreeRoot(leafHashes, start, k, sha256));
    }
  };
  walk(leafIndex, 0, n);
  return path;
}

/** PROOF(m, D[n]) of RFC 6962 §2.1.2 by its definition (n = leafHashes.length); empty for m = 0 and m = n. */
export function referenceConsistencyProof(m: number, leafHashes: readonly Uint8Array[], sha256: Sha256 = nobleSha256): Uint8Array[] {
  const n = leafHashes.length;
  if (!isSize(m) || m > n) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  const proof: Uint8Array[] = [];
  const subproof = (mm: number, start: number, size: number, complete: boolean): void => {
    if (mm === size) {
      if (!complete) proof.push(subtreeRoot(leafHashes, start, size, sha256));
      return;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      subproof(mm, start, k, complete);
      proof.push(subtreeRoot(leafHashes, start + k, size - k, sha256));
    } else {
      subproof(mm - k, start + k, size - k, false);
      proof.push(subtreeRoot(leafHashes, start, k, sha256));
    }
  };
  if (m > 0 && m < n) subproof(m, 0, n, true);
  return proof;
}

/** Every perfect, aligned subtree of the leaves, as the log stores them; a lookup outside them throws. */
export function perfectSubtrees(leafHashes: readonly Uint8Array[]): NodeLookup {
  const nodes = new Map<string, Uint8Array>();
  let level = leafHashes;
  for (let l = 0; level.length > 0; l++) {
    level.forEach((h, i) => nodes.set(`${l}/${i}`, h));
    const up: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) up.push(hashChildren(level[i], level[i + 1]));
    level = up;
  }
  return (level, index) => {
    const node = nodes.get(`${level}/${index}`);
    if (!node) throw new Error(`missing node ${level}/${index}`);
    return node;
  };
}

/** The audit path of a leaf in the tree of all `leafHashes`, as the log builds it. */
export function inclusionProof(leafIndex: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  return new MerkleProofs(perfectSubtrees(leafHashes), (l, r) => hashChildren(l, r)).inclusion(leafIndex, leafHashes.length);
}

/** The consistency proof from the first `m` leaves to all `leafHashes`, as the log builds it. */
export function consistencyProof(m: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  return new MerkleProofs(perfectSubtrees(leafHashes), (l, r) => hashChildren(l, r)).consistency(m, leafHashes.length);
}

// RFC 6962 §2.1.1 audit paths and §2.1.2 consistency proofs over a tree whose perfect, aligned subtrees can be looked up
// (the log reads them from its stored nodes). Each proof takes O(log n) lookups: a range that is not a perfect subtree
// is split at the largest power of two below its size, as MTH splits it.
import { isPowerOfTwo, splitPoint } from './rfc6962.js';

/** Hash of the perfect subtree of 2^level leaves starting at leaf index * 2^level. */
export type NodeLookup = (level: number, index: number) => Uint8Array;
export type HashChildren = (left: Uint8Array, right: Uint8Array) => Uint8Array;

export class MerkleProofs {
  constructor(
    private readonly node: NodeLookup,
    private readonly hashChildren: HashChildren,
  ) {}

  /** MTH(D[start : start + size]). */
  subtreeHash(start: number, size: number): Uint8Array {
    if (isPowerOfTwo(size) && start % size === 0) return this.node(Math.log2(size), start / size);
    const k = splitPoint(size);
    return this.hashChildren(this.subtreeHash(start, k), this.subtreeHash(start + k, size - k));
  }

  /** PATH(m, D[n]): the audit path of leaf m in the tree of size n, nearest sibling first. */
  inclusion(m: number, n: number): Uint8Array[] {
    if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m < n))
      throw new RangeError(`no leaf ${m} in a tree of size ${n}`);
    const path: Uint8Array[] = [];
    this.path(m, 0, n, path);
    return path;
  }

  /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true); empty when m = n (and for m = 0, which proves nothing). */
  consistency(m: number, n: number): Uint8Array[] {
    if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m <= n))
      throw new RangeError(`no consistency proof from ${m} to ${n}`);
    const proof: Uint8Array[] = [];
    if (m > 0 && m < n) this.subproof(m, 0, n, true, proof);
    return proof;
  }

  private path(m: number, start: number, n: number, out: Uint8Array[]): void {
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      this.path(m, start, k, out);
      out.push(this.subtreeHash(start + k, n - k));
    } else {
      this.path(m - k, start + k, n - k, out);
      out.push(this.subtreeHash(start, k));
    }
  }

  private subproof(m: number, start: number, n: number, complete: boolean, out: Uint8Array[]): void {
    if (m === n) {
      if (!complete) out.push(this.subtreeHash(start, n));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.subproof(m, start, k, complete, out);
      out.push(this.subtreeHash(start + k, n - k));
    } else {
      this.subproof(m - k, start + k, n - k, false, out);
      out.push(this.subtreeHash(start, k));
    }
  }
}

// A compact Merkle range [0, size): the roots of the perfect subtrees that the binary digits of `size` describe.
// Append is amortised O(1) hashes, root() is O(log n) hashes, memory is O(log n): enough to hash a log of any length.
import { nobleSha256, type Sha256 } from './envelope.js';
import { emptyRoot, hashChildren, HASH_SIZE } from './rfc6962.js';

/** The number of set bits of a safe integer: how many perfect subtrees a range of that size has. */
export function popCount(n: number): number {
  let count = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) count += x % 2;
  return count;
}

/**
 * The sizes of the perfect subtrees that tile the leaves [start, end), left to right: at each step the largest subtree
 * that starts there on a multiple of its size and ends by `end`. Appending them in order to a range of size `start`
 * (`CompactRange.appendTiles`) gives the range of size `end`, as appending the leaves one by one does.
 */
export function rangeTiling(start: number, end: number): number[] {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid leaf range [${start}, ${end})`);
  }
  const sizes: number[] = [];
  for (let at = start; at < end;) {
    let size = 1;
    while (at % (2 * size) === 0 && at + 2 * size <= end) size *= 2;
    sizes.push(size);
    at += size;
  }
  return sizes;
}

/**
 * The roots of the subtrees that tile the leaves [start, start + count) (`rangeTiling`), 32 bytes each, concatenated;
 * `leaf(i)` is the hash of leaf start + i. A verifier's worker hashes its chunk's part of the tree this way, so that
 * the thread that keeps the whole range hashes a few nodes per chunk instead of one per leaf.
 */
export function tileRoots(start: number, count: number, leaf: (i: number) => Uint8Array, sha256: Sha256 = nobleSha256): Uint8Array {
  const sizes = rangeTiling(start, start + count);
  const roots = new Uint8Array(sizes.length * HASH_SIZE);
  let i = 0;
  sizes.forEach((size, t) => {
    const tile = new CompactRange(sha256);
    for (const end = i + size; i < end; i++) tile.append(leaf(i));
    roots.set(tile.root(), t * HASH_SIZE);
  });
  return roots;
}

export class CompactRange {
  // One root per set bit of `count`, largest (leftmost) subtree first.
  private readonly hashes: Uint8Array[];
  private count: number;

  constructor(private readonly sha256: Sha256 = nobleSha256) {
    this.hashes = [];
    this.count = 0;
  }

  /** Resumes a range from its size and the roots of its perfect subtrees, largest first (as `frontier()` returns them). */
  static fromFrontier(size: number, hashes: readonly Uint8Array[], sha256: Sha256 = nobleSha256): CompactRange {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid range size ${size}`);
    if (hashes.length !== popCount(size))
      throw new RangeError(`a range of size ${size} has ${popCount(size)} subtree hashes, not ${hashes.length}`);
    if (hashes.some((h) => !(h instanceof Uint8Array) || h.length !== HASH_SIZE)) throw new RangeError('subtree hashes must be 32 bytes');
    const range = new CompactRange(sha256);
    range.hashes.push(...hashes.map((h) => h.slice()));
    range.count = size;
    return range;
  }

  get size(): number {
    return this.count;
  }

  /** Copies of the perfect-subtree roots, largest first. */
  frontier(): Uint8Array[] {
    return this.hashes.map((h) => h.slice());
  }

  /** Adds the next leaf hash; merges equal-sized subtrees like a binary counter carries. */
  append(leafHash: Uint8Array): void {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) throw new RangeError('leaf hash must be 32 bytes');
    if (this.count >= Number.MAX_SAFE_INTEGER) throw new RangeError('range is full');
    this.push(leafHash.slice(), 1); // the caller may reuse its buffer; a hash is ours
  }

  /**
   * Adds the root of a perfect subtree of `size` leaves (a power of two dividing the range's size) after the range:
   * merges equal-sized subtrees at the end like a binary counter carries, in units of `size`.
   */
  private push(root: Uint8Array, size: number): void {
    let node = root;
    for (let carry = this.count / size; carry % 2 === 1; carry = Math.floor(carry / 2)) {
      node = hashChildren(this.hashes.pop()!, node, this.sha256);
    }
    this.hashes.push(node);
    this.count += size;
  }

  /**
   * Adds the next `count` leaves as the roots of the subtrees that tile them (`tileRoots` from this range's size):
   * the same range as appending each leaf, with a few hashes instead of one per leaf.
   */
  appendTiles(roots: Uint8Array, count: number): void {
    const sizes = rangeTiling(this.count, this.count + count);
    if (roots.length !== sizes.length * HASH_SIZE) {
      throw new RangeError(`${count} leaves after ${this.count} are ${sizes.length} subtree hashes, not ${roots.length / HASH_SIZE}`);
    }
    sizes.forEach((size, t) => this.push(roots.slice(t * HASH_SIZE, (t + 1) * HASH_SIZE), size));
  }

  /** MTH(D[size]): the subtree roots folded from the right. */
  root(): Uint8Array {
    if (this.hashes.length === 0) return emptyRoot(this.sha256);
    let r = this.hashes[this.hashes.length - 1];
    for (let i = this.hashes.length - 2; i >= 0; i--) r = hashChildren(this.hashes[i], r, this.sha256);
    return r;
  }
}

// The compact range must agree with MTH for every size, and resume from its frontier.
import { createHash } from 'node:crypto';
import { CompactRange, popCount, rangeTiling, tileRoots } from '../../src/verifier/compact-range.js';
import { rootFromLeafHashes } from '../support/merkle-tree.js';
import { hex, randomLeaves, unhex, vectors } from './vectors.js';

describe('CompactRange', () => {
  it('has the published root after every leaf of the vectors (sizes 0..8)', () => {
    const range = new CompactRange();
    expect(hex(range.root())).toBe(vectors.rootsBySize[0]);
    vectors.leafHashes.forEach((leaf, i) => {
      range.append(unhex(leaf));
      expect(range.size).toBe(i + 1);
      expect(hex(range.root())).toBe(vectors.rootsBySize[i + 1]);
    });
  });

  it('equals rootFromLeafHashes for every size 0..70 of random leaves, keeping one hash per set bit of the size', () => {
    const leaves = randomLeaves(70);
    const range = new CompactRange();
    for (let n = 0; n <= 70; n++) {
      expect(range.size).toBe(n);
      expect(range.frontier()).toHaveLength(popCount(n));
      expect(hex(range.root())).toBe(hex(rootFromLeafHashes(leaves.slice(0, n))));
      if (n < 70) range.append(leaves[n]);
    }
  });

  it('resumes from a frontier at any size and reaches the same roots', () => {
    const leaves = randomLeaves(40);
    const full = rootFromLeafHashes(leaves);
    for (let cut = 0; cut <= 40; cut++) {
      const first = new CompactRange();
      leaves.slice(0, cut).forEach((l) => first.append(l));
      const resumed = CompactRange.fromFrontier(cut, first.frontier());
      leaves.slice(cut).forEach((l) => resumed.append(l));
      expect(hex(resumed.root())).toBe(hex(full));
    }
  });

  it('refuses a frontier of the wrong length, bad hashes and bad leaves', () => {
    const leaves = randomLeaves(3);
    expect(() => CompactRange.fromFrontier(3, [leaves[0]])).toThrow(RangeError);
    expect(() => CompactRange.fromFrontier(2, [leaves[0], leaves[1]])).toThrow(RangeError);
    expect(() => CompactRange.fromFrontier(1, [new Uint8Array(31)])).toThrow(RangeError);
    expect(() => CompactRange.fromFrontier(-1, [])).toThrow(RangeError);
    expect(() => new CompactRange().append(new Uint8Array(33))).toThrow(RangeError);
  });

  it('uses an injected SHA-256', () => {
    let calls = 0;
    const sha256 = (data: Uint8Array) => {
      calls++;
      return new Uint8Array(createHash('sha256').update(data).digest());
    };
    const range = new CompactRange(sha256);
    vectors.leafHashes.forEach((l) => range.append(unhex(l)));
    expect(hex(range.root())).toBe(vectors.rootsBySize[8]);
    expect(calls).toBeGreaterThan(0);
  });

  it('hashes 100,000 leaves with O(log n) state', () => {
    const range = new CompactRange();
    const leaf = new Uint8Array(32);
    for (let i = 0; i < 100_000; i++) {
      leaf[0] = i & 0xff;
      leaf[1] = (i >> 8) & 0xff;
      leaf[2] = i >> 16;
      range.append(leaf);
    }
    expect(range.frontier().length).toBe(popCount(100_000));
    expect(range.frontier().length).toBeLessThanOrEqual(17);
  });

  it('copies appended leaves, so a caller may reuse its buffer', () => {
    const leaves = randomLeaves(5);
    const range = new CompactRange();
    const buffer = new Uint8Array(32);
    for (const l of leaves) {
      buffer.set(l);
      range.append(buffer);
    }
    buffer.fill(0);
    expect(hex(range.root())).toBe(hex(rootFromLeafHashes(leaves)));
  });

  it('tiles a range of leaves with the largest aligned perfect subtrees, left to right', () => {
    expect(rangeTiling(0, 0)).toEqual([]);
    expect(rangeTiling(0, 7)).toEqual([4, 2, 1]);
    expect(rangeTiling(5, 13)).toEqual([1, 2, 4, 1]);
    expect(rangeTiling(8, 16)).toEqual([8]);
    expect(rangeTiling(2 ** 40 - 1, 2 ** 40 + 2)).toEqual([1, 2]);
    expect(() => rangeTiling(3, 2)).toThrow(RangeError);
    expect(() => rangeTiling(-1, 2)).toThrow(RangeError);
  });

  it('reaches the range of appending each leaf when a chunk of leaves is appended as its tiles, from any size', () => {
    const leaves = randomLeaves(70);
    for (let start = 0; start <= 40; start++) {
      for (const count of [0, 1, 2, 3, 5, 8, 13, 30]) {
        const byLeaf = new CompactRange();
        leaves.slice(0, start + count).forEach((l) => byLeaf.append(l));
        const byTiles = new CompactRange();
        leaves.slice(0, start).forEach((l) => byTiles.append(l));
        const roots = tileRoots(start, count, (i) => leaves[start + i]);
        expect(roots).toHaveLength(32 * rangeTiling(start, start + count).length);
        byTiles.appendTiles(roots, count);
        expect({ start, count, size: byTiles.size, frontier: byTiles.frontier().map(hex) }).toEqual({
          start,
          count,
          size: start + count,
          frontier: byLeaf.frontier().map(hex),
        });
        expect(hex(byTiles.root())).toBe(hex(rootFromLeafHashes(leaves.slice(0, start + count))));
      }
    }
  });

  it('refuses roots that are not the tiling of the leaves it is told of (it cannot tell another start with as many tiles)', () => {
    const leaves = randomLeaves(8);
    const range = new CompactRange();
    range.append(leaves[0]);
    // Leaves 1..7 are tiled by subtrees of 1, 2 and 4 leaves; leaves 1..6 by 1, 2, 2 and 1.
    expect(() => range.appendTiles(tileRoots(1, 7, (i) => leaves[1 + i]).subarray(32), 7)).toThrow(RangeError);
    expect(() =>
      range.appendTiles(
        tileRoots(1, 7, (i) => leaves[1 + i]),
        6,
      ),
    ).toThrow(RangeError);
    expect(range.size).toBe(1);
  });

  it('merges tiles into a range near 2^53 leaves as appending each leaf does', () => {
    const leaves = randomLeaves(9);
    const size = 2 ** 52 + 2 ** 51 + 5; // subtrees of 2^52, 2^51, 4 and 1 leaves
    const frontier = randomLeaves(4);
    const byLeaf = CompactRange.fromFrontier(size, frontier);
    leaves.forEach((l) => byLeaf.append(l));
    const byTiles = CompactRange.fromFrontier(size, frontier);
    byTiles.appendTiles(
      tileRoots(size, 9, (i) => leaves[i]),
      9,
    );
    expect(byTiles.size).toBe(size + 9);
    expect(byTiles.frontier().map(hex)).toEqual(byLeaf.frontier().map(hex));
    // Past 2^53 - 1 leaves there is no range: refused before anything is added.
    expect(() => byTiles.appendTiles(new Uint8Array(32), Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
    expect(byTiles.size).toBe(size + 9);
  });
});

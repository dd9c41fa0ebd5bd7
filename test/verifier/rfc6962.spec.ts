// RFC 6962 hashing and RFC 9162 proof verification against the published known-answer vectors, then generated trees.
import { createHash } from 'node:crypto';
import {
  checkConsistency,
  checkInclusion,
  emptyRoot,
  hashChildren,
  hashLeaf,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/verifier/rfc6962.js';
import { consistencyProof, inclusionProof, rootFromLeafHashes } from '../support/merkle-tree.js';
import type { Sha256 } from '../../src/verifier/envelope.js';
import { flipBit, hex, randomLeaves, unhex, vectors } from './vectors.js';

const leafHashes = vectors.leafHashes.map(unhex);
const rootOf = (n: number) => unhex(vectors.rootsBySize[n]);
const nativeSha256: Sha256 = (data) => new Uint8Array(createHash('sha256').update(data).digest());
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('RFC 6962 hasher', () => {
  it('hashes leaves with the 0x00 prefix: every published leaf hash', () => {
    vectors.leafInputsHex.forEach((input, i) => expect(hex(hashLeaf(unhex(input)))).toBe(vectors.leafHashes[i]));
  });

  it('matches the transparency-dev/merkle hasher vectors', () => {
    expect(hex(hashLeaf(utf8('L123456')))).toBe(vectors.hasher.leafL123456);
    expect(hex(hashChildren(utf8('N123'), utf8('N456')))).toBe(vectors.hasher.childrenN123N456);
  });

  it('computes the published root of every tree size 0..8 (size 0 is SHA-256 of the empty string)', () => {
    expect(vectors.rootsBySize).toHaveLength(9);
    expect(vectors.rootsBySize[0]).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(emptyRoot())).toBe(vectors.rootsBySize[0]);
    for (let n = 0; n <= 8; n++) expect(hex(rootFromLeafHashes(leafHashes.slice(0, n)))).toBe(vectors.rootsBySize[n]);
  });

  it('gives the same answers with an injected native SHA-256', () => {
    for (let n = 0; n <= 8; n++) expect(hex(rootFromLeafHashes(leafHashes.slice(0, n), nativeSha256))).toBe(vectors.rootsBySize[n]);
    expect(hex(hashLeaf(unhex(vectors.leafInputsHex[3]), nativeSha256))).toBe(vectors.leafHashes[3]);
  });
});

describe('inclusion proofs (RFC 9162 §2.1.3.2) — published vectors', () => {
  it.each(vectors.inclusion.map((v) => [v.leafIndex, v.treeSize, v] as const))(
    'leaf %i in tree %i verifies and is what we generate',
    (i, n, v) => {
      const proof = v.proof.map(unhex);
      expect(verifyInclusion(leafHashes[i], i, n, proof, rootOf(n))).toBe(true);
      expect(checkInclusion(leafHashes[i], i, n, proof, rootOf(n))).toEqual({ ok: true });
      expect(hex(rootFromInclusionProof(leafHashes[i], i, n, proof))).toBe(vectors.rootsBySize[n]);
      expect(inclusionProof(i, leafHashes.slice(0, n)).map(hex)).toEqual(v.proof);
      expect(verifyInclusion(leafHashes[i], i, n, proof, rootOf(n), nativeSha256)).toBe(true);
    },
  );

  describe.each(vectors.inclusion.map((v) => [v.leafIndex, v.treeSize, v] as const))('leaf %i in tree %i: negative cases', (i, n, v) => {
    const proof = v.proof.map(unhex);
    const root = rootOf(n);

    it('rejects a flipped bit in any proof hash', () => {
      proof.forEach((_, k) => {
        for (let bit = 0; bit < 256; bit += 17) {
          const bad = proof.map((h, j) => (j === k ? flipBit(h, bit) : h));
          expect(verifyInclusion(leafHashes[i], i, n, bad, root)).toBe(false);
        }
      });
    });

    it('rejects a flipped bit in the root', () => {
      for (let bit = 0; bit < 256; bit += 31) expect(verifyInclusion(leafHashes[i], i, n, proof, flipBit(root, bit))).toBe(false);
    });

    it('rejects every wrong leaf', () => {
      leafHashes.forEach((leaf, j) => {
        if (j !== i) expect(verifyInclusion(leaf, i, n, proof, root)).toBe(false);
      });
      expect(verifyInclusion(flipBit(leafHashes[i], 0), i, n, proof, root)).toBe(false);
    });

    it('rejects every wrong index, including index = size and beyond', () => {
      for (let j = 0; j <= n + 2; j++) if (j !== i) expect(verifyInclusion(leafHashes[i], j, n, proof, root)).toBe(false);
      expect(checkInclusion(leafHashes[i], n, n, proof, root)).toEqual({
        ok: false,
        reason: `leaf index ${n} is not below tree size ${n}`,
        fault: { code: 'index-range', leafIndex: n, treeSize: n },
      });
      expect(verifyInclusion(leafHashes[i], -1, n, proof, root)).toBe(false);
    });

    it('rejects a wrong tree size (double, half, zero)', () => {
      for (const size of [n * 2, Math.floor(n / 2), 0]) expect(verifyInclusion(leafHashes[i], i, size, proof, root)).toBe(false);
    });

    it('rejects trailing garbage: an extra hash, even a copy of a valid one', () => {
      for (const extra of [new Uint8Array(32), root, ...proof]) {
        const check = checkInclusion(leafHashes[i], i, n, [...proof, extra], root);
        expect(check.ok).toBe(false);
        expect(check.ok || check.reason).toMatch(/more than the path/);
      }
    });

    it('rejects a truncated proof and a proof hash of the wrong length', () => {
      if (proof.length > 0) {
        expect(checkInclusion(leafHashes[i], i, n, proof.slice(0, -1), root)).toMatchObject({
          ok: false,
          reason: expect.stringMatching(/fewer than the path/),
        });
        expect(verifyInclusion(leafHashes[i], i, n, proof.slice(1), root)).toBe(false);
        expect(verifyInclusion(leafHashes[i], i, n, [proof[0].subarray(0, 31), ...proof.slice(1)], root)).toBe(false);
        expect(verifyInclusion(leafHashes[i], i, n, [...proof].reverse(), root)).toBe(proof.length === 1);
      }
    });
  });
});

describe('consistency proofs (RFC 9162 §2.1.4.2) — published vectors', () => {
  it.each(vectors.consistency.map((v) => [v.from, v.to, v] as const))('%i → %i verifies and is what we generate', (m, n, v) => {
    const proof = v.proof.map(unhex);
    expect(checkConsistency(m, n, proof, rootOf(m), rootOf(n))).toEqual({ ok: true });
    expect(verifyConsistency(m, n, proof, rootOf(m), rootOf(n), nativeSha256)).toBe(true);
    expect(consistencyProof(m, leafHashes.slice(0, n)).map(hex)).toEqual(v.proof);
  });

  describe.each(vectors.consistency.map((v) => [v.from, v.to, v] as const))('%i → %i: negative cases', (m, n, v) => {
    const proof = v.proof.map(unhex);
    const [root1, root2] = [rootOf(m), rootOf(n)];

    it('rejects a flipped bit in any proof hash or either root', () => {
      proof.forEach((_, k) => {
        for (let bit = 0; bit < 256; bit += 17) {
          expect(
            verifyConsistency(
              m,
              n,
              proof.map((h, j) => (j === k ? flipBit(h, bit) : h)),
              root1,
              root2,
            ),
          ).toBe(false);
        }
      });
      expect(verifyConsistency(m, n, proof, flipBit(root1, 3), root2)).toBe(false);
      expect(verifyConsistency(m, n, proof, root1, flipBit(root2, 200))).toBe(false);
    });

    it('rejects a wrong size1 (±1, bit 1 flipped), a wrong size2 (double, half) and swapped roots', () => {
      // As transparency-dev/merkle does: these change the shape of the path; the roots, not the proof, bind the exact sizes.
      for (const a of [m - 1, m + 1, m ^ 2]) if (a !== m && a >= 0) expect(verifyConsistency(a, n, proof, root1, root2)).toBe(false);
      for (const b of [n * 2, Math.floor(n / 2)]) if (b !== n) expect(verifyConsistency(m, b, proof, root1, root2)).toBe(false);
      if (m !== n) expect(verifyConsistency(m, n, proof, root2, root1)).toBe(false);
      expect(verifyConsistency(n, m, proof, root2, root1)).toBe(m === n);
    });

    it('rejects trailing garbage and truncation', () => {
      for (const extra of [new Uint8Array(32), root2, ...proof])
        expect(verifyConsistency(m, n, [...proof, extra], root1, root2)).toBe(false);
      if (proof.length > 0) {
        expect(verifyConsistency(m, n, proof.slice(0, -1), root1, root2)).toBe(false);
        expect(verifyConsistency(m, n, proof.slice(1), root1, root2)).toBe(false);
      }
    });
  });

  it('settles the edge cases: equal sizes, the empty tree, size1 > size2', () => {
    expect(verifyConsistency(0, 0, [], rootOf(0), rootOf(0))).toBe(true);
    expect(verifyConsistency(0, 5, [], rootOf(0), rootOf(5))).toBe(true);
    expect(verifyConsistency(0, 5, [], rootOf(1), rootOf(5))).toBe(false);
    expect(verifyConsistency(0, 5, [rootOf(5)], rootOf(0), rootOf(5))).toBe(false);
    expect(verifyConsistency(3, 3, [], rootOf(3), rootOf(3))).toBe(true);
    expect(verifyConsistency(3, 3, [], rootOf(3), rootOf(4))).toBe(false);
    expect(verifyConsistency(3, 3, [rootOf(3)], rootOf(3), rootOf(3))).toBe(false);
    expect(verifyConsistency(5, 3, [], rootOf(5), rootOf(3))).toBe(false);
    expect(verifyConsistency(2, 5, [], rootOf(2), rootOf(5))).toBe(false);
    expect(verifyConsistency(1.5, 5, [], rootOf(2), rootOf(5))).toBe(false);
  });
});

describe('generated proofs over random trees', () => {
  const leaves = randomLeaves(64);
  const roots = Array.from({ length: 65 }, (_, n) => rootFromLeafHashes(leaves.slice(0, n)));

  it('every inclusion proof for every (index, size) up to 64 verifies; with an extra or a missing hash it does not', () => {
    for (let n = 1; n <= 64; n++) {
      const tree = leaves.slice(0, n);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, tree);
        expect(verifyInclusion(leaves[i], i, n, proof, roots[n])).toBe(true);
        expect(verifyInclusion(leaves[i], i, n, [...proof, leaves[0]], roots[n])).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(leaves[i], i, n, proof.slice(0, -1), roots[n])).toBe(false);
      }
    }
  });

  it('every consistency proof for every (size1, size2) up to 64 verifies; with an extra or a missing hash it does not', () => {
    for (let n = 0; n <= 64; n++) {
      const tree = leaves.slice(0, n);
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(m, tree);
        expect(verifyConsistency(m, n, proof, roots[m], roots[n])).toBe(true);
        expect(verifyConsistency(m, n, [...proof, leaves[0]], roots[m], roots[n])).toBe(false);
        if (proof.length > 0) expect(verifyConsistency(m, n, proof.slice(0, -1), roots[m], roots[n])).toBe(false);
      }
    }
  });

  it('exhaustively for sizes ≤ 16: a proof verifies for its own index, sizes and roots, and for no other', () => {
    for (let n = 1; n <= 16; n++) {
      const tree = leaves.slice(0, n);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, tree);
        for (let j = 0; j <= n; j++) expect(verifyInclusion(leaves[i], j, n, proof, roots[n])).toBe(j === i);
        for (let other = 0; other <= 16; other++)
          if (other !== n) expect(verifyInclusion(leaves[i], i, n, proof, roots[other])).toBe(false);
      }
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(m, tree);
        for (let a = 0; a <= 16; a++) {
          for (let b = a; b <= 16; b++) {
            // Every (a, b) here is truly consistent, so only the proof's shape can fail it: an empty proof fits a = b and a = 0.
            const fits = (a === m && b === n) || (proof.length === 0 && (a === b || a === 0));
            expect(verifyConsistency(a, b, proof, roots[a], roots[b])).toBe(fits);
          }
        }
      }
    }
  });
});

// The proofs built over stored perfect subtrees equal the RFC 6962 definitions for every (index, size) up to 70.
import { randomBytes } from 'node:crypto';
import { hashChildren, hashLeaf } from '../../src/verifier/rfc6962.js';
import { MerkleProofs } from '../../src/verifier/merkle-proofs.js';
import { perfectSubtrees, referenceConsistencyProof, referenceInclusionProof, rootFromLeafHashes } from '../support/merkle-tree.js';

describe('MerkleProofs over stored perfect subtrees', () => {
  const leaves = Array.from({ length: 70 }, () => hashLeaf(randomBytes(32)));
  const proofs = new MerkleProofs(perfectSubtrees(leaves), (l, r) => hashChildren(l, r));
  const hex = (xs: Uint8Array[]) => xs.map((x) => Buffer.from(x).toString('hex'));

  it('computes every root like MTH', () => {
    for (let n = 1; n <= 70; n++)
      expect(Buffer.from(proofs.subtreeHash(0, n)).toString('hex')).toBe(
        Buffer.from(rootFromLeafHashes(leaves.slice(0, n))).toString('hex'),
      );
  });

  it('produces the reference inclusion proofs', () => {
    for (let n = 1; n <= 70; n++)
      for (let m = 0; m < n; m++) expect(hex(proofs.inclusion(m, n))).toEqual(hex(referenceInclusionProof(m, leaves.slice(0, n))));
  });

  it('produces the reference consistency proofs', () => {
    for (let n = 1; n <= 70; n++)
      for (let m = 1; m <= n; m++) expect(hex(proofs.consistency(m, n))).toEqual(hex(referenceConsistencyProof(m, leaves.slice(0, n))));
  });

  it('refuses leaves and sizes outside the tree', () => {
    expect(() => proofs.inclusion(5, 5)).toThrow(RangeError);
    expect(() => proofs.inclusion(-1, 5)).toThrow(RangeError);
    expect(() => proofs.consistency(6, 5)).toThrow(RangeError);
  });
});

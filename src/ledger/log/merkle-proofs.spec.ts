// The server's stored-subtree proofs equal the reference RFC 6962 construction for every (index, size) up to 70.
import { randomBytes } from 'node:crypto';
import { consistencyProof, hashChildren, hashLeaf, inclusionProof, rootFromLeafHashes } from '../../verifier/rfc6962.js';
import { MerkleProofs } from './merkle-proofs.js';

function perfectNodes(leaves: Uint8Array[]): Map<string, Uint8Array> {
  const nodes = new Map<string, Uint8Array>();
  let level = leaves;
  for (let l = 0; level.length > 0; l++) {
    level.forEach((h, i) => nodes.set(`${l}/${i}`, h));
    const up: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) up.push(hashChildren(level[i], level[i + 1]));
    level = up;
  }
  return nodes;
}

describe('MerkleProofs over stored perfect subtrees', () => {
  const leaves = Array.from({ length: 70 }, () => hashLeaf(randomBytes(32)));
  const nodes = perfectNodes(leaves);
  const proofs = new MerkleProofs((level, index) => {
    const n = nodes.get(`${level}/${index}`);
    if (!n) throw new Error(`missing node ${level}/${index}`);
    return n;
  }, (l, r) => hashChildren(l, r));
  const hex = (xs: Uint8Array[]) => xs.map((x) => Buffer.from(x).toString('hex'));

  it('computes every root like MTH', () => {
    for (let n = 1; n <= 70; n++) expect(Buffer.from(proofs.subtreeHash(0, n)).toString('hex')).toBe(Buffer.from(rootFromLeafHashes(leaves.slice(0, n))).toString('hex'));
  });

  it('produces the reference inclusion proofs', () => {
    for (let n = 1; n <= 70; n++) for (let m = 0; m < n; m++) expect(hex(proofs.inclusion(m, n))).toEqual(hex(inclusionProof(m, leaves.slice(0, n))));
  });

  it('produces the reference consistency proofs', () => {
    for (let n = 1; n <= 70; n++) for (let m = 1; m <= n; m++) expect(hex(proofs.consistency(m, n))).toEqual(hex(consistencyProof(m, leaves.slice(0, n))));
  });

  it('refuses leaves and sizes outside the tree', () => {
    expect(() => proofs.inclusion(5, 5)).toThrow(RangeError);
    expect(() => proofs.inclusion(-1, 5)).toThrow(RangeError);
    expect(() => proofs.consistency(6, 5)).toThrow(RangeError);
  });
});

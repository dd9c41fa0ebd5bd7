// The log keeps the tree nodes it has read for proofs (a stored node never changes): a proof asked again reads nothing
// from the tree store, a proof of a larger tree reads only the nodes it has not read yet, and every proof, from kept
// nodes or not, verifies against the root. Real SQLite stores; the tree store's node reads are counted, not replaced.
import { nativeSha256 } from '../../src/ledger/native-sha256.js';
import type { NodeId } from '../../src/ledger/log/merkle-tree.store.js';
import { hexToBytes } from '../../src/verifier/envelope.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from '../../src/verifier/rfc6962.js';
import { merkleLogFixture } from '../support/merkle-log-fixture.js';
import { lowestKept, UpperNodes } from '../../src/ledger/log/merkle-log.js';

describe('Merkle log node reads', () => {
  const { store, tree, log } = merkleLogFixture('ledger-log-nodes-', 300);
  const read: NodeId[] = [];
  const nodes = tree.nodes.bind(tree);
  tree.nodes = (ids) => {
    read.push(...ids);
    return nodes(ids);
  };
  const events = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'T', data: { i }, meta: {} }));

  const leafHash = async (i: number) => hashLeaf(hexToBytes((await store.readAll(i, { limit: 1 }))[0].hash), nativeSha256);

  it('reads each node from the store once, and proves from the kept nodes what it proved from the store', async () => {
    read.length = 0;
    const first = await log.inclusionProof(137, 300);
    const firstReads = read.length;
    expect(firstReads).toBeGreaterThan(0);
    read.length = 0;
    expect(await log.inclusionProof(137, 300)).toEqual(first);
    expect(read).toEqual([]);
    // A neighbour shares every node above their common parent: only the nodes below it are read.
    await log.inclusionProof(136, 300);
    expect(read.length).toBeGreaterThan(0);
    expect(read.length).toBeLessThan(firstReads);
    expect(read.every(([level]) => level === 0)).toBe(true);
  });

  it('proves every leaf and every tree size from kept and newly read nodes alike', async () => {
    await store.appendToStream('t', events(45), 'no-stream');
    await log.inclusionProof(0, 345); // integrates the new leaves
    const root = await log.root(345);
    for (let i = 0; i < 345; i += 7) {
      const proof = await log.inclusionProof(i, 345);
      expect(verifyInclusion(await leafHash(i), i, 345, proof.hashes.map(hexToBytes), root)).toBe(true);
    }
    for (const from of [1, 2, 100, 255, 256, 299, 300, 344]) {
      const proof = await log.consistencyProof(from, 345);
      expect(verifyConsistency(from, 345, proof.hashes.map(hexToBytes), await log.root(from), root)).toBe(true);
    }
  });
});

describe('the nodes kept: the upper levels of the tree', () => {
  it('keeps the levels from the lowest at which the tree has at most the nodes allowed, up to the root', () => {
    expect(lowestKept(0, 8)).toBe(0);
    expect(lowestKept(4, 8)).toBe(0); // 4 leaves, 2 + 1 nodes above: 8 at most
    expect(lowestKept(5, 8)).toBe(1);
    expect(lowestKept(20, 8)).toBe(3);
    expect(lowestKept(1_000_000, 65_536)).toBe(5); // levels 5 to 19: about 62,500 nodes
    expect(lowestKept(2 ** 40, 65_536)).toBe(25);
  });

  it('drops the levels below the lowest kept as the tree grows, and keeps none of them again', () => {
    const kept = new UpperNodes(8);
    const hash = (n: number) => Uint8Array.of(n);
    kept.keep(0, '0:0', hash(1), 4);
    kept.keep(1, '1:0', hash(2), 4);
    expect([kept.get('0:0'), kept.get('1:0'), kept.size]).toEqual([hash(1), hash(2), 2]);
    kept.keep(2, '2:0', hash(3), 20); // 20 leaves: levels 3 and above only
    kept.keep(3, '3:0', hash(4), 20);
    kept.keep(0, '0:1', hash(5), 20);
    expect([kept.get('0:0'), kept.get('1:0'), kept.get('2:0'), kept.get('0:1'), kept.get('3:0'), kept.size]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      hash(4),
      1,
    ]);
  });
});

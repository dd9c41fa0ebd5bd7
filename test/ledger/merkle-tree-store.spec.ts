// The Merkle tree store port, on SQLite and on PostgreSQL: nodes of every completed subtree, a compare-and-set
// on the size (a second sequencer cannot corrupt the tree), checkpoints that never go backwards, one signer per log.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { hashChildren, hashLeaf } from '../../src/verifier/rfc6962.js';
import { rootFromLeafHashes } from '../support/merkle-tree.js';
import {
  nodeKey,
  SignerMismatchError,
  SqliteMerkleTreeStore,
  TreeMovedError,
  type MerkleTreeStore,
} from '../../src/ledger/log/merkle-tree.store.js';
import { PostgresMerkleTreeStore } from '../../src/ledger/log/postgres-merkle-tree.store.js';
import { tempDir } from '../support/ledger-app.js';
import { dropSchema, freshSchema, testDatabaseUrl } from '../support/pg-schema.js';

const leaf = (i: number) => hashLeaf(new TextEncoder().encode(`leaf ${i}`));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Fixture {
  open: () => Promise<MerkleTreeStore>;
  cleanup: () => Promise<void>;
}

const stores: Array<[string, () => Fixture]> = [
  [
    'SQLite',
    () => {
      const dir = tempDir('ledger-tree-');
      return {
        open: async () => SqliteMerkleTreeStore.open(join(dir, 'merkle.sqlite')),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
];
const url = testDatabaseUrl!;
if (testDatabaseUrl) {
  stores.push([
    'PostgreSQL',
    () => {
      const schema = freshSchema('test_tree');
      return { open: () => PostgresMerkleTreeStore.open(url, schema), cleanup: () => dropSchema(schema) };
    },
  ]);
} else process.stderr.write('\nSKIPPED: Merkle tree store on PostgreSQL: TEST_DATABASE_URL is not set\n');

describe.each(stores)('Merkle tree store: %s', (_name, fixture) => {
  let fx: Fixture;
  let tree: MerkleTreeStore;
  beforeEach(async () => {
    fx = fixture();
    tree = await fx.open();
  });
  afterEach(async () => {
    await tree.close();
    await fx.cleanup();
  });

  it('stores each leaf and every perfect subtree it completes, read singly or in one batch', async () => {
    const frontier: Uint8Array[] = [];
    const leaves = Array.from({ length: 13 }, (_, i) => leaf(i));
    await tree.appendLeaves(0, leaves.slice(0, 5), hashChildren, frontier);
    await tree.appendLeaves(5, leaves.slice(5), hashChildren, frontier);
    expect(await tree.size()).toBe(13);
    const nodes = await tree.nodes([
      [0, 12],
      [1, 5],
      [2, 2],
      [3, 0],
    ]);
    expect(hex(nodes.get(nodeKey(3, 0))!)).toBe(hex(rootFromLeafHashes(leaves.slice(0, 8))));
    expect(hex(await tree.node(2, 2))).toBe(hex(rootFromLeafHashes(leaves.slice(8, 12))));
    expect(hex(nodes.get(nodeKey(0, 12))!)).toBe(hex(leaves[12]));
    expect(hex(nodes.get(nodeKey(1, 5))!)).toBe(hex(hashChildren(leaves[10], leaves[11])));
    await expect(tree.node(4, 0)).rejects.toThrow(/missing/);
  });

  it('reads a batch of more nodes than SQLite joins in one statement, each under its own key, and names the first missing one', async () => {
    const leaves = Array.from({ length: 1024 }, (_, i) => leaf(i));
    await tree.appendLeaves(0, leaves, hashChildren, []);
    // 600 leaves and 25 level-1 nodes (past SQLite's 500 terms of a compound SELECT), in an order of their own, one asked twice.
    const ids: Array<[number, number]> = [
      ...Array.from({ length: 600 }, (_, i): [number, number] => [0, (i * 37) % 1024]),
      ...Array.from({ length: 25 }, (_, i): [number, number] => [1, 511 - i * 3]),
      [0, 37],
    ];
    const nodes = await tree.nodes(ids);
    expect(nodes.size).toBe(625);
    for (const [level, index] of ids) {
      const want = level === 0 ? leaves[index] : hashChildren(leaves[2 * index], leaves[2 * index + 1]);
      expect(hex(nodes.get(nodeKey(level, index))!)).toBe(hex(want));
    }
    // Two missing nodes, the first among the first 64 asked and the second far later: the first is named.
    const missing: Array<[number, number]> = [...ids.slice(0, 10), [11, 0], ...ids.slice(10), [0, 5000]];
    await expect(tree.nodes(missing)).rejects.toThrow('Merkle node (11, 0) is missing');
  });

  it('refuses an append from a stale size and writes nothing (a second sequencer)', async () => {
    const mine: Uint8Array[] = [];
    await tree.appendLeaves(0, [leaf(0), leaf(1)], hashChildren, mine);
    const stale: Uint8Array[] = [];
    const err = await tree.appendLeaves(0, [leaf(9)], hashChildren, stale).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TreeMovedError);
    expect(err).toMatchObject({ expectedSize: 0, actualSize: 2 });
    expect(stale).toEqual([]); // the refused append's frontier is left as it was
    expect(await tree.size()).toBe(2);
    expect(hex(await tree.node(0, 0))).toBe(hex(leaf(0)));
  });

  it('keeps checkpoints monotonic: an equal or smaller one is not stored, the latest is returned instead', async () => {
    const c = (treeSize: number) => ({ treeSize, rootHash: 'ab'.repeat(32), time: 1767225600 + treeSize, note: `note ${treeSize}\n` });
    expect(await tree.latestCheckpoint()).toBeNull();
    expect(await tree.saveCheckpoint(c(4))).toEqual(c(4));
    expect(await tree.saveCheckpoint(c(9))).toEqual(c(9));
    expect(await tree.saveCheckpoint(c(7))).toEqual(c(9));
    expect(await tree.saveCheckpoint(c(9))).toEqual(c(9));
    expect(await tree.latestCheckpoint()).toEqual(c(9));
    expect(await tree.checkpointAt(4)).toEqual(c(4));
    expect(await tree.firstCheckpointCovering(4)).toEqual(c(9));
    expect(await tree.firstCheckpointCovering(3)).toEqual(c(4));
    expect(await tree.checkpoints(Number.MAX_SAFE_INTEGER, 10)).toEqual([c(9), c(4)]);
    expect(await tree.checkpoints(9, 10)).toEqual([c(4)]);
  });

  it('keeps one attestation per checkpoint, kind and source, and finds the newest checkpoint a quorum cosigned', async () => {
    const a = (treeSize: number, kind: 'cosignature' | 'timestamp', source: string) => ({
      treeSize,
      kind,
      source,
      body: `${kind} ${source} ${treeSize}`,
      time: treeSize,
    });
    await tree.saveAttestation(a(4, 'cosignature', 'w1'));
    await tree.saveAttestation(a(4, 'cosignature', 'w2'));
    await tree.saveAttestation(a(4, 'timestamp', 'tsa'));
    await tree.saveAttestation(a(9, 'cosignature', 'w1'));
    await tree.saveAttestation({ ...a(9, 'cosignature', 'w1'), body: 'a second one is ignored' });
    expect(await tree.attestations([4])).toEqual([a(4, 'cosignature', 'w1'), a(4, 'cosignature', 'w2'), a(4, 'timestamp', 'tsa')]);
    expect(await tree.attestations([9, 5])).toEqual([a(9, 'cosignature', 'w1')]);
    expect(await tree.attestations([])).toEqual([]);
    expect(await tree.latestAttestation('cosignature', 'w1')).toEqual(a(9, 'cosignature', 'w1'));
    expect(await tree.latestAttestation('cosignature', 'w3')).toBeNull();
    expect(await tree.newestCosigned(['w1', 'w2'], 2)).toBe(4);
    expect(await tree.newestCosigned(['w1', 'w2'], 1)).toBe(9);
    expect(await tree.newestCosigned(['w2', 'w3'], 2)).toBeNull();
  });

  it('survives reopening', async () => {
    await tree.appendLeaves(0, [leaf(0), leaf(1), leaf(2)], hashChildren, []);
    await tree.close();
    tree = await fx.open();
    expect(await tree.size()).toBe(3);
    expect(hex(await tree.node(1, 0))).toBe(hex(hashChildren(leaf(0), leaf(1))));
  });
});

if (testDatabaseUrl) {
  describe('Merkle tree store: PostgreSQL-specific', () => {
    const schema = freshSchema('test_tree');
    afterAll(() => dropSchema(schema));

    it('binds the log to one origin and signer key: another instance with another key refuses to start', async () => {
      const [a, b] = await Promise.all([PostgresMerkleTreeStore.open(url, schema), PostgresMerkleTreeStore.open(url, schema)]);
      try {
        await a.bindSigner('log.test', 'aa'.repeat(32), 'cc'.repeat(1312));
        await b.bindSigner('log.test', 'aa'.repeat(32), 'cc'.repeat(1312));
        await expect(b.bindSigner('log.test', 'bb'.repeat(32), 'cc'.repeat(1312))).rejects.toThrow(SignerMismatchError);
        await expect(b.bindSigner('other.test', 'aa'.repeat(32), 'cc'.repeat(1312))).rejects.toThrow(/LEDGER_SIGNING_KEY/);
        // The ML-DSA-44 key too: another one, or none, would cosign checkpoints that `verify --pq-vkey` refuses.
        await expect(b.bindSigner('log.test', 'aa'.repeat(32), 'dd'.repeat(1312))).rejects.toThrow(/LEDGER_MLDSA_KEY/);
        await expect(b.bindSigner('log.test', 'aa'.repeat(32), null)).rejects.toThrow(/LEDGER_MLDSA_KEY/);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('two stores racing from the same size: exactly one append lands', async () => {
      const [a, b] = await Promise.all([PostgresMerkleTreeStore.open(url, schema), PostgresMerkleTreeStore.open(url, schema)]);
      try {
        const outcomes = await Promise.allSettled([a, b].map((s, i) => s.appendLeaves(0, [leaf(i), leaf(i + 10)], hashChildren, [])));
        expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
        expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(TreeMovedError);
        expect(await a.size()).toBe(2);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}

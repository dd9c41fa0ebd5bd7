// The embedded tree store writes nodes without waiting for the disk and checkpoints with it: a tree that lost its last
// appends (what a power cut may take from a synchronous=NORMAL WAL) reopens where it kept them and appends those leaves
// again from the durable events, to the same roots and proofs, with every signed checkpoint intact.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import { nativeSha256 } from '../../src/ledger/native-sha256.js';
import { MerkleLog } from '../../src/ledger/log/merkle-log.js';
import { SqliteMerkleTreeStore } from '../../src/ledger/log/merkle-tree.store.js';
import { loadSigningKey } from '../../src/ledger/log/signing-key.js';
import { bytesToHex, hexToBytes } from '../../src/verifier/envelope.js';
import { hashLeaf, verifyInclusion } from '../../src/verifier/rfc6962.js';
import { tempDir } from '../support/ledger-app.js';

const SYNCHRONOUS = { NORMAL: 1, FULL: 2 };

describe('Merkle tree store durability (SQLite)', () => {
  const dir = tempDir('ledger-tree-durability-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const append = (store: SqliteEventStore, stream: string, n: number) =>
    store.appendToStream(
      stream,
      Array.from({ length: n }, (_, i) => ({ type: 'T', data: { stream, i }, meta: {} })),
      'no-stream',
    );

  it('writes nodes with NORMAL and goes back to NORMAL after a checkpoint or an attestation (written with FULL)', async () => {
    const tree = SqliteMerkleTreeStore.open(join(dir, 'settings.sqlite'));
    try {
      expect(tree.synchronousSetting()).toBe(SYNCHRONOUS.NORMAL);
      const leaf = new Uint8Array(32).fill(7);
      await tree.appendLeaves(0, [leaf], () => new Uint8Array(32), []);
      await tree.saveCheckpoint({ treeSize: 1, rootHash: bytesToHex(leaf), time: 1, note: 'note' });
      expect(tree.synchronousSetting()).toBe(SYNCHRONOUS.NORMAL);
      await tree.saveAttestation({ treeSize: 1, kind: 'cosignature', source: 'w', body: 'b', time: 1 });
      expect(tree.synchronousSetting()).toBe(SYNCHRONOUS.NORMAL);
      expect(await tree.latestCheckpoint()).toMatchObject({ treeSize: 1 });
      expect(await tree.attestations([1])).toHaveLength(1);
    } finally {
      await tree.close();
    }
  });

  it('a tree that lost the appends after its last checkpoint reopens there and grows back to the same roots and proofs', async () => {
    const key = loadSigningKey(dir);
    const store = SqliteEventStore.open(join(dir, 'events.sqlite'));
    const treeFile = join(dir, 'merkle.sqlite');
    let tree = SqliteMerkleTreeStore.open(treeFile);
    let log = new MerkleLog(store, tree, key, 'example.test/log', nativeSha256);
    try {
      await append(store, 'a', 5);
      await log.start(0);
      const signed = await log.checkpoint();
      expect(signed.treeSize).toBe(5);
      await append(store, 'b', 8);
      const proof = await log.inclusionProof(9, 13); // integrates the 8 new leaves first
      const root13 = bytesToHex(await log.root(13));
      await log.stop();
      await tree.close();

      // What a power cut may leave: the WAL as of the checkpoint's fsync, i.e. the nodes and size of 5 leaves.
      const db = new Database(treeFile);
      const dropped = db.prepare('DELETE FROM nodes WHERE ((idx + 1) << level) > 5').run().changes;
      db.prepare('UPDATE tree SET size = 5 WHERE id = 0').run();
      db.close();
      expect(dropped).toBeGreaterThan(8);

      tree = SqliteMerkleTreeStore.open(treeFile);
      expect(await tree.size()).toBe(5);
      log = new MerkleLog(store, tree, key, 'example.test/log', nativeSha256);
      await log.start(0);
      expect(await log.inclusionProof(9, 13)).toEqual(proof);
      expect(log.treeSize).toBe(13);
      expect(bytesToHex(await log.root(13))).toBe(root13);
      expect(await tree.latestCheckpoint()).toEqual(signed);
      const [leaf] = await store.readAll(9, { limit: 1 });
      expect(verifyInclusion(hashLeaf(hexToBytes(leaf.hash)), 9, 13, proof.hashes.map(hexToBytes), hexToBytes(root13))).toBe(true);
    } finally {
      await log.stop();
      await tree.close();
      await store.close();
    }
  });
});

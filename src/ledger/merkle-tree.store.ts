// Durable state of the Merkle log: the hash of every perfect aligned subtree (2n nodes), and the signed checkpoints.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface StoredCheckpoint { treeSize: number; rootHash: string; time: number; note: string }

export class MerkleTreeStore {
  private readonly db: Database.Database;
  private readonly stmt;

  private constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS tree (id INTEGER PRIMARY KEY CHECK (id = 0), size INTEGER NOT NULL);
      INSERT OR IGNORE INTO tree (id, size) VALUES (0, 0);
      CREATE TABLE IF NOT EXISTS checkpoints (tree_size INTEGER PRIMARY KEY, root_hash TEXT NOT NULL, time INTEGER NOT NULL, note TEXT NOT NULL);
    `);
    this.stmt = {
      node: this.db.prepare<[number, number], Buffer>('SELECT hash FROM nodes WHERE level = ? AND idx = ?').pluck(),
      putNode: this.db.prepare('INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)'),
      size: this.db.prepare<[], number>('SELECT size FROM tree WHERE id = 0').pluck(),
      setSize: this.db.prepare('UPDATE tree SET size = ? WHERE id = 0'),
      latest: this.db.prepare<[], StoredCheckpoint>('SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints ORDER BY tree_size DESC LIMIT 1'),
      checkpointAt: this.db.prepare<[number], StoredCheckpoint>('SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints WHERE tree_size = ?'),
      firstCovering: this.db.prepare<[number], StoredCheckpoint>('SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints WHERE tree_size > ? ORDER BY tree_size LIMIT 1'),
      page: this.db.prepare<[number, number], StoredCheckpoint>('SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints WHERE tree_size < ? ORDER BY tree_size DESC LIMIT ?'),
      putCheckpoint: this.db.prepare('INSERT INTO checkpoints (tree_size, root_hash, time, note) VALUES (?, ?, ?, ?)'),
    };
  }

  static open(file: string): MerkleTreeStore {
    return new MerkleTreeStore(file);
  }

  size(): number {
    return this.stmt.size.get()!;
  }

  node(level: number, index: number): Uint8Array {
    const hash = this.stmt.node.get(level, index);
    if (!hash) throw new Error(`Merkle node (${level}, ${index}) is missing`);
    return hash;
  }

  /** Appends leaf hashes and every subtree they complete, in one transaction with the new size. */
  appendLeaves(leafHashes: Uint8Array[], hashChildren: (l: Uint8Array, r: Uint8Array) => Uint8Array, frontier: Uint8Array[]): void {
    this.db.transaction(() => {
      let size = this.size();
      for (const leaf of leafHashes) {
        let hash = leaf;
        let index = size;
        let level = 0;
        this.stmt.putNode.run(0, index, hash);
        // Each odd index closes a pair: hash it with its left sibling and climb.
        while (index % 2 === 1) {
          hash = hashChildren(frontier[level], hash);
          level += 1;
          index = (index - 1) / 2;
          this.stmt.putNode.run(level, index, hash);
        }
        frontier[level] = hash;
        size += 1;
      }
      this.stmt.setSize.run(size);
    })();
  }

  latestCheckpoint(): StoredCheckpoint | null {
    return this.stmt.latest.get() ?? null;
  }

  checkpointAt(treeSize: number): StoredCheckpoint | null {
    return this.stmt.checkpointAt.get(treeSize) ?? null;
  }

  /** The smallest checkpoint whose tree contains leaf `leafIndex`. */
  firstCheckpointCovering(leafIndex: number): StoredCheckpoint | null {
    return this.stmt.firstCovering.get(leafIndex) ?? null;
  }

  checkpoints(beforeSize: number, limit: number): StoredCheckpoint[] {
    return this.stmt.page.all(beforeSize, limit);
  }

  saveCheckpoint(c: StoredCheckpoint): void {
    this.stmt.putCheckpoint.run(c.treeSize, c.rootHash, c.time, c.note);
  }

  close(): void {
    this.db.close();
  }
}

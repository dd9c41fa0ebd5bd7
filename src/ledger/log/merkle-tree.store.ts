// Durable state of the Merkle log: the hash of every perfect aligned subtree (2n nodes), and the signed checkpoints.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_PAGE_CACHE_KIB } from '../event-store/sqlite-event-store.js';
import { openSqliteFile } from '../sqlite/open-file.js';
import { setPragma, setWal, SYNCHRONOUS_LEVEL } from '../sqlite/pragma.js';
import { checkpointInBackground } from '../sqlite/wal-checkpoints.js';

export interface StoredCheckpoint {
  treeSize: number;
  rootHash: string;
  time: number;
  note: string;
}

/**
 * Evidence about a checkpoint obtained after it was signed: a cosignature line (the log's own ML-DSA-44 one, or a
 * witness's) or an RFC 3161 timestamp token. `source` names the key (`<name>+<hex key ID>`) or the time-stamp authority.
 */
export interface Attestation {
  treeSize: number;
  kind: 'cosignature' | 'timestamp';
  source: string;
  /** The note signature line (with its newline), or the base64 DER TimeStampToken. */
  body: string;
  /** Unix seconds: the cosignature's timestamp, or the token's genTime. */
  time: number;
}

/** A node coordinate: the perfect subtree of 2^level leaves starting at leaf index * 2^level. */
export type NodeId = readonly [level: number, index: number];
export const nodeKey = (level: number, index: number) => `${level}:${index}`;

/** The tree changed under a writer that believed it was the only one (another sequencer got there first). */
export class TreeMovedError extends Error {
  readonly name = 'TreeMovedError';
  constructor(
    readonly expectedSize: number,
    readonly actualSize: number,
  ) {
    super(`the Merkle tree has ${actualSize} leaves, not the ${expectedSize} this sequencer appended to`);
  }
}

/** The log signer's key does not match the key this log was started with. */
export class SignerMismatchError extends Error {
  readonly name = 'SignerMismatchError';
}

/**
 * The port behind the log sequencer's durable state: SQLite next to the embedded store, PostgreSQL for shared
 * stores. Written by one sequencer at a time (appendLeaves and saveCheckpoint are compare-and-set), read by all.
 */
export interface MerkleTreeStore {
  size(): Promise<number>;
  node(level: number, index: number): Promise<Uint8Array>;
  /** Several nodes in one round trip, keyed by nodeKey; a missing node is an error. */
  nodes(ids: readonly NodeId[]): Promise<Map<string, Uint8Array>>;
  /**
   * Appends leaf hashes and every subtree they complete, with the new size, in one transaction — only if the
   * stored size is still `fromSize` (else TreeMovedError, nothing written). `frontier` is updated in place.
   */
  appendLeaves(
    fromSize: number,
    leafHashes: Uint8Array[],
    hashChildren: (l: Uint8Array, r: Uint8Array) => Uint8Array,
    frontier: Uint8Array[],
  ): Promise<void>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  checkpointAt(treeSize: number): Promise<StoredCheckpoint | null>;
  /** The smallest checkpoint whose tree contains leaf `leafIndex`. */
  firstCheckpointCovering(leafIndex: number): Promise<StoredCheckpoint | null>;
  checkpoints(beforeSize: number, limit: number): Promise<StoredCheckpoint[]>;
  /** Stores `c` unless a checkpoint of the same or a larger tree is already stored; returns the latest stored. */
  saveCheckpoint(c: StoredCheckpoint): Promise<StoredCheckpoint>;
  /** Stores an attestation; one per checkpoint, kind and source (a second is ignored). */
  saveAttestation(a: Attestation): Promise<void>;
  /** Every attestation of the checkpoints of these sizes. */
  attestations(treeSizes: readonly number[]): Promise<Attestation[]>;
  /** The attestation of this kind and source on the largest checkpoint, if any. */
  latestAttestation(kind: Attestation['kind'], source: string): Promise<Attestation | null>;
  /** The largest checkpoint cosigned by at least `quorum` of `sources`, if any. */
  newestCosigned(sources: readonly string[], quorum: number): Promise<number | null>;
  /**
   * Records the log's origin, verifier key and ML-DSA-44 key (null: the log signs without one) on first use; refuses
   * (SignerMismatchError) a different one later.
   */
  bindSigner(origin: string, publicKeyHex: string, mlDsaPublicKeyHex: string | null): Promise<void>;
  close(): Promise<void>;
}

export const MERKLE_TREE_STORE = Symbol('MERKLE_TREE_STORE');

export const ATTESTATION_COLUMNS = 'tree_size AS "treeSize", kind, source, body, time';

/**
 * The nodes that appending `leafHashes` to a tree of `fromSize` leaves stores: each leaf, and every perfect
 * subtree it completes. `frontier` (the last node of every level) is updated in place.
 */
export function completedNodes(
  fromSize: number,
  leafHashes: Uint8Array[],
  hashChildren: (l: Uint8Array, r: Uint8Array) => Uint8Array,
  frontier: Uint8Array[],
): Array<{ level: number; index: number; hash: Uint8Array }> {
  const out: Array<{ level: number; index: number; hash: Uint8Array }> = [];
  let size = fromSize;
  for (const leaf of leafHashes) {
    let hash = leaf;
    let index = size;
    let level = 0;
    out.push({ level, index, hash });
    // Each odd index closes a pair: hash it with its left sibling and climb.
    while (index % 2 === 1) {
      hash = hashChildren(frontier[level], hash);
      level += 1;
      index = (index - 1) / 2;
      out.push({ level, index, hash });
    }
    frontier[level] = hash;
    size += 1;
  }
  return out;
}

/** Nodes read by one statement at most (two bound values each; SQLite's compound SELECT allows 500 terms). */
const NODES_AT_ONCE = 64;
/** How much of the tree's file proofs read through a memory map: 1 GiB, a tree of about 11M leaves; the rest is read. */
const TREE_MMAP_BYTES = 1 << 30;

/** The embedded tree store: one SQLite file next to the events, written by the one process that owns the data dir. */
export class SqliteMerkleTreeStore implements MerkleTreeStore {
  private readonly stmt;
  /** nodesStatement's statements, by the number of nodes they read. */
  private readonly nodeLists = new Map<number, Database.Statement<number[], [number, Buffer]>>();

  private constructor(private readonly db: Database.Database) {
    this.stmt = {
      node: this.db.prepare<[number, number], Buffer>('SELECT hash FROM nodes WHERE level = ? AND idx = ?').pluck(),
      putNode: this.db.prepare('INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)'),
      size: this.db.prepare<[], number>('SELECT size FROM tree WHERE id = 0').pluck(),
      setSize: this.db.prepare('UPDATE tree SET size = ? WHERE id = 0'),
      latest: this.db.prepare<[], StoredCheckpoint>(
        'SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints ORDER BY tree_size DESC LIMIT 1',
      ),
      checkpointAt: this.db.prepare<[number], StoredCheckpoint>(
        'SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints WHERE tree_size = ?',
      ),
      firstCovering: this.db.prepare<[number], StoredCheckpoint>(
        'SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints WHERE tree_size > ? ORDER BY tree_size LIMIT 1',
      ),
      page: this.db.prepare<[number, number], StoredCheckpoint>(
        'SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints WHERE tree_size < ? ORDER BY tree_size DESC LIMIT ?',
      ),
      putCheckpoint: this.db.prepare('INSERT INTO checkpoints (tree_size, root_hash, time, note) VALUES (?, ?, ?, ?)'),
      putAttestation: this.db.prepare('INSERT OR IGNORE INTO attestations (tree_size, kind, source, body, time) VALUES (?, ?, ?, ?, ?)'),
      attestationsOf: this.db.prepare<[string], Attestation>(
        `SELECT ${ATTESTATION_COLUMNS} FROM attestations WHERE tree_size IN (SELECT value FROM json_each(?)) ORDER BY tree_size, kind, source`,
      ),
      latestAttestation: this.db.prepare<[string, string], Attestation>(
        `SELECT ${ATTESTATION_COLUMNS} FROM attestations WHERE kind = ? AND source = ? ORDER BY tree_size DESC LIMIT 1`,
      ),
      newestCosigned: this.db
        .prepare<[string, number], number>(
          `SELECT tree_size FROM attestations WHERE kind = 'cosignature' AND source IN (SELECT value FROM json_each(?))
         GROUP BY tree_size HAVING count(*) >= ? ORDER BY tree_size DESC LIMIT 1`,
        )
        .pluck(),
    };
  }

  static open(file: string): SqliteMerkleTreeStore {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    return openSqliteFile(file, (db) => {
      setWal(db);
      setPragma(db, 'cache_size', -SQLITE_PAGE_CACHE_KIB); // as the event store's: the tree grows at its end
      // A proof reads one node per level from anywhere in the file: mapped, those reads are memory accesses instead of a
      // read() each (median inclusion proof at 1M leaves, nodes read by one statement: 0.10 ms read, 0.07 ms mapped).
      // Writes still go through the WAL.
      if (!db.memory) setPragma(db, 'mmap_size', TREE_MMAP_BYTES); // an in-memory database has no file to map
      // Nodes are written without waiting for the disk: they are a function of the events, which are durable before the
      // tree follows them, and a tree that lost its last appends in a power cut reopens at the size it kept (nodes and
      // size are one transaction) and appends those leaves again, with the same hashes. What cannot be derived, a signed
      // checkpoint and an attestation received, is written with FULL (`durably`); its fsync of the WAL covers the nodes
      // written before it, so the tree of every stored checkpoint is on disk too.
      setPragma(db, 'synchronous', 'NORMAL', SYNCHRONOUS_LEVEL.NORMAL);
      checkpointInBackground(db);
      db.exec(`
        CREATE TABLE IF NOT EXISTS nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS tree (id INTEGER PRIMARY KEY CHECK (id = 0), size INTEGER NOT NULL);
        INSERT OR IGNORE INTO tree (id, size) VALUES (0, 0);
        CREATE TABLE IF NOT EXISTS checkpoints (tree_size INTEGER PRIMARY KEY, root_hash TEXT NOT NULL, time INTEGER NOT NULL, note TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS attestations (
          tree_size INTEGER NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL, time INTEGER NOT NULL,
          PRIMARY KEY (tree_size, kind, source)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS attestations_by_source ON attestations (kind, source, tree_size);
      `);
      return new SqliteMerkleTreeStore(db);
    });
  }

  async size(): Promise<number> {
    return this.stmt.size.get()!;
  }

  async node(level: number, index: number): Promise<Uint8Array> {
    return this.nodeNow(level, index);
  }

  private nodeNow(level: number, index: number): Uint8Array {
    const hash = this.stmt.node.get(level, index);
    if (!hash) throw new Error(`Merkle node (${level}, ${index}) is missing`);
    return hash;
  }

  async nodes(ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    for (let from = 0; from < ids.length; from += NODES_AT_ONCE) {
      const part = ids.slice(from, from + NODES_AT_ONCE);
      for (const [i, hash] of this.nodesStatement(part.length).all(...part.flat())) found.set(nodeKey(...part[i]), hash);
    }
    const missing = ids.find(([level, index]) => !found.has(nodeKey(level, index)));
    if (missing) throw new Error(`Merkle node (${missing[0]}, ${missing[1]}) is missing`);
    return found;
  }

  /**
   * One statement for `count` nodes: a point lookup per node joined by UNION ALL, each row tagged with the node's place
   * in the list. A proof's dozen or two nodes then cost one call into SQLite rather than one each.
   */
  private nodesStatement(count: number): Database.Statement<number[], [number, Buffer]> {
    let statement = this.nodeLists.get(count);
    if (!statement) {
      const lookups = Array.from({ length: count }, (_, i) => `SELECT ${i}, hash FROM nodes WHERE level = ? AND idx = ?`);
      statement = this.db.prepare<number[], [number, Buffer]>(lookups.join(' UNION ALL ')).raw();
      this.nodeLists.set(count, statement);
    }
    return statement;
  }

  async appendLeaves(
    fromSize: number,
    leafHashes: Uint8Array[],
    hashChildren: (l: Uint8Array, r: Uint8Array) => Uint8Array,
    frontier: Uint8Array[],
  ): Promise<void> {
    this.db.transaction(() => {
      const size = this.stmt.size.get()!;
      if (size !== fromSize) throw new TreeMovedError(fromSize, size);
      for (const n of completedNodes(fromSize, leafHashes, hashChildren, frontier)) this.stmt.putNode.run(n.level, n.index, n.hash);
      this.stmt.setSize.run(size + leafHashes.length);
    })();
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.stmt.latest.get() ?? null;
  }

  async checkpointAt(treeSize: number): Promise<StoredCheckpoint | null> {
    return this.stmt.checkpointAt.get(treeSize) ?? null;
  }

  async firstCheckpointCovering(leafIndex: number): Promise<StoredCheckpoint | null> {
    return this.stmt.firstCovering.get(leafIndex) ?? null;
  }

  async checkpoints(beforeSize: number, limit: number): Promise<StoredCheckpoint[]> {
    return this.stmt.page.all(beforeSize, limit);
  }

  async saveCheckpoint(c: StoredCheckpoint): Promise<StoredCheckpoint> {
    return this.durably(() =>
      this.db
        .transaction(() => {
          const latest = this.stmt.latest.get();
          if (latest && latest.treeSize >= c.treeSize) return latest;
          this.stmt.putCheckpoint.run(c.treeSize, c.rootHash, c.time, c.note);
          return c;
        })
        .immediate(),
    );
  }

  async saveAttestation(a: Attestation): Promise<void> {
    this.durably(() => this.stmt.putAttestation.run(a.treeSize, a.kind, a.source, a.body, a.time));
  }

  /** Runs `write` (one transaction) with synchronous=FULL: it returns once the write is on disk. */
  private durably<T>(write: () => T): T {
    this.db.pragma('synchronous = FULL');
    try {
      return write();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** The connection's synchronous setting between writes (1 NORMAL, 2 FULL), for the tests. */
  synchronousSetting(): number {
    return Number(this.db.pragma('synchronous', { simple: true }));
  }

  async attestations(treeSizes: readonly number[]): Promise<Attestation[]> {
    return treeSizes.length === 0 ? [] : this.stmt.attestationsOf.all(JSON.stringify(treeSizes));
  }

  async latestAttestation(kind: Attestation['kind'], source: string): Promise<Attestation | null> {
    return this.stmt.latestAttestation.get(kind, source) ?? null;
  }

  async newestCosigned(sources: readonly string[], quorum: number): Promise<number | null> {
    return this.stmt.newestCosigned.get(JSON.stringify(sources), quorum) ?? null;
  }

  /** One process owns a data dir and may rotate its key (LEDGER_SIGNING_KEY): nothing to bind. */
  async bindSigner(): Promise<void> {}

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

// The Merkle log's durable state in PostgreSQL, beside the events: shared by every app instance on the schema.
// One sequencer writes (compare-and-set on the size); every instance reads nodes to answer proofs.
import pg from 'pg';
import { advisoryLockKey, checkSchemaName, ensureSchema, inTransaction, pgConnection } from '../event-store/postgres-support.js';
import {
  ATTESTATION_COLUMNS,
  type Attestation,
  completedNodes,
  nodeKey,
  SignerMismatchError,
  TreeMovedError,
  type MerkleTreeStore,
  type NodeId,
  type StoredCheckpoint,
} from './merkle-tree.store.js';

const CHECKPOINT_COLUMNS = 'tree_size AS "treeSize", root_hash AS "rootHash", time, note';

interface CheckpointRow {
  treeSize: string;
  rootHash: string;
  time: string;
  note: string;
}
interface AttestationRow {
  treeSize: string;
  kind: Attestation['kind'];
  source: string;
  body: string;
  time: string;
}
const toAttestation = (r: AttestationRow): Attestation => ({ ...r, treeSize: Number(r.treeSize), time: Number(r.time) });
const toCheckpoint = (r: CheckpointRow): StoredCheckpoint => ({
  treeSize: Number(r.treeSize),
  rootHash: r.rootHash,
  time: Number(r.time),
  note: r.note,
});

export class PostgresMerkleTreeStore implements MerkleTreeStore {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  static async open(connectionString: string, schema = 'ledger'): Promise<PostgresMerkleTreeStore> {
    checkSchemaName(schema);
    const pool = new pg.Pool({ ...pgConnection(connectionString, 'merkle'), max: 5 });
    pool.on('error', () => {
      /* an idle client died; the next query reconnects and reports a real outage */
    });
    try {
      await ensureSchema(pool, schema);
      await inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey(`sandbox-ledger/merkle:${schema}`)]);
        await client.query(`
          CREATE TABLE IF NOT EXISTS "${schema}".merkle_nodes (level SMALLINT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (level, idx));
          CREATE TABLE IF NOT EXISTS "${schema}".merkle_tree (
            id SMALLINT PRIMARY KEY CHECK (id = 0), size BIGINT NOT NULL, origin TEXT, public_key TEXT);
          ALTER TABLE "${schema}".merkle_tree ADD COLUMN IF NOT EXISTS mldsa_public_key TEXT;
          INSERT INTO "${schema}".merkle_tree (id, size) VALUES (0, 0) ON CONFLICT DO NOTHING;
          CREATE TABLE IF NOT EXISTS "${schema}".merkle_checkpoints (
            tree_size BIGINT PRIMARY KEY, root_hash TEXT NOT NULL, time BIGINT NOT NULL, note TEXT NOT NULL);
          CREATE TABLE IF NOT EXISTS "${schema}".merkle_attestations (
            tree_size BIGINT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL, time BIGINT NOT NULL,
            PRIMARY KEY (tree_size, kind, source));
          CREATE INDEX IF NOT EXISTS merkle_attestations_by_source ON "${schema}".merkle_attestations (kind, source, tree_size);`);
      });
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresMerkleTreeStore(pool, schema);
  }

  private get t() {
    const s = this.schema;
    return {
      nodes: `"${s}".merkle_nodes`,
      tree: `"${s}".merkle_tree`,
      checkpoints: `"${s}".merkle_checkpoints`,
      attestations: `"${s}".merkle_attestations`,
    };
  }

  async size(): Promise<number> {
    const { rows } = await this.pool.query<{ size: string }>(`SELECT size FROM ${this.t.tree} WHERE id = 0`);
    return Number(rows[0].size);
  }

  async node(level: number, index: number): Promise<Uint8Array> {
    return (await this.nodes([[level, index]])).get(nodeKey(level, index))!;
  }

  /** In one round trip; the Merkle log keeps the nodes it has read for proofs (MerkleLog.nodesRead). */
  async nodes(ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    if (ids.length === 0) return found;
    const { rows } = await this.pool.query<{ level: number; idx: string; hash: Buffer }>(
      `SELECT DISTINCT n.level, n.idx, n.hash FROM ${this.t.nodes} n JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) USING (level, idx)`,
      [ids.map((m) => m[0]), ids.map((m) => m[1])],
    );
    for (const r of rows) found.set(nodeKey(r.level, Number(r.idx)), new Uint8Array(r.hash));
    for (const [level, index] of ids) if (!found.has(nodeKey(level, index))) throw new Error(`Merkle node (${level}, ${index}) is missing`);
    return found;
  }

  async appendLeaves(
    fromSize: number,
    leafHashes: Uint8Array[],
    hashChildren: (l: Uint8Array, r: Uint8Array) => Uint8Array,
    frontier: Uint8Array[],
  ): Promise<void> {
    if (leafHashes.length === 0) return;
    // Worked out on a copy of the frontier, kept only once stored.
    const grown = [...frontier];
    const nodes = completedNodes(fromSize, leafHashes, hashChildren, grown);
    // One statement, committed on its own: the size moves from `fromSize` only if it still is (compare-and-set: a
    // second sequencer's UPDATE waits for the row, then finds the size moved and matches nothing), and the nodes are
    // inserted only if it moved. Every leaf makes a node, so no row inserted means the tree had moved.
    const { rowCount } = await this.pool.query({
      name: `merkle.${this.schema}.append`,
      text: `WITH moved AS (UPDATE ${this.t.tree} SET size = $1 WHERE id = 0 AND size = $2 RETURNING size)
             INSERT INTO ${this.t.nodes} (level, idx, hash)
             SELECT n.level, n.idx, n.hash FROM unnest($3::smallint[], $4::bigint[], $5::bytea[]) AS n(level, idx, hash)
             WHERE EXISTS (SELECT 1 FROM moved)`,
      values: [
        fromSize + leafHashes.length,
        fromSize,
        nodes.map((n) => n.level),
        nodes.map((n) => n.index),
        nodes.map((n) => Buffer.from(n.hash)),
      ],
    });
    if (!rowCount) throw new TreeMovedError(fromSize, await this.size());
    frontier.splice(0, frontier.length, ...grown);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const { rows } = await this.pool.query<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM ${this.t.checkpoints} ORDER BY tree_size DESC LIMIT 1`,
    );
    return rows[0] ? toCheckpoint(rows[0]) : null;
  }

  async checkpointAt(treeSize: number): Promise<StoredCheckpoint | null> {
    const { rows } = await this.pool.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM ${this.t.checkpoints} WHERE tree_size = $1`, [
      treeSize,
    ]);
    return rows[0] ? toCheckpoint(rows[0]) : null;
  }

  async firstCheckpointCovering(leafIndex: number): Promise<StoredCheckpoint | null> {
    const { rows } = await this.pool.query<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM ${this.t.checkpoints} WHERE tree_size > $1 ORDER BY tree_size LIMIT 1`,
      [leafIndex],
    );
    return rows[0] ? toCheckpoint(rows[0]) : null;
  }

  async checkpoints(beforeSize: number, limit: number): Promise<StoredCheckpoint[]> {
    const { rows } = await this.pool.query<CheckpointRow>(
      `SELECT ${CHECKPOINT_COLUMNS} FROM ${this.t.checkpoints} WHERE tree_size < $1 ORDER BY tree_size DESC LIMIT $2`,
      [beforeSize, limit],
    );
    return rows.map(toCheckpoint);
  }

  async saveCheckpoint(c: StoredCheckpoint): Promise<StoredCheckpoint> {
    return inTransaction(this.pool, async (client) => {
      // Serialized with appendLeaves and other signers by the tree row: a checkpoint never goes behind the latest.
      await client.query(`SELECT 1 FROM ${this.t.tree} WHERE id = 0 FOR UPDATE`);
      const { rows } = await client.query<CheckpointRow>(
        `SELECT ${CHECKPOINT_COLUMNS} FROM ${this.t.checkpoints} ORDER BY tree_size DESC LIMIT 1`,
      );
      if (rows[0] && Number(rows[0].treeSize) >= c.treeSize) return toCheckpoint(rows[0]);
      await client.query(`INSERT INTO ${this.t.checkpoints} (tree_size, root_hash, time, note) VALUES ($1, $2, $3, $4)`, [
        c.treeSize,
        c.rootHash,
        c.time,
        c.note,
      ]);
      return c;
    });
  }

  async saveAttestation(a: Attestation): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.t.attestations} (tree_size, kind, source, body, time) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [a.treeSize, a.kind, a.source, a.body, a.time],
    );
  }

  async attestations(treeSizes: readonly number[]): Promise<Attestation[]> {
    if (treeSizes.length === 0) return [];
    const { rows } = await this.pool.query<AttestationRow>(
      `SELECT ${ATTESTATION_COLUMNS} FROM ${this.t.attestations} WHERE tree_size = ANY($1::bigint[]) ORDER BY tree_size, kind, source`,
      [treeSizes],
    );
    return rows.map(toAttestation);
  }

  async latestAttestation(kind: Attestation['kind'], source: string): Promise<Attestation | null> {
    const { rows } = await this.pool.query<AttestationRow>(
      `SELECT ${ATTESTATION_COLUMNS} FROM ${this.t.attestations} WHERE kind = $1 AND source = $2 ORDER BY tree_size DESC LIMIT 1`,
      [kind, source],
    );
    return rows[0] ? toAttestation(rows[0]) : null;
  }

  async newestCosigned(sources: readonly string[], quorum: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ tree_size: string }>(
      `SELECT tree_size FROM ${this.t.attestations} WHERE kind = 'cosignature' AND source = ANY($1::text[])
       GROUP BY tree_size HAVING count(*) >= $2 ORDER BY tree_size DESC LIMIT 1`,
      [sources, quorum],
    );
    return rows[0] ? Number(rows[0].tree_size) : null;
  }

  /** Every instance on a schema must sign with one key: a checkpoint signed by another key would fail every verifier. */
  async bindSigner(origin: string, publicKeyHex: string, mlDsaPublicKeyHex: string | null): Promise<void> {
    // The ML-DSA-44 key is bound by the first instance that starts with one (a log begun before the column existed too).
    const { rows } = await this.pool.query<{ origin: string; public_key: string; mldsa_public_key: string | null }>(
      `UPDATE ${this.t.tree} SET origin = COALESCE(origin, $1), public_key = COALESCE(public_key, $2),
         mldsa_public_key = COALESCE(mldsa_public_key, $3) WHERE id = 0 RETURNING origin, public_key, mldsa_public_key`,
      [origin, publicKeyHex, mlDsaPublicKeyHex],
    );
    const bound = rows[0];
    if (bound.origin !== origin || bound.public_key !== publicKeyHex) {
      throw new SignerMismatchError(
        `the log in schema ${this.schema} is signed as ${bound.origin} with public key ${bound.public_key}, not as ${origin} with ${publicKeyHex}: ` +
          `give every instance the same LEDGER_ORIGIN and LEDGER_SIGNING_KEY (the key is the log's identity: another key is another log, under another origin and in another schema)`,
      );
    }
    if (bound.mldsa_public_key !== mlDsaPublicKeyHex) {
      throw new SignerMismatchError(
        `the log in schema ${this.schema} is cosigned with the ML-DSA-44 public key ${bound.mldsa_public_key?.slice(0, 16) ?? 'none'}…, ` +
          `not ${mlDsaPublicKeyHex?.slice(0, 16) ?? 'none'}…: give every instance the same LEDGER_MLDSA_KEY ` +
          `(verifiers hold the log's keys: another key is another log, under another origin and in another schema)`,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

// The log sequencer: turns events, in store order, into RFC 6962 leaves, answers proofs and signs checkpoints.
import { Logger } from '@nestjs/common';
import { formatCheckpointBody } from '../verifier/checkpoint.js';
import { bytesToHex, hexToBytes, type EventEnvelope, type Sha256 } from '../verifier/envelope.js';
import { signNote } from '../verifier/note.js';
import { hashChildren, hashLeaf, verifyConsistency } from '../verifier/rfc6962.js';
import type { EventStore, Unsubscribe } from './event-store.port.js';
import { MerkleProofs } from './merkle-proofs.js';
import type { MerkleTreeStore, StoredCheckpoint } from './merkle-tree.store.js';
import type { SigningKey } from './signing-key.js';

const BATCH = 5000;

export interface InclusionProof { leafIndex: number; treeSize: number; hashes: string[] }
export interface ConsistencyProof { from: number; to: number; hashes: string[] }
export interface Receipt { entry: EventEnvelope; leafIndex: number; treeSize: number; inclusionProof: InclusionProof; checkpoint: string }

export class MerkleLog {
  private readonly logger = new Logger('merkle-log');
  private size = 0;
  private frontier: Uint8Array[] = [];
  private integrating: Promise<void> | null = null;
  private again = false;
  private unsubscribe: Unsubscribe | null = null;
  private timer: NodeJS.Timeout | null = null;
  private signing: Promise<unknown> = Promise.resolve();
  readonly proofs: MerkleProofs;
  private readonly children: (l: Uint8Array, r: Uint8Array) => Uint8Array;

  constructor(
    private readonly store: EventStore,
    private readonly tree: MerkleTreeStore,
    private readonly key: SigningKey,
    readonly origin: string,
    private readonly sha256: Sha256,
  ) {
    this.children = (l, r) => hashChildren(l, r, sha256);
    this.proofs = new MerkleProofs((level, index) => tree.node(level, index), this.children);
  }

  get treeSize(): number {
    return this.size;
  }

  /** Loads the frontier, checks the stored tree against the events, integrates what is new, and signs every `intervalMs`. */
  async start(intervalMs = 1000): Promise<void> {
    this.size = this.tree.size();
    const logSize = await this.store.count();
    if (this.size > logSize) throw new Error(`the Merkle log has ${this.size} leaves but the event store only ${logSize} events`);
    if (this.size > 0) {
      const [last] = await this.store.readAll(this.size - 1, { limit: 1 });
      if (bytesToHex(this.tree.node(0, this.size - 1)) !== bytesToHex(hashLeaf(hexToBytes(last.hash), this.sha256))) {
        throw new Error(`leaf ${this.size - 1} of the Merkle log does not match the event store`);
      }
    }
    this.loadFrontier();
    this.unsubscribe = this.store.subscribe(() => void this.integrate().catch(() => undefined));
    await this.integrate();
    if (intervalMs > 0) {
      this.timer = setInterval(() => void this.signIfGrown().catch((err: Error) => this.logger.error(`checkpoint failed: ${err.message}`)), intervalMs);
      this.timer.unref();
    }
  }

  /** The last node of every level: the left siblings the next leaves will be paired with. */
  private loadFrontier(): void {
    this.size = this.tree.size();
    this.frontier = [];
    for (let level = 0; Math.floor(this.size / 2 ** level) > 0; level++) this.frontier[level] = this.tree.node(level, Math.floor(this.size / 2 ** level) - 1);
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
  }

  /** Appends every event not yet in the tree, in log order; concurrent calls share one pass. */
  integrate(): Promise<void> {
    if (this.integrating) {
      this.again = true;
      return this.integrating;
    }
    this.integrating = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const batch = await this.store.readAll(this.size, { limit: BATCH });
            if (batch.length === 0) break;
            batch.forEach((e, i) => {
              if (e.leafIndex !== this.size + i) throw new Error(`event store returned position ${e.leafIndex}, expected ${this.size + i}`);
            });
            this.tree.appendLeaves(batch.map((e) => hashLeaf(hexToBytes(e.hash), this.sha256)), this.children, this.frontier);
            this.size += batch.length;
          }
        } while (this.again);
      } catch (err) {
        this.loadFrontier(); // the failed batch rolled back: start again from what is stored
        throw err;
      } finally {
        this.integrating = null;
      }
    })();
    return this.integrating;
  }

  root(treeSize = this.size): Uint8Array {
    return treeSize === 0 ? this.sha256(new Uint8Array(0)) : this.proofs.subtreeHash(0, treeSize);
  }

  latestCheckpoint(): StoredCheckpoint | null {
    return this.tree.latestCheckpoint();
  }

  checkpoints(beforeSize: number, limit: number): StoredCheckpoint[] {
    return this.tree.checkpoints(beforeSize, limit);
  }

  private async signIfGrown(): Promise<void> {
    await this.integrate();
    if (this.size > (this.tree.latestCheckpoint()?.treeSize ?? 0)) await this.checkpoint();
  }

  /** Signs the current tree head; one signing at a time, and only when consistent with the last checkpoint. */
  checkpoint(): Promise<StoredCheckpoint> {
    const next = this.signing.then(() => this.signHead());
    this.signing = next.catch(() => undefined);
    return next;
  }

  private async signHead(): Promise<StoredCheckpoint> {
    await this.integrate();
    const treeSize = this.size;
    const latest = this.tree.latestCheckpoint();
    if (latest && latest.treeSize === treeSize) return latest;
    const root = this.root(treeSize);
    if (latest) {
      const proof = this.proofs.consistency(latest.treeSize, treeSize);
      if (!verifyConsistency(latest.treeSize, treeSize, proof, hexToBytes(latest.rootHash), root, this.sha256)) {
        throw new Error(`refusing to sign: tree ${treeSize} is not consistent with checkpoint ${latest.treeSize}`);
      }
    }
    const time = Math.max(Math.floor(Date.now() / 1000), latest?.time ?? 0); // never earlier than the last checkpoint
    const note = signNote(formatCheckpointBody({ origin: this.origin, treeSize, rootHash: root, time }), this.origin, this.key.secretKey);
    const saved = { treeSize, rootHash: bytesToHex(root), time, note };
    this.tree.saveCheckpoint(saved);
    return saved;
  }

  /** The latest checkpoint that contains `leafIndex`, signed now when none does yet. */
  async checkpointCovering(leafIndex: number): Promise<StoredCheckpoint> {
    const latest = this.tree.latestCheckpoint();
    if (latest && latest.treeSize > leafIndex) return latest;
    const fresh = await this.checkpoint();
    if (fresh.treeSize <= leafIndex) throw new RangeError(`leaf ${leafIndex} is not in the log`);
    return fresh;
  }

  async inclusionProof(leafIndex: number, treeSize: number): Promise<InclusionProof> {
    await this.ensureSize(treeSize);
    return { leafIndex, treeSize, hashes: this.proofs.inclusion(leafIndex, treeSize).map(bytesToHex) };
  }

  async consistencyProof(from: number, to: number): Promise<ConsistencyProof> {
    await this.ensureSize(to);
    return { from, to, hashes: this.proofs.consistency(from, to).map(bytesToHex) };
  }

  async receipt(entry: EventEnvelope): Promise<Receipt> {
    const checkpoint = await this.checkpointCovering(entry.leafIndex);
    const inclusionProof = await this.inclusionProof(entry.leafIndex, checkpoint.treeSize);
    return { entry, leafIndex: entry.leafIndex, treeSize: checkpoint.treeSize, inclusionProof, checkpoint: checkpoint.note };
  }

  private async ensureSize(treeSize: number): Promise<void> {
    if (treeSize > this.size) await this.integrate();
    if (treeSize > this.size) throw new RangeError(`the log has ${this.size} leaves, not ${treeSize}`);
  }
}

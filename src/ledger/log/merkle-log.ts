// The log sequencer: turns events, in store order, into RFC 6962 leaves, answers proofs and signs checkpoints.
// When several instances share a store, only the leader (LogLeadership) integrates and signs; followers answer
// proofs from the shared tree store and wait briefly for the leader when a receipt needs a newer checkpoint.
import { Logger } from '@nestjs/common';
import { DomainError } from '../../common/domain-error.js';
import { quorumWaits } from '../../common/metrics.js';
import { formatCheckpointBody } from '../../verifier/checkpoint.js';
import { bytesToHex, hexToBytes, type EventEnvelope, type Sha256 } from '../../verifier/envelope.js';
import { cosignerKeyId, cosignerLabel, ML_DSA_44, signMlDsaCosignature } from '../../verifier/cosignature.js';
import { signNote } from '../../verifier/note.js';
import { formatStreamHead, type StreamHead } from '../../verifier/stream-head.js';
import type { ReceiptTimestamp } from '../../verifier/public-receipt.js';
import { MerkleProofs } from '../../verifier/merkle-proofs.js';
import { hashChildren, hashLeaf, verifyConsistency } from '../../verifier/rfc6962.js';
import type { EventStore, Unsubscribe } from '../event-store/event-store.port.js';
import { SoleLeadership, type LogLeadership } from './log-leadership.js';
import { nodeKey, type MerkleTreeStore, type NodeId, type StoredCheckpoint } from './merkle-tree.store.js';
import type { MlDsaKey, SigningKey } from './signing-key.js';

const BATCH = 5000;
/** Stored nodes kept in memory for proofs (MerkleLog.nodesRead): about 8 MB at most. */
const NODES_KEPT = 65_536;

/** Lowercase hex of a hash, by Node's encoder (a proof's twenty-odd hashes cost less than with a loop in JavaScript). */
const hexOf = (hash: Uint8Array) => Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');

/**
 * The stored nodes of the tree's upper levels, read once and kept: those from the lowest level at which the tree has at
 * most `max` nodes in all (about 2n / 2^level for n leaves) up to the root. A proof of any leaf reads one or two nodes
 * per level, so every proof reads these again, while a node of a lower level is read by few proofs: kept by level, a
 * hit costs one Map lookup and no bookkeeping of recency. As the tree grows the lowest level kept rises, and the nodes
 * below it are dropped.
 */
export class UpperNodes {
  private readonly nodes = new Map<string, { level: number; hash: Uint8Array }>();
  private lowest = 0;
  /** The tree size `lowest` was last worked out for: it changes only when the tree grows. */
  private sizeSeen = 0;

  constructor(private readonly max: number) {}

  get(key: string): Uint8Array | undefined {
    return this.nodes.get(key)?.hash;
  }

  /** Keeps a node read from the store if its level is kept in a tree of `treeSize` leaves. */
  keep(level: number, key: string, hash: Uint8Array, treeSize: number): void {
    if (treeSize !== this.sizeSeen) {
      this.sizeSeen = treeSize;
      const lowest = lowestKept(treeSize, this.max);
      if (lowest > this.lowest) {
        this.lowest = lowest;
        for (const [k, node] of this.nodes) if (node.level < lowest) this.nodes.delete(k);
      }
    }
    if (level >= this.lowest) this.nodes.set(key, { level, hash });
  }

  get size(): number {
    return this.nodes.size;
  }
}

/** The lowest level whose nodes, with those above it, number at most `max` in a tree of `treeSize` leaves. */
export function lowestKept(treeSize: number, max: number): number {
  let level = 0;
  while (2 * Math.floor(treeSize / 2 ** level) > max) level++;
  return level;
}
const POLL_MS = 50;
/** Recent checkpoints whose wait for the witness quorum is remembered (they are waited for once). */
const QUORUM_WAITS_KEPT = 16;
/** After a commit, the leader integrates within this delay: the commits meanwhile share one tree transaction. */
const INTEGRATE_DELAY_MS = 100;

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  hashes: string[];
}
export interface ConsistencyProof {
  from: number;
  to: number;
  hashes: string[];
}
/** An RFC 3161 token over a checkpoint: which TSA, its genTime (unix seconds), the DER TimeStampToken in base64. */
export type CheckpointTimestamp = ReceiptTimestamp;

/** A checkpoint as served: its note with every cosignature line appended, who cosigned it when, and its time-stamps. */
export interface AttestedCheckpoint extends StoredCheckpoint {
  cosignatures: Array<{ cosigner: string; time: number }>;
  timestamps: CheckpointTimestamp[];
}

export interface Receipt {
  entry: EventEnvelope;
  leafIndex: number;
  treeSize: number;
  inclusionProof: InclusionProof;
  checkpoint: string;
  /** Present when the checkpoint has RFC 3161 tokens. */
  timestamps?: CheckpointTimestamp[];
}

/** Who must cosign a checkpoint before it is served as cosigned: cosigner labels (`<name>+<hex key ID>`) and how many of them. */
export interface WitnessPolicy {
  cosigners: string[];
  quorum: number;
  waitMs: number;
}

/** A proof asked of a tree or leaf the log does not have: the client's mistake, a 400. */
export class LogRangeError extends DomainError {
  readonly name = 'LogRangeError';
  constructor(message: string) {
    super('invalid', 'out-of-range', message);
  }
}

/** A follower waited for the leader and the log has not caught up yet: 503 with Retry-After. */
export class SequencerUnavailableError extends DomainError {
  readonly name = 'SequencerUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super('unavailable', 'unavailable', message);
  }
}

export interface MerkleLogOptions {
  /** Who sequences; the default, for the embedded store, is always this process. */
  leadership?: LogLeadership;
  /** How long a follower waits for the leader's tree or checkpoint before answering 503. */
  followerWaitMs?: number;
  /** How often the leader looks for events other instances appended (their commits do not notify this process). */
  tailMs?: number;
  /** The wall clock (ms), for checkpoint times. */
  now?: () => number;
  /** The log's ML-DSA-44 key: every checkpoint the log signs is also cosigned with it (subtree/v1). */
  mlDsa?: MlDsaKey;
  /** Witnesses whose quorum a served checkpoint should meet. */
  witnesses?: WitnessPolicy;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class MerkleLog {
  private readonly logger = new Logger('merkle-log');
  /** Leader: leaves integrated so far. Follower: the tree size last read from the tree store. */
  private size = 0;
  private frontier: Uint8Array[] = [];
  /** False until the frontier is read from the store, and again after a failure or a change of leader. */
  private frontierFresh = false;
  private integrating: Promise<void> | null = null;
  private again = false;
  private unsubscribe: Unsubscribe | null = null;
  private timers: NodeJS.Timeout[] = [];
  private integrationDue: NodeJS.Timeout | null = null;
  private signing: Promise<unknown> = Promise.resolve();
  private readonly children: (l: Uint8Array, r: Uint8Array) => Uint8Array;
  /**
   * Nodes read for proofs, those of the upper levels kept: a stored node is the hash of a complete subtree, written once
   * and never changed (the same hash if its leaves are appended again), and every proof reads the nodes near the root
   * again (about 5 µs a node on SQLite, a round trip on PostgreSQL). The one node cache, for every tree store. Hashes
   * are only ever read.
   */
  private readonly nodesRead = new UpperNodes(NODES_KEPT);
  private readonly leadership: LogLeadership;
  private readonly followerWaitMs: number;
  private readonly tailMs: number;
  private readonly now: () => number;
  private readonly mlDsa: MlDsaKey | undefined;
  /** `<origin>+<hex key ID>` of the log's ML-DSA-44 cosigner key. */
  readonly mlDsaLabel: string | undefined;
  private readonly witnesses: WitnessPolicy | undefined;
  private readonly published: Array<(c: StoredCheckpoint) => void> = [];
  /** Waiting for a quorum: woken when an attestation is stored in this process (polling covers other processes). */
  private readonly attestationWaiters = new Set<() => void>();
  /**
   * When the wait for the quorum on each recent checkpoint ends (by tree size): the first request that needs it starts
   * the wait, those meanwhile share it, and once it is over the checkpoint is fresh no more and nobody waits for it again.
   */
  private readonly quorumDeadlines = new Map<number, number>();

  constructor(
    private readonly store: EventStore,
    private readonly tree: MerkleTreeStore,
    private readonly key: SigningKey,
    readonly origin: string,
    private readonly sha256: Sha256,
    opts: MerkleLogOptions = {},
  ) {
    this.children = (l, r) => hashChildren(l, r, sha256);
    this.leadership = opts.leadership ?? new SoleLeadership();
    this.followerWaitMs = opts.followerWaitMs ?? 3000;
    this.tailMs = opts.tailMs ?? 200;
    this.now = opts.now ?? Date.now;
    this.mlDsa = opts.mlDsa;
    this.mlDsaLabel = opts.mlDsa
      ? cosignerLabel({ name: origin, keyId: cosignerKeyId(origin, ML_DSA_44, opts.mlDsa.publicKey, sha256) })
      : undefined;
    this.witnesses = opts.witnesses && opts.witnesses.cosigners.length > 0 ? opts.witnesses : undefined;
  }

  get treeSize(): number {
    return this.size;
  }

  /** True while this instance integrates leaves and signs checkpoints. */
  get isSequencer(): boolean {
    return this.leadership.isLeader;
  }

  /** Checks the stored tree against the events, takes the sequencer role if free, integrates, and signs every `intervalMs`. */
  async start(intervalMs = 1000): Promise<void> {
    await this.tree.bindSigner(this.origin, bytesToHex(this.key.publicKey), this.mlDsa ? bytesToHex(this.mlDsa.publicKey) : null);
    this.size = await this.tree.size();
    const logSize = await this.store.count();
    if (this.size > logSize) throw new Error(`the Merkle log has ${this.size} leaves but the event store only ${logSize} events`);
    if (this.size > 0) {
      const [last] = await this.store.readAll(this.size - 1, { limit: 1 });
      if (bytesToHex(await this.tree.node(0, this.size - 1)) !== bytesToHex(hashLeaf(hexToBytes(last.hash), this.sha256))) {
        throw new Error(`leaf ${this.size - 1} of the Merkle log does not match the event store`);
      }
    }
    const failed = (what: string) => (err: Error) => this.logger.error(`${what} failed: ${err.message}`);
    this.leadership.onChange((leader) => {
      this.frontierFresh = false; // another leader may have grown the tree meanwhile
      if (leader) void this.integrate().catch(failed('integration'));
    });
    this.leadership.onNudge(() => void this.signIfGrown().catch(failed('checkpoint')));
    await this.leadership.start();
    // Off the write path: proofs, receipts and checkpoints integrate first whatever is missing, so nothing waits for this.
    this.unsubscribe = this.store.subscribe(() => {
      this.integrationDue ??= setTimeout(() => {
        this.integrationDue = null;
        void this.integrate().catch(() => undefined);
      }, INTEGRATE_DELAY_MS);
    });
    await this.integrate();
    const every = (ms: number, work: () => Promise<unknown>, what: string) => {
      const timer = setInterval(() => {
        if (this.leadership.isLeader) void work().catch(failed(what));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    if (intervalMs > 0) every(intervalMs, () => this.signIfGrown(), 'checkpoint');
    if (!(this.leadership instanceof SoleLeadership)) every(this.tailMs, () => this.integrate(), 'integration');
  }

  /** The last node of every level: the left siblings the next leaves will be paired with. */
  private async loadFrontier(): Promise<void> {
    const size = await this.tree.size();
    const ids: NodeId[] = [];
    for (let level = 0; Math.floor(size / 2 ** level) > 0; level++) ids.push([level, Math.floor(size / 2 ** level) - 1]);
    const nodes = await this.tree.nodes(ids);
    this.frontier = ids.map(([level, index]) => nodes.get(nodeKey(level, index))!);
    this.size = size;
    this.frontierFresh = true;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    for (const t of this.timers.splice(0)) clearInterval(t);
    if (this.integrationDue) clearTimeout(this.integrationDue);
    this.integrationDue = null;
    await this.leadership.stop();
    await Promise.allSettled([this.integrating, this.signing]);
  }

  /**
   * Leader: appends every event not yet in the tree, in log order; concurrent calls share one pass.
   * Follower: reads the tree size the leader has reached.
   */
  integrate(): Promise<void> {
    if (this.integrating) {
      this.again = true;
      return this.integrating;
    }
    this.integrating = (async () => {
      try {
        do {
          this.again = false;
          if (!this.leadership.isLeader) {
            this.size = await this.tree.size();
            return;
          }
          if (!this.frontierFresh) await this.loadFrontier();
          for (;;) {
            const batch = await this.store.readAll(this.size, { limit: BATCH });
            if (batch.length === 0 || !this.leadership.isLeader) break;
            batch.forEach((e, i) => {
              if (e.leafIndex !== this.size + i) throw new Error(`event store returned position ${e.leafIndex}, expected ${this.size + i}`);
            });
            // Compare-and-set on the stored size: should another sequencer have appended, nothing is written.
            await this.tree.appendLeaves(
              this.size,
              batch.map((e) => hashLeaf(hexToBytes(e.hash), this.sha256)),
              this.children,
              this.frontier,
            );
            this.size += batch.length;
          }
        } while (this.again);
      } catch (err) {
        this.frontierFresh = false; // the failed batch rolled back: start again from what is stored
        throw err;
      } finally {
        this.integrating = null;
      }
    })();
    return this.integrating;
  }

  /**
   * Runs `compute` on proofs over the stored nodes in two passes: the first, over placeholder hashes, only records
   * which nodes it reads (the traversal depends on sizes, never on hash values); the nodes not kept in `nodesRead`, in
   * one batched read; the real pass.
   */
  private async withNodes<T>(compute: (proofs: MerkleProofs) => T): Promise<T> {
    const wanted: NodeId[] = [];
    const placeholder = new Uint8Array(32);
    compute(
      new MerkleProofs(
        (level, index) => {
          wanted.push([level, index]);
          return placeholder;
        },
        () => placeholder,
      ),
    );
    const nodes = new Map<string, Uint8Array>();
    const missing: NodeId[] = [];
    const missingKeys: string[] = [];
    for (const [level, index] of wanted) {
      const key = nodeKey(level, index);
      const hash = this.nodesRead.get(key);
      if (hash) nodes.set(key, hash);
      else {
        missing.push([level, index]);
        missingKeys.push(key);
      }
    }
    if (missing.length > 0) {
      const read = await this.tree.nodes(missing);
      missingKeys.forEach((key, i) => {
        const hash = read.get(key)!;
        nodes.set(key, hash);
        this.nodesRead.keep(missing[i][0], key, hash, this.size);
      });
    }
    return compute(new MerkleProofs((level, index) => nodes.get(nodeKey(level, index))!, this.children));
  }

  async root(treeSize = this.size): Promise<Uint8Array> {
    return treeSize === 0 ? this.sha256(new Uint8Array(0)) : this.withNodes((p) => p.subtreeHash(0, treeSize));
  }

  latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.tree.latestCheckpoint();
  }

  checkpoints(beforeSize: number, limit: number): Promise<StoredCheckpoint[]> {
    return this.tree.checkpoints(beforeSize, limit);
  }

  private async signIfGrown(): Promise<void> {
    if (!this.leadership.isLeader) return;
    await this.integrate();
    if (this.size > ((await this.tree.latestCheckpoint())?.treeSize ?? 0)) await this.checkpoint();
  }

  /**
   * Leader: signs the current tree head; one signing at a time, and only when consistent with the last checkpoint.
   * Follower: the latest checkpoint, once the leader has signed one covering the log as it is now.
   */
  checkpoint(): Promise<StoredCheckpoint> {
    if (!this.leadership.isLeader) return this.store.count().then((n) => this.awaitCheckpoint(n, true));
    const next = this.signing.then(() => this.signHead());
    this.signing = next.catch(() => undefined);
    return next;
  }

  private async signHead(): Promise<StoredCheckpoint> {
    await this.integrate();
    const treeSize = this.size;
    const latest = await this.tree.latestCheckpoint();
    if (latest && latest.treeSize >= treeSize) return latest;
    const root = await this.root(treeSize);
    if (latest) {
      const proof = await this.withNodes((p) => p.consistency(latest.treeSize, treeSize));
      if (!verifyConsistency(latest.treeSize, treeSize, proof, hexToBytes(latest.rootHash), root, this.sha256)) {
        throw new Error(`refusing to sign: tree ${treeSize} is not consistent with checkpoint ${latest.treeSize}`);
      }
    }
    // Never earlier than the last checkpoint, nor than the last leaf it covers (whose time never precedes the leaves before it).
    const [lastLeaf] = treeSize > 0 ? await this.store.readAll(treeSize - 1, { limit: 1 }) : [];
    const leafSeconds = lastLeaf ? Math.floor(Date.parse(lastLeaf.recordedAt) / 1000) : 0;
    const time = Math.max(Math.floor(this.now() / 1000), latest?.time ?? 0, Number.isFinite(leafSeconds) ? leafSeconds : 0);
    const body = formatCheckpointBody({ origin: this.origin, treeSize, rootHash: root, time });
    const note = signNote(body, this.origin, this.key.secretKey, { publicKey: this.key.publicKey, sha256: this.sha256 });
    // Stored only if nothing as large was stored meanwhile (by a leader we have not yet noticed replacing us).
    const saved = await this.tree.saveCheckpoint({ treeSize, rootHash: bytesToHex(root), time, note });
    if (saved.note !== note) return saved;
    if (this.mlDsa) {
      const line = signMlDsaCosignature(body, this.origin, this.mlDsa, time, this.sha256);
      await this.tree.saveAttestation({ treeSize, kind: 'cosignature', source: this.mlDsaLabel!, body: line, time });
    }
    for (const listener of this.published) listener(saved);
    return saved;
  }

  /** Called with every checkpoint this instance signs, once stored: witnesses and time-stamps start from here. */
  onCheckpoint(listener: (c: StoredCheckpoint) => void): void {
    this.published.push(listener);
  }

  /** The checkpoints with their cosignature lines appended to the note and their time-stamps. */
  async attest(checkpoints: StoredCheckpoint[]): Promise<AttestedCheckpoint[]> {
    const all = await this.tree.attestations(checkpoints.map((c) => c.treeSize));
    const order = [this.mlDsaLabel, ...(this.witnesses?.cosigners ?? [])];
    const rank = (source: string) => {
      const i = order.indexOf(source);
      return i < 0 ? order.length : i;
    };
    return checkpoints.map((c) => {
      const mine = all.filter((a) => a.treeSize === c.treeSize);
      const cosignatures = mine
        .filter((a) => a.kind === 'cosignature')
        .sort((a, b) => rank(a.source) - rank(b.source) || (a.source < b.source ? -1 : 1));
      return {
        ...c,
        note: c.note + cosignatures.map((a) => a.body).join(''),
        cosignatures: cosignatures.map((a) => ({ cosigner: a.source, time: a.time })),
        timestamps: mine.filter((a) => a.kind === 'timestamp').map((a) => ({ tsa: a.source, time: a.time, token: a.body })),
      };
    });
  }

  async attestOne(checkpoint: StoredCheckpoint): Promise<AttestedCheckpoint> {
    return (await this.attest([checkpoint]))[0];
  }

  /** Witness cosignatures on the checkpoint of this size. */
  private async witnessCount(treeSize: number): Promise<number> {
    const cosigners = this.witnesses?.cosigners ?? [];
    return (await this.tree.attestations([treeSize])).filter((a) => a.kind === 'cosignature' && cosigners.includes(a.source)).length;
  }

  /** Tells waiters that a cosignature or token was stored. */
  attestationStored(): void {
    for (const wake of this.attestationWaiters) wake();
  }

  /**
   * Waits for the witnesses to cosign `c`, up to the policy's wait from the first time `c` was waited for (in this
   * process); true once the quorum is met. A checkpoint whose wait ran out is not waited for again: while the quorum is
   * unmet (a witness down), only a fresh checkpoint holds its readers, not every request.
   */
  private async awaitQuorum(c: StoredCheckpoint): Promise<boolean> {
    const policy = this.witnesses!;
    if ((await this.witnessCount(c.treeSize)) >= policy.quorum) return true;
    let deadline = this.quorumDeadlines.get(c.treeSize);
    if (deadline === undefined) {
      deadline = Date.now() + policy.waitMs;
      this.quorumDeadlines.set(c.treeSize, deadline);
      if (this.quorumDeadlines.size > QUORUM_WAITS_KEPT) this.quorumDeadlines.delete(this.quorumDeadlines.keys().next().value!);
    }
    if (deadline <= Date.now()) return false;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        quorumWaits.inc({ outcome: 'expired' });
        return false;
      }
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      this.attestationWaiters.add(wake);
      const timer = setTimeout(wake, Math.min(POLL_MS, left));
      await woken;
      clearTimeout(timer);
      this.attestationWaiters.delete(wake);
      if ((await this.witnessCount(c.treeSize)) >= policy.quorum) {
        quorumWaits.inc({ outcome: 'met' });
        return true;
      }
    }
  }

  /**
   * The checkpoint to serve to clients: the latest one (signed now if the log grew). With witnesses, it is served
   * once they met the quorum; if they do not within the wait (once per checkpoint), the newest checkpoint that did is
   * served instead.
   */
  async servedCheckpoint(): Promise<AttestedCheckpoint> {
    const latest = await this.checkpoint();
    if (!this.witnesses || (await this.awaitQuorum(latest))) return this.attestOne(latest);
    const cosigned = await this.tree.newestCosigned(this.witnesses.cosigners, this.witnesses.quorum);
    const fallback = cosigned === null ? null : await this.tree.checkpointAt(cosigned);
    return this.attestOne(fallback ?? latest);
  }

  /**
   * The checkpoint a receipt for `leafIndex` rests on: with witnesses, the newest that meets the quorum and covers the
   * leaf (waiting for a fresh one to be cosigned if none does yet); else, or when the witnesses do not answer in time,
   * the latest covering it.
   */
  async receiptCheckpoint(leafIndex: number): Promise<AttestedCheckpoint> {
    const covering = await this.checkpointCovering(leafIndex);
    if (!this.witnesses) return this.attestOne(covering);
    const cosigned = await this.tree.newestCosigned(this.witnesses.cosigners, this.witnesses.quorum);
    if (cosigned !== null && cosigned > leafIndex) {
      const c = await this.tree.checkpointAt(cosigned);
      if (c) return this.attestOne(c);
    }
    await this.awaitQuorum(covering);
    return this.attestOne(covering);
  }

  /** True when the checkpoint carries the policy's quorum of witness cosignatures (always, without witnesses). */
  meetsQuorum(c: AttestedCheckpoint): boolean {
    if (!this.witnesses) return true;
    const { cosigners, quorum } = this.witnesses;
    return c.cosignatures.filter((x) => cosigners.includes(x.cosigner)).length >= quorum;
  }

  /**
   * The checkpoint an evidence bundle for leaves up to `lastLeaf` rests on: the newest recent one covering them that
   * meets the witness quorum and carries a time-stamp; else the one a receipt would use.
   */
  async evidenceCheckpoint(lastLeaf: number): Promise<AttestedCheckpoint> {
    const fallback = await this.receiptCheckpoint(lastLeaf);
    const recent = await this.attest(await this.tree.checkpoints(Number.MAX_SAFE_INTEGER, 200));
    return recent.find((c) => c.treeSize > lastLeaf && c.timestamps.length > 0 && this.meetsQuorum(c)) ?? fallback;
  }

  /**
   * The log's signed statement of a stream's head at a tree size (src/verifier/stream-head.ts): `events` of the stream
   * among the first `treeSize` leaves, the last with hash `headHash`. The caller has read them after that tree was
   * made, so that they are all there is below it.
   */
  signStreamHead(head: Omit<StreamHead, 'origin'>): string {
    const body = formatStreamHead({ origin: this.origin, ...head });
    return signNote(body, this.origin, this.key.secretKey, { publicKey: this.key.publicKey, sha256: this.sha256 });
  }

  /** The inclusion proof of `leafIndex` in the tree of a checkpoint the log signed. */
  async inclusionUnder(leafIndex: number, checkpoint: StoredCheckpoint): Promise<InclusionProof> {
    if (!(await this.reach(checkpoint.treeSize)))
      throw new Error(`the log has ${this.size} leaves, not the ${checkpoint.treeSize} it signed`);
    return this.proveInclusion(leafIndex, checkpoint.treeSize);
  }

  /** Checkpoint history, newest first, as served. */
  async attestedCheckpoints(beforeSize: number, limit: number): Promise<AttestedCheckpoint[]> {
    return this.attest(await this.tree.checkpoints(beforeSize, limit));
  }

  /**
   * Follower: nudges the leader, then polls the tree store until a checkpoint of at least `minSize` leaves exists.
   * `orLatest`: settle for the latest checkpoint if the wait runs out (GET /checkpoint); else 503.
   */
  private async awaitCheckpoint(minSize: number, orLatest = false): Promise<StoredCheckpoint> {
    const deadline = Date.now() + this.followerWaitMs;
    let latest = await this.tree.latestCheckpoint();
    if (!latest || latest.treeSize < minSize) this.leadership.nudge();
    while ((!latest || latest.treeSize < minSize) && Date.now() < deadline) {
      await sleep(POLL_MS);
      latest = await this.tree.latestCheckpoint();
    }
    if (latest && (latest.treeSize >= minSize || orLatest)) return latest;
    throw new SequencerUnavailableError(`the log sequencer has not yet signed a checkpoint of ${minSize} leaves; retry shortly`);
  }

  /** The latest checkpoint that contains `leafIndex`, signed now (or waited for, on a follower) when none does yet. */
  async checkpointCovering(leafIndex: number): Promise<StoredCheckpoint> {
    const latest = await this.tree.latestCheckpoint();
    if (latest && latest.treeSize > leafIndex) return latest;
    // Entries come from the store: a log without one is out of step with it, our fault rather than the client's.
    if (!this.leadership.isLeader) {
      if (leafIndex >= (await this.store.count())) throw new Error(`leaf ${leafIndex} is not in the log`);
      return this.awaitCheckpoint(leafIndex + 1);
    }
    const fresh = await this.checkpoint();
    if (fresh.treeSize <= leafIndex) throw new Error(`leaf ${leafIndex} is not in the log`);
    return fresh;
  }

  /** The audit path a client asks for; a tree or leaf the log does not have is refused with a LogRangeError. */
  async inclusionProof(leafIndex: number, treeSize: number): Promise<InclusionProof> {
    await this.reachOrRefuse(treeSize);
    if (!(Number.isSafeInteger(leafIndex) && Number.isSafeInteger(treeSize) && leafIndex >= 0 && leafIndex < treeSize)) {
      throw new LogRangeError(`no leaf ${leafIndex} in a tree of size ${treeSize}`);
    }
    return this.proveInclusion(leafIndex, treeSize);
  }

  /** The consistency proof a client asks for; a tree the log does not have is refused with a LogRangeError. */
  async consistencyProof(from: number, to: number): Promise<ConsistencyProof> {
    await this.reachOrRefuse(to);
    if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && from <= to)) {
      throw new LogRangeError(`no consistency proof from ${from} to ${to}`);
    }
    return { from, to, hashes: (await this.withNodes((p) => p.consistency(from, to))).map(hexOf) };
  }

  async receipt(entry: EventEnvelope): Promise<Receipt> {
    return this.receiptUnder(entry, await this.receiptCheckpoint(entry.leafIndex));
  }

  /** A receipt for `entry` under a checkpoint that covers it. */
  async receiptUnder(entry: EventEnvelope, checkpoint: AttestedCheckpoint): Promise<Receipt> {
    // The log signed this tree itself: not having it is our fault, not the client's.
    if (!(await this.reach(checkpoint.treeSize))) {
      throw new Error(`the log has ${this.size} leaves, not the ${checkpoint.treeSize} it signed`);
    }
    const inclusionProof = await this.proveInclusion(entry.leafIndex, checkpoint.treeSize);
    const receipt: Receipt = {
      entry,
      leafIndex: entry.leafIndex,
      treeSize: checkpoint.treeSize,
      inclusionProof,
      checkpoint: checkpoint.note,
    };
    if (checkpoint.timestamps.length > 0) receipt.timestamps = checkpoint.timestamps;
    return receipt;
  }

  private async proveInclusion(leafIndex: number, treeSize: number): Promise<InclusionProof> {
    return { leafIndex, treeSize, hashes: (await this.withNodes((p) => p.inclusion(leafIndex, treeSize))).map(hexOf) };
  }

  private async reachOrRefuse(treeSize: number): Promise<void> {
    if (!(await this.reach(treeSize))) throw new LogRangeError(`the log has ${this.size} leaves, not ${treeSize}`);
  }

  /** Brings the tree to `treeSize` leaves (a follower waits for the leader); false when the log has fewer events. */
  private async reach(treeSize: number): Promise<boolean> {
    if (treeSize > this.size) await this.integrate();
    if (treeSize <= this.size) return true;
    // A follower's tree trails the events by up to one leader pass: wait for it, if the events are there.
    if (!this.leadership.isLeader && treeSize <= (await this.store.count())) {
      const deadline = Date.now() + this.followerWaitMs;
      this.leadership.nudge();
      while (treeSize > this.size && Date.now() < deadline) {
        await sleep(POLL_MS);
        await this.integrate();
      }
      if (treeSize > this.size)
        throw new SequencerUnavailableError(`the log sequencer has integrated ${this.size} leaves, not yet ${treeSize}; retry shortly`);
      return true;
    }
    return false;
  }
}

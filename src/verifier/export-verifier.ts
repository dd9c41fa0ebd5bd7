// Streaming verifier of an NDJSON export of event envelopes in log order, against signed checkpoints.
// Framework-free: runs in Node and in a browser. Memory: O(log n) for the Merkle range; the chains and the ids given
// twice are checked by an external merge sort whose runs go to a `Spill` (bounded memory when the spill is a file);
// O(filings) for the settlement audit (the sandbox rules need every right's facts) unless its `FilingStore` is on disk.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { type Checkpoint, type CheckpointFault, verifyCheckpoint } from './checkpoint.js';
import { type ChainResult, ChainRuns } from './chain-runs.js';
import { type DuplicateId, IdRuns } from './duplicate-ids.js';
import { CompactRange } from './compact-range.js';
import { nobleSha256, type Sha256, type Sha256Text, sha256TextWith } from './envelope.js';
import type { SchemaCheck } from './event-catalogue.js';
import {
  type ChunkFacts,
  checkChunk,
  ChunkChecker,
  HASH_AT,
  LEAF_HASH_AT,
  leafHashOf,
  LEAF_INDEX,
  RECORD_BYTES,
  RECORD_FLOATS,
  RECORDED_MS,
  REVISION,
} from './export-chunk.js';
import { failureReason, type FailureFacts } from './export-failure.js';
import { type Ed25519Verify, nobleEd25519Verify, parseVkey, type Vkey, VkeyError, type VkeyFault } from './note.js';
import { checkConsistency, equalBytes, type ProofFault } from './rfc6962.js';
import type { FilingStore } from './rights-book.js';
import { SettlementAuditor } from './settlement-audit.js';
import { DEFAULT_RUN_RECORDS, MemorySpill, type Spill } from './sorted-runs.js';

export interface VerifierOptions {
  sha256?: Sha256;
  /** Hex SHA-256 of a text's UTF-8 (default: `sha256` over the encoded text); for the event hashes. */
  sha256Text?: Sha256Text;
  verify?: Ed25519Verify;
  /** How values are checked against the event catalogue's schemas (default: walked; Node injects compiled checks). */
  schemaCheck?: SchemaCheck;
  /** Check every RightsSettled against the sandbox rules (default true; costs O(filings) memory unless `filings` is on disk). */
  auditSettlements?: boolean;
  /** Where the settlement audit keeps each filing's facts (default: in memory). */
  filings?: FilingStore;
  /** Where the chain and id checks keep their sorted runs until the end (default: in memory). Disposed by `finish`. */
  spill?: Spill;
  /** Events per sorted run of the chain and id checks (default 16,384). */
  runRecords?: number;
  /** The longest line read, in bytes (default `MAX_LINE_BYTES`): a longer one fails its leaf. */
  maxLineBytes?: number;
}

export { envelopeProblem, recordedAtMs, utf8Text } from './export-chunk.js';
export * from './export-failure.js';

/**
 * `leafIndex`: the first bad leaf, or with `lastLeafIndex` the first of the leaves one of which is bad (a root that does
 * not match proves only that some leaf no earlier checkpoint covers differs). `reason` says why in English, as the CLI
 * prints it; `code` and the values beside it say the same as data (`FailureFacts`), for a reader that words it itself.
 */
export type ExportFailure = { ok: false; leafIndex: number | null; lastLeafIndex?: number; reason: string } & FailureFacts;

const failure = (leafIndex: number | null, facts: FailureFacts, lastLeafIndex?: number): ExportFailure =>
  lastLeafIndex === undefined
    ? { ok: false, leafIndex, reason: failureReason(facts), ...facts }
    : { ok: false, leafIndex, lastLeafIndex, reason: failureReason(facts), ...facts };

/**
 * Of an event out of the catalogue and an event whose own time is out of bounds, the one at the earlier leaf; at one
 * leaf the time, the narrower finding (a time that is no ISO-8601 UTC time is both).
 */
const first = (uncatalogued: ExportFailure | undefined, untimely: ExportFailure | undefined): ExportFailure | undefined =>
  uncatalogued === undefined || (untimely !== undefined && (untimely.leafIndex ?? 0) <= (uncatalogued.leafIndex ?? 0))
    ? untimely
    : uncatalogued;

/** Where a failure is, as the verdict line names it: ` at leaf 7`, ` in leaves 0..19999`, or nothing. */
export function failurePlace(f: Pick<ExportFailure, 'leafIndex' | 'lastLeafIndex'>): string {
  if (f.leafIndex === null) return '';
  return f.lastLeafIndex !== undefined && f.lastLeafIndex > f.leafIndex
    ? ` in leaves ${f.leafIndex}..${f.lastLeafIndex}`
    : ` at leaf ${f.leafIndex}`;
}
/** `signedTreeSize` is the largest checkpoint matched: events beyond it are hashed and chained but not covered by a signature. */
export type ExportSuccess = {
  ok: true;
  treeSize: number;
  rootHash: string;
  streams: number;
  /** The trees that signed checkpoints matched: checkpoints of one size, given twice or signed again, count once. */
  checkpointsChecked: number;
  signedTreeSize: number;
};
export type ExportResult = ExportSuccess | ExportFailure;

/** What the verdict adds when events lie past the largest checkpoint matched (an export taken after it), or nothing. */
export function unsignedTail(result: Pick<ExportSuccess, 'treeSize' | 'signedTreeSize'>): string {
  const past = result.treeSize - result.signedTreeSize;
  return past > 0
    ? ` (the last ${past} event(s) hash and chain correctly, but no checkpoint given covers them: verify them again with a later checkpoint)`
    : '';
}

interface PendingCheckpoint {
  treeSize: number;
  rootHash: Uint8Array;
  time?: number;
}

/**
 * Feed it the export line by line with `push` (or parsed envelopes with `pushEnvelope`), then call `finish`.
 * Checkpoints are checked with `checkCheckpoint`: their signature at once, their root when the stream reaches their size,
 * so a checkpoint smaller than the export must be given before the stream passes its size.
 * The first failure is kept and later input is ignored.
 */
export class ExportVerifier {
  private readonly sha256: Sha256;
  private readonly verify: Ed25519Verify;
  private readonly range: CompactRange;
  private readonly sha256Text: Sha256Text;
  private readonly spill: Spill; // the runs of both checks made at the end, disposed by `finish`
  private readonly chains: ChainRuns; // each event's chain facts, checked per stream at the end
  private readonly ids: IdRuns; // each event's id, checked for one given twice at the end
  /** Checks what `push` and `pushEnvelope` are given, one event at a time. */
  private readonly checker: ChunkChecker;
  private readonly pending: PendingCheckpoint[] = []; // sorted by tree size
  private failure: ExportFailure | undefined;
  private checked = 0;
  private signedSize = 0;
  private finished: ExportResult | undefined;
  /** The latest `recordedAt` so far (ms) and its text: time in the log only moves forward. */
  private lastRecordedMs = -Infinity;
  private lastRecordedAt = '';
  private lastRecordedIndex = -1;
  /** The time and size of the last checkpoint matched: a later (larger) one is never older. */
  private lastCheckpoint: { treeSize: number; time: number } | undefined;
  /** The first time that went back: reported only when the log is otherwise authentic, so tampering is named as such. */
  private timeFailure: ExportFailure | undefined;
  /** The first event whose own time is not its recordedAt's: reported only when nothing else failed, a time going back included. */
  private untimely: ExportFailure | undefined;
  /** The first event not in the event catalogue, reported as `untimely` is. */
  private uncatalogued: ExportFailure | undefined;
  /** An event the rules could misread was met: the settlement audit stopped before it (its chunk left it out of `rules`). */
  private auditStopped = false;
  private readonly settlements: SettlementAuditor | null;

  constructor(options: VerifierOptions = {}) {
    this.sha256 = options.sha256 ?? nobleSha256;
    this.verify = options.verify ?? nobleEd25519Verify;
    this.sha256Text = options.sha256Text ?? sha256TextWith(this.sha256);
    this.range = new CompactRange(this.sha256);
    this.checker = new ChunkChecker(
      { sha256: this.sha256, sha256Text: this.sha256Text, schemaCheck: options.schemaCheck, maxLineBytes: options.maxLineBytes },
      1,
    );
    this.settlements = options.auditSettlements === false ? null : new SettlementAuditor(options.filings);
    this.spill = options.spill ?? new MemorySpill();
    const runRecords = options.runRecords ?? DEFAULT_RUN_RECORDS;
    this.chains = new ChainRuns(this.spill, runRecords);
    this.ids = new IdRuns(this.spill, runRecords);
  }

  /** Settlement records checked against the sandbox rules so far. */
  get settlementsAudited(): number {
    return this.settlements?.count ?? 0;
  }

  /** Events accepted so far: the size of the verified tree. */
  get count(): number {
    return this.range.size;
  }

  /** No failure so far; a broken stream chain is found only by `finish`. */
  get ok(): boolean {
    return this.failure === undefined;
  }

  /** The failure so far; a broken stream chain is found only by `finish`. */
  get result(): ExportFailure | undefined {
    return this.failure;
  }

  private fail(leafIndex: number | null, facts: FailureFacts, lastLeafIndex?: number): false {
    this.failure ??= failure(leafIndex, facts, lastLeafIndex);
    return false;
  }

  private failTime(leafIndex: number | null, facts: FailureFacts): void {
    this.timeFailure ??= failure(leafIndex, facts);
  }

  /**
   * Verifies the checkpoint's signature by `vkey` now and its root when the export reaches its size (now, if it already has).
   * Several checkpoints may be given: all matching the one streamed tree also shows they are consistent with one another.
   */
  checkCheckpoint(note: string, vkey: string | Vkey): boolean {
    if (this.failure) return false;
    const verified = verifyCheckpoint(note, vkey, { sha256: this.sha256, verify: this.verify });
    if (!verified.ok) return this.fail(null, { code: 'checkpoint', checkpoint: verified.fault, detail: verified.reason });
    const { treeSize, rootHash, time } = verified.checkpoint;
    if (treeSize < this.count) return this.fail(null, { code: 'checkpoint-late', treeSize, streamed: this.count });
    const at = this.pending.findIndex((p) => p.treeSize > treeSize);
    this.pending.splice(at < 0 ? this.pending.length : at, 0, { treeSize, rootHash, time });
    return this.settleCheckpoints();
  }

  /** Compares the root of the tree so far with every checkpoint of exactly this size. */
  private settleCheckpoints(): boolean {
    while (this.pending.length > 0 && this.pending[0].treeSize === this.count) {
      const { treeSize, rootHash, time } = this.pending.shift()!;
      if (!equalBytes(this.range.root(), rootHash)) {
        if (this.signedSize >= treeSize) return this.fail(null, { code: 'split-view', treeSize });
        // The root proves only that some leaf after the last matching checkpoint differs: name the leaves no signature vouches for.
        return this.fail(
          treeSize === 0 ? null : this.signedSize,
          { code: 'root-mismatch', treeSize, signedSize: this.signedSize },
          treeSize === 0 ? undefined : treeSize - 1,
        );
      }
      if (time !== undefined) this.checkCheckpointTime(treeSize, time);
      // Checkpoints of one size that both match are of one tree (given twice, or signed again): counted once.
      if (this.checked === 0 || treeSize !== this.signedSize) this.checked++;
      this.signedSize = treeSize;
    }
    return true;
  }

  /** A checkpoint's time (whole seconds) is not before the `recordedAt` of its last leaf, nor before an earlier checkpoint's. */
  private checkCheckpointTime(treeSize: number, time: number): void {
    if (treeSize > 0 && time < Math.floor(this.lastRecordedMs / 1000)) {
      this.failTime(null, {
        code: 'checkpoint-before-leaf',
        treeSize,
        time,
        leaf: this.lastRecordedIndex,
        recordedAt: this.lastRecordedAt,
      });
    }
    const previous = this.lastCheckpoint;
    if (previous && previous.treeSize < treeSize && time < previous.time) {
      this.failTime(null, { code: 'checkpoint-time-back', treeSize, time, previousSize: previous.treeSize, previousTime: previous.time });
    }
    if (!previous || time > previous.time) this.lastCheckpoint = { treeSize, time };
  }

  /** One NDJSON line; blank lines are skipped. Returns false once anything has failed. */
  push(line: string): boolean {
    if (this.failure) return false;
    this.checker.addLine(line);
    return this.pushChunk(this.checker.take());
  }

  /**
   * The bytes of one or more lines (UTF-8, split at \n, \r\n and a lone \r; blank lines skipped), decoded strictly:
   * a line that is not well-formed UTF-8 fails. Returns false once anything has failed.
   */
  pushBytes(bytes: Uint8Array): boolean {
    if (this.failure) return false;
    return this.pushChunk(checkChunk(bytes, this.checker));
  }

  /** One parsed envelope, in log order. */
  pushEnvelope(value: unknown): boolean {
    if (this.failure) return false;
    this.checker.add(value);
    return this.pushChunk(this.checker.take());
  }

  /**
   * The facts of the next chunk of the export (`ChunkChecker`, `checkChunk`: each event checked on its own, in a worker or
   * not), in log order: applies the checks that depend on the events before, event by event, as `push` would have.
   * Returns false once anything has failed.
   */
  pushChunk(facts: ChunkFacts): boolean {
    if (this.failure) return false;
    if (this.finished) throw new Error('the export has been finished');
    const floats = new Float64Array(facts.records.buffer, facts.records.byteOffset, facts.events * RECORD_FLOATS);
    const records = facts.records;
    const { streams, recordedAt, rules } = facts;
    let rule = 0;
    const start = this.count;
    const { untimely, uncatalogued } = facts;
    const end = start + facts.events;
    // The chunk's leaves join the range as the subtrees its checker hashed (a few hashes here, not one per leaf), unless
    // an event failed or a checkpoint's root must be compared at a size within the chunk: then leaf by leaf.
    const tiled = facts.tiles !== null && facts.failure === null && !this.pending.some((p) => p.treeSize > start && p.treeSize < end);
    /** Event i fails: in a tiled chunk the events before it join the range first, so that `count` is what was accepted. */
    const failAt = (i: number, why: FailureFacts): false => {
      if (tiled) for (let k = 0; k < i; k++) this.range.append(leafHashOf(records, k));
      return this.fail(start + i, why);
    };
    for (let i = 0; i < facts.events; i++) {
      const index = start + i;
      const f = i * RECORD_FLOATS;
      const leafIndex = floats[f + LEAF_INDEX];
      if (leafIndex !== index) return failAt(i, { code: 'misplaced', claimed: leafIndex, expected: index });
      const recorded = floats[f + RECORDED_MS];
      if (recorded < this.lastRecordedMs) {
        this.failTime(index, {
          code: 'time-back',
          recordedAt: recordedAt[i],
          previousLeaf: this.lastRecordedIndex,
          previousRecordedAt: this.lastRecordedAt,
        });
      } else {
        this.lastRecordedMs = recorded;
        this.lastRecordedAt = recordedAt[i];
        this.lastRecordedIndex = index;
      }
      // The revision and prevHash checks run at `finish`, over every stream: recorded here, before the settlement audit.
      const at = this.chains.add(streams[i], index, floats[f + REVISION]);
      const r = i * RECORD_BYTES;
      this.chains.payload.set(records.subarray(r + HASH_AT, r + LEAF_HASH_AT), at);
      this.ids.add(facts.ids[i], index);
      if (uncatalogued !== null && uncatalogued.at === i) this.uncatalogued ??= failure(index, uncatalogued.facts);
      if (facts.misleading === i) this.auditStopped = true;
      if (rule < rules.length && rules[rule].at === i) {
        const event = rules[rule++].event;
        // After an event the rules could misread, what they give is no evidence of anything: the audit stops.
        const unsettled = this.auditStopped ? undefined : this.settlements?.push(event);
        if (unsettled !== undefined) return failAt(i, { code: 'settlement', settlement: unsettled });
      }
      if (untimely !== null && untimely.at === i) this.untimely ??= failure(index, untimely.facts);
      if (tiled) continue;
      this.range.append(leafHashOf(records, i));
      if (!this.settleCheckpoints()) return false;
    }
    if (tiled) {
      this.range.appendTiles(facts.tiles!, facts.events);
      if (!this.settleCheckpoints()) return false;
    }
    const failed = facts.failure;
    if (failed === null) return true;
    // An event that failed its own checks: a misplaced one is named as such first, as one pass in log order would.
    if (failed.leafIndex !== null && failed.leafIndex !== this.count)
      return this.fail(this.count, { code: 'misplaced', claimed: failed.leafIndex, expected: this.count });
    const { at, leafIndex, reason, ...why } = failed;
    return this.fail(this.count, why);
  }

  /**
   * Ends the export: checks every stream's chain and that no event id is given twice, then a checkpoint larger than what
   * was streamed means the export was truncated. A broken chain or a repeated id is reported before any other failure
   * (the earlier of the two if both; the repeated id, the more telling, at the same leaf): the events they cover were all
   * accepted before that failure, so one pass checking them as it went would have stopped there first.
   */
  finish(): ExportResult {
    if (this.finished) return this.finished;
    let chains: ChainResult;
    let duplicate: DuplicateId | null;
    try {
      chains = this.chains.check();
      duplicate = this.ids.check();
    } finally {
      this.chains.release();
      this.ids.release();
      this.spill.dispose();
    }
    const { broken } = chains;
    const fault = duplicate !== null && (broken === null || duplicate.leafIndex <= broken.leafIndex) ? duplicate : broken;
    if (fault) {
      const { leafIndex, reason, ...why } = fault;
      this.failure = failure(leafIndex, why);
    } else if (this.pending.length > 0) {
      const { treeSize } = this.pending[this.pending.length - 1];
      this.fail(this.count, { code: 'truncated', events: this.count, treeSize });
    }
    this.failure ??= this.timeFailure ?? first(this.uncatalogued, this.untimely);
    this.finished = this.failure ?? {
      ok: true,
      treeSize: this.count,
      rootHash: bytesToHex(this.range.root()),
      streams: chains.streams,
      checkpointsChecked: this.checked,
      signedTreeSize: this.signedSize,
    };
    return this.finished;
  }
}

/** Verifies an array of NDJSON lines (or one text) against checkpoints in one call; for small exports and tests. */
export function verifyExport(
  ndjson: string | readonly string[],
  checkpoints: readonly string[],
  vkey: string | Vkey,
  options: VerifierOptions = {},
): ExportResult {
  const verifier = new ExportVerifier(options);
  for (const note of checkpoints) verifier.checkCheckpoint(note, vkey);
  for (const line of typeof ndjson === 'string' ? ndjson.split('\n') : ndjson) if (!verifier.push(line)) break;
  return verifier.finish();
}

/**
 * Why two checkpoints are not shown consistent, as data (`reason` says it in English): the key is no vkey (`vkey` why, or
 * null for an error of another kind), either checkpoint does not verify (`detail`: its reason), the proof's hashes are
 * not hex, or the proof does not show the older tree a prefix of the newer.
 */
export type ConsistencyFault =
  | { code: 'vkey'; vkey: VkeyFault | null; detail: string }
  | { code: 'older' | 'newer'; checkpoint: CheckpointFault; detail: string }
  | { code: 'not-hex' }
  | { code: 'proof'; older: number; newer: number; proof: ProofFault };

export type ConsistencyResult = { ok: true; older: Checkpoint; newer: Checkpoint } | { ok: false; reason: string; fault: ConsistencyFault };

/** Both checkpoints are signed by `vkey` and `proof` (hex or bytes, RFC 9162 order) shows the older is a prefix of the newer. */
export function verifyConsistencyBetweenCheckpoints(
  olderNote: string,
  newerNote: string,
  proof: readonly (string | Uint8Array)[],
  vkey: string | Vkey,
  options: VerifierOptions = {},
): ConsistencyResult {
  const sha256 = options.sha256 ?? nobleSha256;
  let key: Vkey;
  try {
    key = typeof vkey === 'string' ? parseVkey(vkey, sha256) : vkey;
  } catch (err) {
    const detail = (err as Error).message;
    return {
      ok: false,
      reason: `bad verifier key: ${detail}`,
      fault: { code: 'vkey', vkey: err instanceof VkeyError ? err.fault : null, detail },
    };
  }
  const older = verifyCheckpoint(olderNote, key, { sha256, verify: options.verify });
  if (!older.ok)
    return {
      ok: false,
      reason: `older checkpoint: ${older.reason}`,
      fault: { code: 'older', checkpoint: older.fault, detail: older.reason },
    };
  const newer = verifyCheckpoint(newerNote, key, { sha256, verify: options.verify });
  if (!newer.ok)
    return {
      ok: false,
      reason: `newer checkpoint: ${newer.reason}`,
      fault: { code: 'newer', checkpoint: newer.fault, detail: newer.reason },
    };
  let hashes: Uint8Array[];
  try {
    hashes = proof.map((h) => (typeof h === 'string' ? hexToBytes(h) : h));
  } catch {
    return { ok: false, reason: 'proof hashes are not hex', fault: { code: 'not-hex' } };
  }
  const a = older.checkpoint;
  const b = newer.checkpoint;
  const check = checkConsistency(a.treeSize, b.treeSize, hashes, a.rootHash, b.rootHash, sha256);
  return check.ok
    ? { ok: true, older: a, newer: b }
    : {
        ok: false,
        reason: `checkpoints ${a.treeSize} and ${b.treeSize} are not consistent: ${check.reason}`,
        fault: { code: 'proof', older: a.treeSize, newer: b.treeSize, proof: check.fault },
      };
}

// Receipts: the JSON receipt of a logged event and the C2SP tlog-proof@v1 text bundle (c2sp.org/tlog-proof), and their verification.
// Framework-free: runs in Node and in a browser.
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { type CheckpointFault, verifyCheckpoint } from './checkpoint.js';
import { canonicalJson, computeEventHash, type EventEnvelope, isHex64, nobleSha256 } from './envelope.js';
import { type CatalogueFault, eventFault } from './event-catalogue.js';
import type { EventTimeFault } from './event-time.js';
import { envelopeFault, hashMismatch, recordedAtMs } from './export-chunk.js';
import { envelopeReason, failureReason, type EnvelopeRule } from './export-failure.js';
import type { VerifierOptions } from './export-verifier.js';
import { base64Decode, base64Encode, type Vkey } from './note.js';
import { checkInclusion, HASH_SIZE, hashLeaf, type ProofFault } from './rfc6962.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  extra?: Uint8Array; // opaque and unauthenticated; here the JCS form of the entry
  index: number;
  hashes: Uint8Array[]; // inclusion proof, leaf's sibling first
  checkpoint: string; // the signed checkpoint note, verbatim
}

export interface JsonReceipt {
  entry: EventEnvelope;
  leafIndex: number;
  treeSize: number;
  inclusionProof: { leafIndex: number; treeSize: number; hashes: string[] };
  checkpoint: string;
}

/**
 * Why a receipt does not verify, as data (`reason` says it in English): the text bundle is malformed (`detail`, in
 * English) or its extra line carries no entry, the JSON receipt lacks a part or its parts disagree, the entry is no
 * envelope or does not hash to its hash, its index is not the receipt's, the checkpoint does not verify (`detail`: its
 * reason) or is of another size, or the inclusion proof does not lead to its root; then, of an entry the log did sign,
 * its recordedAt is no ISO-8601 UTC time, its own time is not held to it (event-time.ts), or it is not an event of the
 * catalogue (event-catalogue.ts).
 */
export type ReceiptFault =
  | { code: 'tlog-proof'; detail: string }
  | { code: 'no-extra' }
  | { code: 'extra-not-json' }
  | { code: 'not-object' }
  | { code: 'no-inclusion-proof' }
  | { code: 'no-checkpoint' }
  | { code: 'proof-leaf-index' }
  | { code: 'proof-tree-size' }
  | { code: 'proof-hashes' }
  | { code: 'entry'; rule: EnvelopeRule; field: string | null }
  | { code: 'entry-hash'; type: string; stream: string; leaf: number; expected: string; computed: string }
  | { code: 'index'; index: number; leafIndex: number }
  | { code: 'checkpoint'; checkpoint: CheckpointFault; detail: string }
  | { code: 'tree-size'; treeSize: number; checkpointTreeSize: number }
  | { code: 'inclusion'; proof: ProofFault }
  | { code: 'entry-recorded-at'; recordedAt: string }
  | ({ code: 'entry-time' } & EventTimeFault)
  | ({ code: 'entry-catalogue' } & CatalogueFault);

export type ReceiptVerification = { ok: true } | { ok: false; reason: string; fault: ReceiptFault };

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

export function formatTlogProof(proof: TlogProof): string {
  if (!Number.isSafeInteger(proof.index) || proof.index < 0) throw new RangeError(`invalid index ${proof.index}`);
  if (proof.hashes.some((h) => h.length !== HASH_SIZE)) throw new RangeError('proof hashes must be 32 bytes');
  const lines = [TLOG_PROOF_HEADER];
  if (proof.extra !== undefined) lines.push(`extra ${base64Encode(proof.extra)}`);
  lines.push(`index ${proof.index}`, ...proof.hashes.map(base64Encode), '');
  return lines.join('\n') + '\n' + proof.checkpoint;
}

/** Parses the bundle; throws SyntaxError when it does not follow tlog-proof@v1. The checkpoint is not verified here. */
export function parseTlogProof(text: string): TlogProof {
  if (typeof text !== 'string') throw new SyntaxError('tlog-proof is not a string');
  const lines = text.split('\n');
  let i = 0;
  if (lines[i++] !== TLOG_PROOF_HEADER) throw new SyntaxError(`first line is not ${TLOG_PROOF_HEADER}`);
  const proof: TlogProof = { index: 0, hashes: [], checkpoint: '' };
  if (lines[i]?.startsWith('extra ')) {
    try {
      proof.extra = base64Decode(lines[i++].slice('extra '.length));
    } catch {
      throw new SyntaxError('extra is not base64');
    }
  }
  const indexLine = lines[i++] ?? '';
  const index = indexLine.startsWith('index ') ? indexLine.slice('index '.length) : '';
  if (!DECIMAL.test(index) || !Number.isSafeInteger(Number(index))) throw new SyntaxError('missing or malformed index line');
  proof.index = Number(index);
  for (; i < lines.length && lines[i] !== ''; i++) {
    let hash: Uint8Array;
    try {
      hash = base64Decode(lines[i]);
    } catch {
      throw new SyntaxError(`proof line ${i + 1} is not base64`);
    }
    if (hash.length !== HASH_SIZE) throw new SyntaxError(`proof line ${i + 1} is not a 32-byte hash`);
    proof.hashes.push(hash);
  }
  if (i >= lines.length) throw new SyntaxError('no blank line before the checkpoint');
  proof.checkpoint = lines.slice(i + 1).join('\n');
  if (proof.checkpoint === '') throw new SyntaxError('no checkpoint after the blank line');
  return proof;
}

/** The text bundle of a JSON receipt: `extra` carries the JCS form of the entry. */
export function receiptToTlogProof(receipt: JsonReceipt): string {
  return formatTlogProof({
    extra: utf8ToBytes(canonicalJson(receipt.entry)),
    index: receipt.leafIndex,
    hashes: receipt.inclusionProof.hashes.map((h) => hexToBytes(h)),
    checkpoint: receipt.checkpoint,
  });
}

/**
 * Checks a receipt, JSON or tlog-proof@v1 text: the entry's hash, the checkpoint's signature by `vkey`,
 * that index and size agree everywhere, and the inclusion of hashLeaf(entry.hash) under the checkpoint's root.
 */
export function verifyReceipt(receipt: JsonReceipt | string, vkey: string | Vkey, options: VerifierOptions = {}): ReceiptVerification {
  const sha256 = options.sha256 ?? nobleSha256;
  const fail = (reason: string, fault: ReceiptFault): ReceiptVerification => ({ ok: false, reason, fault });
  let entry: unknown;
  let leafIndex: number;
  let treeSize: number | undefined;
  let hashes: Uint8Array[];
  let note: string;
  if (typeof receipt === 'string') {
    let bundle: TlogProof;
    try {
      bundle = parseTlogProof(receipt);
    } catch (err) {
      const detail = (err as Error).message;
      return fail(`malformed tlog-proof: ${detail}`, { code: 'tlog-proof', detail });
    }
    if (bundle.extra === undefined) return fail('tlog-proof has no extra line carrying the entry', { code: 'no-extra' });
    try {
      entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bundle.extra));
    } catch {
      return fail('extra is not UTF-8 JSON', { code: 'extra-not-json' });
    }
    ({ index: leafIndex, hashes, checkpoint: note } = bundle);
  } else {
    if (typeof receipt !== 'object' || receipt === null) return fail('receipt is not an object', { code: 'not-object' });
    const { inclusionProof } = receipt;
    if (typeof inclusionProof !== 'object' || inclusionProof === null || !Array.isArray(inclusionProof.hashes))
      return fail('receipt has no inclusion proof', { code: 'no-inclusion-proof' });
    if (typeof receipt.checkpoint !== 'string') return fail('receipt has no checkpoint', { code: 'no-checkpoint' });
    if (inclusionProof.leafIndex !== receipt.leafIndex)
      return fail('inclusion proof is for another leaf index than the receipt', { code: 'proof-leaf-index' });
    if (inclusionProof.treeSize !== receipt.treeSize)
      return fail('inclusion proof is for another tree size than the receipt', { code: 'proof-tree-size' });
    if (!inclusionProof.hashes.every(isHex64)) return fail('proof hashes are not 64 lowercase hex digits', { code: 'proof-hashes' });
    entry = receipt.entry;
    leafIndex = receipt.leafIndex;
    treeSize = receipt.treeSize;
    hashes = inclusionProof.hashes.map((h) => hexToBytes(h));
    note = receipt.checkpoint;
  }
  const problem = envelopeFault(entry);
  if (problem !== undefined) return fail(`entry: ${envelopeReason(problem.rule, problem.field)}`, { code: 'entry', ...problem });
  const e = entry as EventEnvelope;
  const computed = computeEventHash(e, sha256);
  if (computed !== e.hash)
    return fail(`entry ${hashMismatch(e, computed)}`, {
      code: 'entry-hash',
      type: e.type,
      stream: e.stream,
      leaf: e.leafIndex,
      expected: e.hash,
      computed,
    });
  if (e.leafIndex !== leafIndex)
    return fail(`receipt index ${leafIndex} is not the entry's leafIndex ${e.leafIndex}`, {
      code: 'index',
      index: leafIndex,
      leafIndex: e.leafIndex,
    });
  const verified = verifyCheckpoint(note, vkey, { sha256, verify: options.verify });
  if (!verified.ok)
    return fail(`checkpoint: ${verified.reason}`, { code: 'checkpoint', checkpoint: verified.fault, detail: verified.reason });
  const { checkpoint } = verified;
  if (treeSize !== undefined && treeSize !== checkpoint.treeSize)
    return fail(`receipt tree size ${treeSize} is not the checkpoint's ${checkpoint.treeSize}`, {
      code: 'tree-size',
      treeSize,
      checkpointTreeSize: checkpoint.treeSize,
    });
  const inclusion = checkInclusion(
    hashLeaf(hexToBytes(e.hash), sha256),
    leafIndex,
    checkpoint.treeSize,
    hashes,
    checkpoint.rootHash,
    sha256,
  );
  if (!inclusion.ok) return fail(`inclusion: ${inclusion.reason}`, { code: 'inclusion', proof: inclusion.fault });
  // The entry is the log's, signed: now what the log's key signed in it is held to the rules a server writes by.
  const recorded = recordedAtMs(e.recordedAt);
  if (Number.isNaN(recorded))
    return fail(`entry: ${failureReason({ code: 'recorded-at', recordedAt: e.recordedAt })}`, {
      code: 'entry-recorded-at',
      recordedAt: e.recordedAt,
    });
  const fault = eventFault(e, recorded);
  if (fault === undefined) return { ok: true };
  const reason = `entry: ${failureReason(fault)}`;
  if (fault.code === 'event-time') {
    const { code: _, ...facts } = fault;
    return fail(reason, { code: 'entry-time', ...facts });
  }
  const { code: _, ...facts } = fault;
  return fail(reason, { code: 'entry-catalogue', ...facts });
}

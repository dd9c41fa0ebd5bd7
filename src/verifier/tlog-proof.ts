// Receipts: the JSON receipt of a logged event and the C2SP tlog-proof@v1 text bundle (c2sp.org/tlog-proof), and their verification.
// Framework-free: runs in Node and in a browser.
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { verifyCheckpoint } from './checkpoint.js';
import { canonicalJson, computeEventHash, type EventEnvelope, nobleSha256 } from './envelope.js';
import { hashMismatch } from './export-chunk.js';
import { envelopeProblem, type VerifierOptions } from './export-verifier.js';
import { base64Decode, base64Encode, type Vkey } from './note.js';
import { checkInclusion, HASH_SIZE, hashLeaf } from './rfc6962.js';

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

export type ReceiptVerification = { ok: true } | { ok: false; reason: string };

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
  const fail = (reason: string): ReceiptVerification => ({ ok: false, reason });
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
      return fail(`malformed tlog-proof: ${(err as Error).message}`);
    }
    if (bundle.extra === undefined) return fail('tlog-proof has no extra line carrying the entry');
    try {
      entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bundle.extra));
    } catch {
      return fail('extra is not UTF-8 JSON');
    }
    ({ index: leafIndex, hashes, checkpoint: note } = bundle);
  } else {
    if (typeof receipt !== 'object' || receipt === null) return fail('receipt is not an object');
    const { inclusionProof } = receipt;
    if (typeof inclusionProof !== 'object' || inclusionProof === null || !Array.isArray(inclusionProof.hashes))
      return fail('receipt has no inclusion proof');
    if (typeof receipt.checkpoint !== 'string') return fail('receipt has no checkpoint');
    if (inclusionProof.leafIndex !== receipt.leafIndex) return fail('inclusion proof is for another leaf index than the receipt');
    if (inclusionProof.treeSize !== receipt.treeSize) return fail('inclusion proof is for another tree size than the receipt');
    if (!inclusionProof.hashes.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)))
      return fail('proof hashes are not 64 lowercase hex digits');
    entry = receipt.entry;
    leafIndex = receipt.leafIndex;
    treeSize = receipt.treeSize;
    hashes = inclusionProof.hashes.map((h) => hexToBytes(h));
    note = receipt.checkpoint;
  }
  const problem = envelopeProblem(entry);
  if (problem !== undefined) return fail(`entry: ${problem}`);
  const e = entry as EventEnvelope;
  const computed = computeEventHash(e, sha256);
  if (computed !== e.hash) return fail(`entry ${hashMismatch(e, computed)}`);
  if (e.leafIndex !== leafIndex) return fail(`receipt index ${leafIndex} is not the entry's leafIndex ${e.leafIndex}`);
  const verified = verifyCheckpoint(note, vkey, { sha256, verify: options.verify });
  if (!verified.ok) return fail(`checkpoint: ${verified.reason}`);
  const { checkpoint } = verified;
  if (treeSize !== undefined && treeSize !== checkpoint.treeSize)
    return fail(`receipt tree size ${treeSize} is not the checkpoint's ${checkpoint.treeSize}`);
  const inclusion = checkInclusion(
    hashLeaf(hexToBytes(e.hash), sha256),
    leafIndex,
    checkpoint.treeSize,
    hashes,
    checkpoint.rootHash,
    sha256,
  );
  return inclusion.ok ? { ok: true } : fail(`inclusion: ${inclusion.reason}`);
}

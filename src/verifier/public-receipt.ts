// The public proof that content is in the log, as GET /v1/public/content/:sha256/receipt answers it, and the keys it is
// checked with, as GET /v1/ledger/keys publishes them: the server's answers are typed as these, and a browser or any
// client checks them with this verifier (verifyReceipt, verifyCosignedCheckpoint).
import { type EventEnvelope, isHex64 } from './envelope.js';
import type { JsonReceipt } from './tlog-proof.js';

/** An RFC 3161 time-stamp over a checkpoint, as receipts and checkpoints carry it. */
export interface ReceiptTimestamp {
  /** The time-stamp authority's URL. */
  tsa: string;
  /** genTime, unix seconds. */
  time: number;
  /** The DER TimeStampToken, base64. */
  token: string;
}

/** Everything a client needs, besides trust in it, to check a served checkpoint. */
export interface PublishedKeys {
  /** The log's Ed25519 vkey (signed-note type 0x01). */
  log: string;
  /** The log's ML-DSA-44 cosigner vkey (type 0x06). */
  logMlDsa44: string;
  /** Witness cosigner vkeys (type 0x04), and how many must cosign. */
  witnesses: string[];
  witnessQuorum: number;
  /** The CA certificates (PEM) the TSAs chain to, or null without TSAs. */
  tsaCertificates: string | null;
}

/** Proof anyone can check that content is in the log: the receipt of its ContentReserved (or a copy's CopyRegistered) and the keys. */
export interface PublicReceipt {
  contentHash: string;
  match: 'content' | 'copy';
  filingId: string;
  receipt: JsonReceipt & { timestamps?: ReceiptTimestamp[] };
  /** The published keys; the TSA CA only when the receipt carries time-stamps. */
  keys: PublishedKeys;
}

/** The hash of the content an entry ties to its filing: the filed content (WorkFiled, ContentReserved) or a registered copy (CopyRegistered). */
export interface ProvenContent {
  kind: 'content' | 'copy';
  sha256: string;
  filingId: string;
}

/** What content an entry names, or undefined for an event that names none. Read from the entry: proven once the entry is. */
export function provenContent(entry: EventEnvelope): ProvenContent | undefined {
  const data = entry.data as { filingId?: unknown; contentHash?: unknown; copy?: { sha256?: unknown } | null };
  if (typeof data.filingId !== 'string') return undefined;
  if ((entry.type === 'WorkFiled' || entry.type === 'ContentReserved') && isHex64(data.contentHash))
    return { kind: 'content', sha256: data.contentHash, filingId: data.filingId };
  if (entry.type === 'CopyRegistered' && isHex64(data.copy?.sha256))
    return { kind: 'copy', sha256: data.copy.sha256, filingId: data.filingId };
  return undefined;
}

/**
 * Where a public receipt's own statements (`contentHash`, `match`, `filingId`) differ from what its entry proves, or
 * undefined when they agree: a ContentReserved of that content for that filing (`content`), or a CopyRegistered of a
 * copy with that hash in that filing (`copy`). Those statements are the server's, outside the proof: only an entry that
 * proves them lets them stand.
 */
export function publicReceiptDisagreement(
  proof: Pick<PublicReceipt, 'contentHash' | 'match' | 'filingId'>,
  entry: EventEnvelope,
): string | undefined {
  const expected = proof.match === 'copy' ? 'CopyRegistered' : 'ContentReserved';
  if (entry.type !== expected) return `match is ${JSON.stringify(proof.match)} but the entry is a ${entry.type}, not a ${expected}`;
  const proven = provenContent(entry);
  if (proven === undefined) return `the entry (${entry.type}) names no content hash and filing`;
  if (proven.sha256 !== proof.contentHash)
    return `contentHash ${proof.contentHash} is not the ${proven.kind === 'copy' ? "copy's" : 'content'} hash the entry names, ${proven.sha256}`;
  if (proven.filingId !== proof.filingId) return `filingId ${proof.filingId} is not the filing the entry names, ${proven.filingId}`;
  return undefined;
}

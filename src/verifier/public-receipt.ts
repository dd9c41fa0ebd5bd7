// The public proof that content is in the log, as GET /v1/public/content/:sha256/receipt answers it, and the keys it is
// checked with, as GET /v1/ledger/keys publishes them: the server's answers are typed as these, and a browser or any
// client checks them with this verifier (verifyReceipt, verifyCosignedCheckpoint).
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

// What a certificate states, from the public endpoints only (whoever holds the link may see it), and what this browser
// checked of it with the project's verifier: the log's signature, the inclusion proof, the cosignatures.
import {
  bytesToHex,
  parseCheckpoint,
  parseCosignerVkey,
  parseNote,
  verifyCosignedCheckpoint,
  verifyReceipt,
  type JsonReceipt,
} from '../../verifier.js';

/** GET /v1/public/filings/:id */
export interface PublicFiling {
  filingId: string;
  contentHash: string;
  contentType: string;
  title: string;
  status: 'active' | 'withdrawn';
  filedAt: string;
  leafIndex: number;
  eventHash: string;
  withdrawnAt: string | null;
  digitalSourceType: string | null;
  labels: { state: 'none' | 'declared' | 'verified'; tier: string | null; version: number | null; implicit: unknown };
  copies: Array<{ sha256: string; registeredAt: string; leafIndex: number }>;
  holder: { id: string; name: string | null } | null;
}

/** GET /v1/public/content/:sha256/receipt */
export interface PublicContentReceipt {
  contentHash: string;
  match: 'content' | 'copy';
  filingId: string;
  receipt: JsonReceipt & { timestamps?: Array<{ tsa: string; time: number; token: string }> };
  keys: { log: string; logMlDsa44: string; witnesses: string[]; witnessQuorum: number; tsaCertificates: string | null };
}

export interface CertificateProof {
  /** The logged event the proof is about (ContentReserved for the filed content) and its place. */
  entryType: string;
  entryLeafIndex: number;
  checkpoint: { origin: string; treeSize: number; rootHex: string; time: number | null };
  /** Witness cosignatures that verified, with the time each witness signed (unix seconds). */
  witnesses: Array<{ name: string; time: number }>;
  /** RFC 3161 time-stamps over the checkpoint: the TSA's genTime (unix seconds); checked by the CLI, not here. */
  timestamps: Array<{ tsa: string; time: number }>;
  /** Whether this browser verified the receipt against the ledger's published keys, and if not why. */
  verified: { ok: true } | { ok: false; reason: string };
}

/**
 * The page that verifies a certificate: the public page with the content hash in the fragment (never sent to a server,
 * so it works for any link holder without a request of its own).
 */
export const verificationUrl = (origin: string, contentHash: string) => `${origin}/#sha256=${contentHash}`;

/** The checkpoint's facts and what verified, from a public receipt that names this filing; throws on a malformed note. */
export function certificateProof(filingId: string, proof: PublicContentReceipt): CertificateProof | { otherFiling: string } {
  if (proof.filingId !== filingId) return { otherFiling: proof.filingId };
  const { receipt, keys } = proof;
  const note = parseNote(receipt.checkpoint);
  if (!note.ok) throw new SyntaxError(note.reason);
  const cp = parseCheckpoint(note.text);
  const facts = {
    entryType: receipt.entry.type,
    entryLeafIndex: receipt.leafIndex,
    checkpoint: { origin: cp.origin, treeSize: cp.treeSize, rootHex: bytesToHex(cp.rootHash), time: cp.time ?? null },
    timestamps: (receipt.timestamps ?? []).map(({ tsa, time }) => ({ tsa, time })),
  };
  const fail = (reason: string): CertificateProof => ({ ...facts, witnesses: [], verified: { ok: false, reason } });
  const entry = receipt.entry.data as { filingId?: unknown };
  if (entry.filingId !== filingId) return fail(`the proven entry names filing ${String(entry.filingId)}`);
  const included = verifyReceipt(receipt, keys.log);
  if (!included.ok) return fail(included.reason);
  let cosigned;
  try {
    const witnesses = keys.witnesses.map((w) => parseCosignerVkey(w));
    cosigned = verifyCosignedCheckpoint(receipt.checkpoint, {
      vkey: keys.log,
      logMlDsa: parseCosignerVkey(keys.logMlDsa44),
      witnesses,
      quorum: Math.min(keys.witnessQuorum, witnesses.length),
    });
  } catch (err) {
    return fail((err as Error).message);
  }
  if (!cosigned.ok) return fail(cosigned.reason);
  return { ...facts, witnesses: cosigned.witnesses.map((w) => ({ name: w.key.name, time: w.timestamp })), verified: { ok: true } };
}

// What a certificate states, from the public endpoints only (whoever holds the link may see it), and what this browser
// checked of it with the project's verifier: the log's signature, the inclusion proof, the cosignatures, the time-stamps.
import { type PublicFault, type PublicRight, type PublicStatus, verifyPublicReceipt } from '../../public-check.js';
import { bytesToHex, parseCheckpoint, parseCosignerVkey, parseNote, verifyCosignatures, type PublicReceipt } from '../../verifier.js';

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

/** The right's public standing, as the public lookup of the filing's content gives it (the summary above has none). */
export type { PublicRight };

/**
 * The right of this filing from the lookup of its content, which answers for the live filing of that content: null when
 * it names another one (this filing was withdrawn and the content filed again) or gives no right.
 */
export const rightOfFiling = (filing: PublicFiling, status: PublicStatus): PublicRight | null =>
  status.filingId === filing.filingId ? status.right : null;

export interface CertificateProof {
  /** The logged event the proof is about (ContentReserved for the filed content) and its place. */
  entryType: string;
  entryLeafIndex: number;
  checkpoint: { origin: string; treeSize: number; rootHex: string; time: number | null };
  /** Witness cosignatures that verified, with the time each witness signed (unix seconds). */
  witnesses: Array<{ name: string; time: number }>;
  /** RFC 3161 time-stamps over the checkpoint: the TSA's genTime (unix seconds). */
  timestamps: Array<{ tsa: string; time: number }>;
  /** Whether this browser verified the time-stamps (not where it offers no WebCrypto, outside a secure context). */
  timestampsChecked: boolean;
  /** Whether this browser verified the receipt against the ledger's published keys, and if not why. */
  verified: { ok: true } | { ok: false; reason: string; fault?: PublicFault };
}

/**
 * The page that verifies a certificate: the public page with the content hash in the fragment (never sent to a server,
 * so it works for any link holder without a request of its own).
 */
export const verificationUrl = (origin: string, contentHash: string) => `${origin}/#sha256=${contentHash}`;

/**
 * The checkpoint's facts and what verified, from a public receipt that names this filing; throws on a malformed note.
 * The verdict is the public page's (verifyPublicReceipt: entry, signature, inclusion, ML-DSA-44, witness quorum, TSA).
 */
export async function certificateProof(filing: PublicFiling, proof: PublicReceipt): Promise<CertificateProof | { otherFiling: string }> {
  if (proof.filingId !== filing.filingId) return { otherFiling: proof.filingId };
  const { receipt, keys } = proof;
  const note = parseNote(receipt.checkpoint);
  if (!note.ok) throw new SyntaxError(note.reason);
  const cp = parseCheckpoint(note.text);
  const verdict = await verifyPublicReceipt(filing.contentHash, proof);
  const failed = verdict.checks.find((c) => c.outcome === 'failed');
  // Which witnesses cosigned and when: shown once the quorum was checked above.
  const witnesses = verdict.ok
    ? verifyCosignatures(
        receipt.checkpoint,
        keys.witnesses.map((w) => parseCosignerVkey(w)),
      ).valid
    : [];
  return {
    entryType: receipt.entry.type,
    entryLeafIndex: receipt.leafIndex,
    checkpoint: { origin: cp.origin, treeSize: cp.treeSize, rootHex: bytesToHex(cp.rootHash), time: cp.time ?? null },
    timestamps: (receipt.timestamps ?? []).map(({ tsa, time }) => ({ tsa, time })),
    timestampsChecked: verdict.checks.some((c) => c.id === 'tsa' && c.outcome === 'passed'),
    witnesses: witnesses.map((w) => ({ name: w.key.name, time: w.timestamp })),
    verified: verdict.ok ? { ok: true } : { ok: false, reason: String(failed?.params.reason ?? 'failed'), fault: failed?.fault },
  };
}

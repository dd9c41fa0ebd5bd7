// The checkpoint monitor's check of one newly served checkpoint against the keys the auditor trusts and the last one it
// accepted: signatures (Ed25519, ML-DSA-44, witness quorum) and consistency, all with the project's verifier. Pure but
// for `proof`.
import { verifyConsistencyBetweenCheckpoints, verifyCosignedCheckpoint, type Checkpoint, type CheckpointTrust } from '../../verifier.js';

export interface Observed {
  note: string;
  checkpoint: Checkpoint;
  witnesses: Array<{ label: string; timestamp: number }>;
  logMlDsa: string | null;
  /** How it relates to the checkpoint before it. */
  consistency: { kind: 'first' } | { kind: 'same-size' } | { kind: 'proved'; from: number; hashes: number };
}

export type Checked = { ok: true; observed: Observed } | { ok: false; reason: string };

/**
 * Checks `note` against `trust` (the pinned keys, or those served when the page opened); `previous` is the last accepted
 * checkpoint; `proof(from, to)` fetches the consistency proof's hashes.
 */
export async function checkNext(
  note: string,
  trust: CheckpointTrust,
  previous: Observed | null,
  proof: (from: number, to: number) => Promise<string[]>,
): Promise<Checked> {
  const verified = verifyCosignedCheckpoint(note, trust);
  if (!verified.ok) return { ok: false, reason: `signature: ${verified.reason}` };
  const cp = verified.checkpoint;
  const base = {
    note,
    checkpoint: cp,
    witnesses: verified.witnesses.map((w) => ({ label: w.label, timestamp: w.timestamp })),
    logMlDsa: verified.logMlDsa?.label ?? null,
  };
  if (previous === null) return { ok: true, observed: { ...base, consistency: { kind: 'first' } } };
  const before = previous.checkpoint;
  if (cp.treeSize < before.treeSize) return { ok: false, reason: `the log shrank: tree size ${cp.treeSize} after ${before.treeSize}` };
  if (cp.treeSize === before.treeSize) {
    if (!sameBytes(cp.rootHash, before.rootHash))
      return { ok: false, reason: `two checkpoints of tree size ${cp.treeSize} sign different roots: the log showed a split view` };
    return { ok: true, observed: { ...base, consistency: { kind: 'same-size' } } };
  }
  if (before.treeSize === 0) return { ok: true, observed: { ...base, consistency: { kind: 'proved', from: 0, hashes: 0 } } };
  const hashes = await proof(before.treeSize, cp.treeSize);
  const consistent = verifyConsistencyBetweenCheckpoints(previous.note, note, hashes, trust.vkey);
  if (!consistent.ok) return { ok: false, reason: `consistency: ${consistent.reason}` };
  return { ok: true, observed: { ...base, consistency: { kind: 'proved', from: before.treeSize, hashes: hashes.length } } };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A time-stamp as the checkpoint history lists it beside its checkpoint. */
export interface ListedStamp {
  tsa?: string;
  time?: number;
  token: string;
}

/** What the monitor learnt of a checkpoint's RFC 3161 time-stamps. */
export type StampCheck =
  | { state: 'none' }
  /** Not checked, the times as listed: this browser has no WebCrypto (not a secure context), or no TSA CA is pinned. */
  | { state: 'unchecked'; why: 'insecure' | 'unpinned'; times: number[] }
  | { state: 'verified'; stamps: Array<{ authority: string; time: number }> }
  | { state: 'failed'; reason: string };

/**
 * Checks the time-stamps listed with the checkpoint `note` against `caPem`, the TSA CA certificates the monitor trusts,
 * with the project's verifier (loaded only when there are tokens): each token's signature and chain, its imprint of the
 * note, and its time (not before the checkpoint's, as listed). Keys pinned without a CA (`pinned`, `caPem` null) leave
 * them unchecked; on first use, a ledger that serves no CA fails them.
 */
export async function checkStamps(
  note: string,
  stamps: readonly ListedStamp[],
  { caPem, pinned }: { caPem: string | null; pinned: boolean },
): Promise<StampCheck> {
  if (stamps.length === 0) return { state: 'none' };
  if (pinned && caPem === null) return unchecked(stamps, 'unpinned');
  if (globalThis.crypto?.subtle === undefined) return unchecked(stamps, 'insecure');
  if (!caPem) return { state: 'failed', reason: 'the ledger serves no TSA CA certificate to check its time-stamps against' };
  const tsa = await import('../../timestamp-verifier.js');
  try {
    const cas = tsa.parsePemCertificates(caPem);
    await tsa.checkTrustAnchors(cas);
    const verified = await tsa.checkCheckpointTimestamps(note, stamps, cas);
    return { state: 'verified', stamps: verified.map((v) => ({ authority: tsa.authorityName(v.authority), time: v.time })) };
  } catch (err) {
    return { state: 'failed', reason: (err as Error).message };
  }
}

/** Time-stamps left unchecked, for `why`: their times as the history lists them. */
const unchecked = (stamps: readonly ListedStamp[], why: 'insecure' | 'unpinned'): StampCheck => ({
  state: 'unchecked',
  why,
  times: stamps.map((s) => s.time).filter((x): x is number => typeof x === 'number'),
});

// The checkpoint monitor's check of one newly served checkpoint against the keys the auditor trusts and the last one it
// accepted: signatures (Ed25519, ML-DSA-44, witness quorum) and consistency, all with the project's verifier. Pure but
// for `proof`.
import type { TimestampFault } from '../../timestamp-verifier.js';
import {
  verifyConsistencyBetweenCheckpoints,
  verifyCosignedCheckpoint,
  type Checkpoint,
  type CheckpointTrust,
  type ConsistencyFault,
  type CosignedFault,
} from '../../verifier.js';

export interface Observed {
  note: string;
  checkpoint: Checkpoint;
  witnesses: Array<{ label: string; timestamp: number }>;
  logMlDsa: string | null;
  /** How it relates to the checkpoint before it. */
  consistency: { kind: 'first' } | { kind: 'same-size' } | { kind: 'proved'; from: number; hashes: number };
}

/**
 * Why the monitor raised its alarm, as data: the checkpoint is not accepted with the trusted keys, the log shrank, two
 * checkpoints of one size sign different roots, the consistency proof fails, or a time-stamp does not check. `detail`
 * is the verifier's English reason; `alarmReason` words the whole in English, as the page shows it.
 */
export type MonitorAlarm =
  | { kind: 'signature'; fault: CosignedFault; detail: string }
  | { kind: 'shrank'; treeSize: number; previous: number }
  | { kind: 'split-view'; treeSize: number }
  | { kind: 'consistency'; fault: ConsistencyFault; detail: string }
  | { kind: 'time-stamp'; stamps: StampFailure };

export type MonitorAlarmKind = MonitorAlarm['kind'];

/** The alarm in English. */
export function alarmReason(a: MonitorAlarm): string {
  switch (a.kind) {
    case 'signature':
      return `signature: ${a.detail}`;
    case 'shrank':
      return `the log shrank: tree size ${a.treeSize} after ${a.previous}`;
    case 'split-view':
      return `two checkpoints of tree size ${a.treeSize} sign different roots: the log showed a split view`;
    case 'consistency':
      return `consistency: ${a.detail}`;
    case 'time-stamp':
      return `time-stamp: ${a.stamps.reason}`;
  }
}

export type Checked = { ok: true; observed: Observed } | { ok: false; alarm: MonitorAlarm };

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
  if (!verified.ok) return { ok: false, alarm: { kind: 'signature', fault: verified.fault, detail: verified.reason } };
  const cp = verified.checkpoint;
  const base = {
    note,
    checkpoint: cp,
    witnesses: verified.witnesses.map((w) => ({ label: w.label, timestamp: w.timestamp })),
    logMlDsa: verified.logMlDsa?.label ?? null,
  };
  if (previous === null) return { ok: true, observed: { ...base, consistency: { kind: 'first' } } };
  const before = previous.checkpoint;
  if (cp.treeSize < before.treeSize) return { ok: false, alarm: { kind: 'shrank', treeSize: cp.treeSize, previous: before.treeSize } };
  if (cp.treeSize === before.treeSize) {
    if (!sameBytes(cp.rootHash, before.rootHash)) return { ok: false, alarm: { kind: 'split-view', treeSize: cp.treeSize } };
    return { ok: true, observed: { ...base, consistency: { kind: 'same-size' } } };
  }
  if (before.treeSize === 0) return { ok: true, observed: { ...base, consistency: { kind: 'proved', from: 0, hashes: 0 } } };
  const hashes = await proof(before.treeSize, cp.treeSize);
  const consistent = verifyConsistencyBetweenCheckpoints(previous.note, note, hashes, trust.vkey);
  if (!consistent.ok) return { ok: false, alarm: { kind: 'consistency', fault: consistent.fault, detail: consistent.reason } };
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
  | ({ state: 'failed' } & StampFailure);

/**
 * Why time-stamps failed: the ledger serves no TSA CA (on first use), or the verifier's fault (null for an error it gives
 * no fault for), with its English `reason`.
 */
export type StampFailure = { fault: TimestampFault | { code: 'no-ca' } | null; reason: string };

/** The verifier's error as a time-stamp failure. */
export const stampFailure = (err: unknown): StampFailure => ({
  fault: (err as { fault?: TimestampFault | null }).fault ?? null,
  reason: (err as Error).message,
});

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
  if (!caPem)
    return {
      state: 'failed',
      fault: { code: 'no-ca' },
      reason: 'the ledger serves no TSA CA certificate to check its time-stamps against',
    };
  const tsa = await import('../../timestamp-verifier.js');
  try {
    const cas = tsa.parsePemCertificates(caPem);
    await tsa.checkTrustAnchors(cas);
    const verified = await tsa.checkCheckpointTimestamps(note, stamps, cas);
    return { state: 'verified', stamps: verified.map((v) => ({ authority: tsa.authorityName(v.authority), time: v.time })) };
  } catch (err) {
    return { state: 'failed', ...stampFailure(err) };
  }
}

/** Time-stamps left unchecked, for `why`: their times as the history lists them. */
const unchecked = (stamps: readonly ListedStamp[], why: 'insecure' | 'unpinned'): StampCheck => ({
  state: 'unchecked',
  why,
  times: stamps.map((s) => s.time).filter((x): x is number => typeof x === 'number'),
});
